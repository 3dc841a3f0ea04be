"""Interface languages (gettext catalogues read with Babel) and choosing a language per request.

The interface speaks every language that has a catalogue under ``locale/`` (its folder name is the gettext locale,
e.g. ``zh_Hant``; pages, cookies and profiles use the BCP 47 tag, ``zh-Hant``). Adding a language is adding a folder:
``infra/i18n-update LOCALE`` creates it.

Order: the explicit switch (a cookie, also saved to the profile), the user's preferred language, Accept-Language,
then the default. Catalogues are compiled in memory at start, so no generated .mo files live in git.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from lms import clinic_time

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGE_COOKIE = "lms_lang"
# How a language names itself in the picker, where Babel's own name is not what its speakers look for.
_SELF_NAMES = {"en": "English", "es": "Español", "zh-Hant": "繁體中文", "vi": "Tiếng Việt", "tl": "Tagalog"}
# Tags a browser or a profile may send for a language we carry under another tag.
_ALIASES = {
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "yue": "zh-Hant",
    "yue-hant": "zh-Hant",
    "fil": "tl",
}


def tag_of(locale_dir: str) -> str:
    """``zh_Hant`` (a gettext/Babel locale) as the BCP 47 tag ``zh-Hant``."""
    return locale_dir.replace("_", "-")


def locale_of(tag: str) -> str:
    """The BCP 47 tag ``zh-Hant`` as the gettext/Babel locale ``zh_Hant`` (dates, numbers, catalogue folder)."""
    return tag.replace("-", "_")


def _ui_languages() -> dict[str, str]:
    tags = sorted(tag_of(d.name) for d in LOCALE_DIR.iterdir() if (d / "LC_MESSAGES" / "messages.po").exists())
    # English first (the source language), then the others in the order of their tags
    tags.sort(key=lambda tag: tag != "en")
    return {tag: _SELF_NAMES.get(tag) or Locale.parse(locale_of(tag)).get_display_name() or tag for tag in tags}


UI_LANGUAGES: dict[str, str] = _ui_languages()
_BY_LOWER = {tag.lower(): tag for tag in UI_LANGUAGES}


def N_(message: str) -> str:
    """Mark a string for the catalogue where it is translated later, when a page renders it."""
    return message


class Text(str):
    """Interface text filled in English that keeps its template and values, so that it can be said again in the
    reader's language: a problem in a list, or a message inside another message. It is a ``str`` (the English), so a
    console, a log or a check that reads English keeps working."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Text:
        self = super().__new__(cls, template % _values("en", params) if params else template)
        self.template = template
        self.params = params
        return self

    def localize(self, language: str) -> str:
        return say(language, self.template, self.params)


class Listed(tuple[str, ...]):
    """Several messages as one value of a message ("problem one; problem two"), each ``Text`` in the reader's
    language; ``Listed(names, separator=", ")`` for a list of words inside a sentence."""

    separator: str

    def __new__(cls, items: Iterable[str] = (), /, *, separator: str = "; ") -> Listed:
        self = super().__new__(cls, items)
        self.separator = separator
        return self

    def __str__(self) -> str:
        return self.separator.join(self)

    def localize(self, language: str) -> str:
        return self.separator.join(m.localize(language) if isinstance(m, Text | Listed) else m for m in self)


def say(language: str, template: str, params: dict[str, Any] | None = None) -> str:
    """A marked template in a language, filled with its values (those that are ``Text`` said in it too)."""
    text = translations(language).gettext(template)
    if not params:
        return text
    return text % _values(language, params)


def _values(language: str, params: dict[str, Any]) -> dict[str, Any]:
    """A message's values as its reader reads them: a ``Text`` (a status word, another message) in her language, a
    date as her language writes it (31 mar 2026, 2026年3月31日) rather than ISO's 2026-03-31."""
    return {k: _value(language, v) for k, v in params.items()}


