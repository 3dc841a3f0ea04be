"""Choosing the text to show from a language map, with a visible fallback when a translation is missing."""

from __future__ import annotations

from lms.i18n import N_, base_language


def pick(texts: dict[str, str], language: str, fallbacks: list[str] | tuple[str, ...] = ("en",)) -> tuple[str, str]:
    """(text, language it is in): the asked language, its base language, then the fallbacks, then anything."""
    if texts.get(language, "").strip():
        return texts[language], language
    for tag, text in texts.items():
        if base_language(tag) == base_language(language) and text.strip():
            return text, tag
    for tag in fallbacks:
        if texts.get(tag, "").strip():
            return texts[tag], tag
    for tag, text in texts.items():
        if text.strip():
            return text, tag
    return "", language


def content_language(requested: str, available: list[str]) -> str:
    for tag in available:
        if base_language(tag) == base_language(requested):
            return tag
    return available[0] if available else requested


# Names the pages show, for gettext.
TRACK_NAMES = {
    "MA": N_("Medical Assistant"),
    "DA": N_("Dental Assistant"),
    "CHW": N_("Community Health Worker"),
    "EHR": N_("Electronic Health Records"),
    "CE": N_("Continuing Education"),
}
KIND_NAMES = {
    "lesson": N_("Lesson"),
    "quiz": N_("Quiz"),
    "in_person": N_("In-person session"),
    "checkoff": N_("Skills checkoff"),
    "package": N_("Interactive module"),
}


def text_picker(language: str, available: list[str]):
    """``t(map)`` for templates: the text in the content language, flagged when it fell back to another."""

    def t(texts: dict[str, str]) -> str:
        return pick(texts, language, available)[0]

    def missing(texts: dict[str, str]) -> bool:
        return pick(texts, language, available)[1] != language

    return t, missing
