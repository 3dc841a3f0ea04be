"""Applying the authoring forms to a course document: one form field per language, side by side.

Field names are ``<field>.<lang>`` (``title.es``), and for quizzes ``q<i>.prompt.<lang>``,
``q<i>.c<j>.text.<lang>``, ``q<i>.c<j>.feedback.<lang>`` and ``q<i>.c<j>.correct``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from lms.catalog.content import CourseDoc, Lesson, Quiz, text_fields
from lms.errors import Invalid, NotFound


def _texts(form: Mapping[str, str], prefix: str, languages: list[str], current: dict[str, str]) -> dict[str, str]:
    out = dict(current)
    for lang in languages:
        key = f"{prefix}.{lang}"
        if key in form:
            value = form[key].replace("\r\n", "\n").strip()
            if value:
                out[lang] = value
            else:
                out.pop(lang, None)
    return out


def _number(form: Mapping[str, str], name: str, kind: type, current: Any) -> Any:
    raw = form.get(name)
    if raw is None or raw == "":
        return current
    try:
        return kind(raw)
    except ValueError:
        raise Invalid(f"{name} must be a number", field=name) from None


def apply_course_form(doc: CourseDoc, form: Mapping[str, str]) -> CourseDoc:
    languages = doc.languages
    if form.get("languages"):
        languages = [tag.strip() for tag in form["languages"].replace(";", ",").split(",") if tag.strip()]
    raw = msgspec.to_builtins(doc)
    raw["languages"] = languages
    raw["title"] = _texts(form, "title", languages, doc.title)
    raw["summary"] = _texts(form, "summary", languages, doc.summary)
    for m, module in enumerate(doc.modules):
        raw["modules"][m]["title"] = _texts(form, f"module.{module.key}", languages, module.title)
    return _convert(raw)


def find_activity(doc: CourseDoc, key: str) -> tuple[int, int]:
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if activity.key == key:
                return m, a
    raise NotFound(f"no activity {key} in the draft")


def apply_activity_form(doc: CourseDoc, key: str, form: Mapping[str, str], media_ids: list[str] | None = None) -> CourseDoc:
    m, a = find_activity(doc, key)
    activity = doc.modules[m].activities[a]
    languages = doc.languages
    raw = msgspec.to_builtins(doc)
    target = raw["modules"][m]["activities"][a]
    target["minutes"] = _number(form, "minutes", int, activity.minutes)
    for name in text_fields(activity):
        target[name] = _texts(form, name, languages, getattr(activity, name))
    if isinstance(activity, Lesson) and "media_listed" in form:
        # Ticked library files, by id; a file kept keeps the captions it named (empty: the video's current captions).
        kept = {ref.file: msgspec.to_builtins(ref) for ref in activity.media}
        target["media"] = [kept.get(media_id, {"file": media_id}) for media_id in dict.fromkeys(media_ids or [])]
        for ref in target["media"]:  # an image's text for people who cannot see it, per language (alt.<id>.<lang>)
            if any(f"alt.{ref['file']}.{lang}" in form for lang in languages):
                ref["alt"] = _texts(form, f"alt.{ref['file']}", languages, ref.get("alt") or {})
    if isinstance(activity, Quiz):
        target["pass_mark"] = _number(form, "pass_mark", float, activity.pass_mark)
        attempts = form.get("max_attempts", "")
        target["max_attempts"] = int(attempts) if attempts.isdigit() and int(attempts) > 0 else None
        for q, question in enumerate(activity.questions):
            tq = target["questions"][q]
            tq["prompt"] = _texts(form, f"q{q}.prompt", languages, question.prompt)
            for c, choice in enumerate(question.choices):
                tc = tq["choices"][c]
                tc["text"] = _texts(form, f"q{q}.c{c}.text", languages, choice.text)
                tc["feedback"] = _texts(form, f"q{q}.c{c}.feedback", languages, choice.feedback)
                tc["correct"] = form.get(f"q{q}.c{c}.correct") == "on"
    return _convert(raw)


def _convert(raw: dict[str, Any]) -> CourseDoc:
    try:
        return msgspec.convert(raw, CourseDoc)
    except msgspec.ValidationError as exc:
        raise Invalid(str(exc)) from None