def _value(language: str, value: Any) -> Any:
    if isinstance(value, Text | Listed):
        return value.localize(language)
    if isinstance(value, datetime):
        return gettext_callables(language)["moment"](value)
    if isinstance(value, date):
        return format_date(value, "medium", locale=locale_of(language))
    return value


def localized(message: str, language: str) -> str:
    """A message as a page shows it: ``Text`` in the reader's language, other marked text through the catalogue."""
    return message.localize(language) if isinstance(message, Text) else translations(language).gettext(message)


@cache
def translations(language: str) -> NullTranslations:
    po = LOCALE_DIR / locale_of(language) / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale_of(language))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def base_language(tag: str) -> str:
    return tag.split("-")[0].lower()


def ui_language(tag: str | None) -> str | None:
    """The interface language that serves ``tag`` (``es-MX`` -> ``es``, ``zh-TW`` -> ``zh-Hant``), or None."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    for end in range(len(parts), 0, -1):  # zh-hant-tw, then zh-hant, then zh
        prefix = "-".join(parts[:end])
        for candidate in (prefix, _ALIASES.get(prefix, "").lower()):
            if candidate in _BY_LOWER:
                return _BY_LOWER[candidate]
    return None


def parse_accept_language(header: str) -> list[str]:
    weighted = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for *_, tag in sorted(weighted)]


def choose_language(
    *, cookie: str | None, preferred: str | None, accept_language: str | None, default: str = "en"
) -> str:
    candidates = [cookie, preferred, *parse_accept_language(accept_language or "")]
    for candidate in candidates:
        chosen = ui_language(candidate)
        if chosen:
            return chosen
    return ui_language(default) or "en"


def request_language(request: Any) -> str:
    cached = request.scope.get("lms_language")
    if cached:
        return cached
    user = request.scope.get("user")
    language = choose_language(
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        preferred=user.language if user else None,
        accept_language=request.headers.get("accept-language"),
        default=request.app.state.settings.default_language,
    )
    request.scope["lms_language"] = language
    return language


def set_request_language(request: Any, language: str) -> None:
    """This request speaks ``language`` (a page whose subject decides it: a certificate, a reset link's holder)."""
    request.scope["lms_language"] = language


@cache
def gettext_callables(language: str) -> dict[str, Callable[..., str]]:
    """``_("...", name=value)`` and ``ngettext`` in a language, as templates and Python code that draws text use them."""
    catalog = translations(language)

    def gettext(message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        return catalog.ngettext(singular, plural, n) % variables

    locale = locale_of(language)
    datetime_pattern = Locale.parse(locale).datetime_formats["medium"]

    def day(value: date | datetime | None) -> str:
        """A date as people write it in this language (7 dic 2026, 2026年12月7日); a timestamp's day in California."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(clinic_time.ZONE).date() if value.tzinfo else value.date()
        return format_date(value, "medium", locale=locale)

    def moment(value: datetime | None) -> str:
        """A date and time (to the minute) in California, in this language's order: "{time} {date}" or the reverse."""
        if value is None:
            return ""
        local = value.astimezone(clinic_time.ZONE) if value.tzinfo else value
        return str(datetime_pattern).format(
            format_time(local, "short", locale=locale), format_date(local.date(), "medium", locale=locale)
        )

    def clock(value: datetime | None) -> str:
        """A time of day in California, as this language writes it (9:30 AM, 9:30, 上午9:30)."""
        if value is None:
            return ""
        return format_time(value.astimezone(clinic_time.ZONE) if value.tzinfo else value, "short", locale=locale)

    def month(value: date | None) -> str:
        """A calendar month as this language names it (Dec 2026, dic 2026, 2026年12月)."""
        return format_skeleton("yMMM", value, locale=locale) if value else ""

    def number(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    return {
        "gettext": gettext,
        "_": gettext,
        "ngettext": ngettext,
        "day": day,
        "moment": moment,
        "clock": clock,
        "month": month,
        "number": number,
        "localized": lambda message: localized(message, language),
    }


def gettext_for(language: str) -> Callable[..., str]:
    return gettext_callables(language)["gettext"]
