"""Choosing the interface language, and catalogues that have every string in every shipped language."""

import functools
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lms.catalog.language import content_language, pick
from lms.i18n import LOCALE_DIR, UI_LANGUAGES, choose_language, locale_of, parse_accept_language, ui_language

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(d.name for d in LOCALE_DIR.iterdir() if (d / "LC_MESSAGES" / "messages.po").exists())
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_the_explicit_switch_wins_then_the_profile_then_the_browser():
    assert choose_language(cookie="es", preferred="en", accept_language="en-US") == "es"
    assert choose_language(cookie=None, preferred="es", accept_language="en-US") == "es"
    assert choose_language(cookie=None, preferred=None, accept_language="fr-FR, es-MX;q=0.8, en;q=0.5") == "es"
    assert choose_language(cookie=None, preferred="fr", accept_language="de") == "en"


def test_every_catalogue_is_a_language_of_the_interface_and_regional_tags_find_it():
    assert set(SHIPPED) >= {"en", "es"}
    assert sorted(locale_of(tag) for tag in UI_LANGUAGES) == SHIPPED
    assert list(UI_LANGUAGES)[0] == "en"
    assert ui_language("es-MX") == "es"
    assert ui_language("xx-YY") is None
    if "zh_Hant" in SHIPPED:
        assert ui_language("zh-TW") == ui_language("zh-hant-HK") == ui_language("zh_Hant") == "zh-Hant"
        assert choose_language(cookie=None, preferred=None, accept_language="zh-HK, en;q=0.5") == "zh-Hant"
    if "tl" in SHIPPED:
        assert ui_language("fil-PH") == "tl"


def test_accept_language_respects_quality_values():
    assert parse_accept_language("en;q=0.2, es-MX, fr;q=0") == ["es-MX", "en"]


def test_a_missing_translation_falls_back_and_says_which_language_it_used():
    assert pick({"en": "Hand hygiene", "es": "Higiene de manos"}, "es") == ("Higiene de manos", "es")
    assert pick({"en": "Hand hygiene", "es": ""}, "es") == ("Hand hygiene", "en")
    assert pick({"es": "Sólo español"}, "en") == ("Sólo español", "es")
    assert content_language("es-MX", ["en", "es"]) == "es"
    assert content_language("vi", ["en", "es"]) == "en"


@functools.cache  # reading every module and template takes seconds: once for all the languages
def _extracted_messages() -> frozenset[str]:
    method_map = [("lms/**.py", "python"), ("templates/**.jinja2", "jinja2")]
    options = {"templates/**.jinja2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options, keywords):
        found.add(message if isinstance(message, str) else message[0])
    return frozenset(m for m in found if m)


def _catalogue(language: str):
    with (ROOT / "lms" / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_interface_string_has_its_translation(language):
    messages = _extracted_messages()
    assert len(messages) > 50
    catalogue = _catalogue(language)
    untranslated = []
    for message in messages:
        entry = catalogue.get(message)
        strings = (
            (entry.string,)
            if entry is not None and isinstance(entry.string, str)
            else (entry.string if entry else ("",))
        )
        if not all(s.strip() for s in strings):
            untranslated.append(message)
    assert not untranslated, f"run infra/i18n-update and translate these in {language}: {sorted(untranslated)}"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_their_placeholders(language):
    wrong = []
    for entry in _catalogue(language):
        if not entry.id:
            continue
        sources = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        targets = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        wanted = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for target in targets:
            # a plural form may leave out the count ("one minute"), never bring a name the message does not have
            found = set(PLACEHOLDER.findall(target))
            if not found <= wanted or (len(sources) == 1 and found != wanted):
                wrong.append(f"{sources[0]!r} -> {target!r}")
    assert not wrong, f"placeholders differ in {language}: {wrong}"
