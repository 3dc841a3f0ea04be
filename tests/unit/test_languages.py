"""Choosing the interface language, and a catalogue that has every string in Spanish."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lms.catalog.language import content_language, pick
from lms.i18n import choose_language, parse_accept_language

ROOT = Path(__file__).resolve().parents[2]


def test_the_explicit_switch_wins_then_the_profile_then_the_browser():
    assert choose_language(cookie="es", preferred="en", accept_language="en-US") == "es"
    assert choose_language(cookie=None, preferred="es", accept_language="en-US") == "es"
    assert choose_language(cookie=None, preferred=None, accept_language="fr-FR, es-MX;q=0.8, en;q=0.5") == "es"
    assert choose_language(cookie=None, preferred="vi", accept_language="tl") == "en"


def test_accept_language_respects_quality_values():
    assert parse_accept_language("en;q=0.2, es-MX, fr;q=0") == ["es-MX", "en"]


def test_a_missing_translation_falls_back_and_says_which_language_it_used():
    assert pick({"en": "Hand hygiene", "es": "Higiene de manos"}, "es") == ("Higiene de manos", "es")
    assert pick({"en": "Hand hygiene", "es": ""}, "es") == ("Hand hygiene", "en")
    assert pick({"es": "Sólo español"}, "en") == ("Sólo español", "es")
    assert content_language("es-MX", ["en", "es"]) == "es"
    assert content_language("vi", ["en", "es"]) == "en"


def _extracted_messages() -> set[str]:
    method_map = [("lms/**.py", "python"), ("templates/**.jinja2", "jinja2")]
    options = {"templates/**.jinja2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options, keywords):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def _catalogue(language: str):
    with (ROOT / "lms" / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=language)


def test_every_interface_string_has_its_spanish_and_english_translation():
    messages = _extracted_messages()
    assert len(messages) > 50
    for language in ("es", "en"):
        catalogue = _catalogue(language)
        untranslated = []
        for message in messages:
            entry = catalogue.get(message)
            strings = (entry.string,) if entry is not None and isinstance(entry.string, str) else (entry.string if entry else ("",))
            if not all(s.strip() for s in strings):
                untranslated.append(message)
        assert not untranslated, f"run infra/i18n-update and translate these in {language}: {sorted(untranslated)}"


def test_spanish_translations_keep_their_placeholders():
    for entry in _catalogue("es"):
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        target = entry.string if isinstance(entry.string, str) else entry.string[0]
        for placeholder in ("%(hours)s", "%(num)s", "%(version)s", "%(language)s", "%(latest)s", "%(number)s", "%(percent)s"):
            assert (placeholder in source) == (placeholder in target), f"{source!r} -> {target!r}"
