"""Interface languages (gettext catalogues read with Babel) and choosing a language per request.

Order: the explicit switch (a cookie, also saved to the profile), the user's preferred language, Accept-Language,
then the default. Catalogues are compiled in memory at start, so no generated .mo files live in git.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
UI_LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
LANGUAGE_COOKIE = "lms_lang"


def N_(message: str) -> str:
    """Mark a string for the catalogue where it is translated later, when a page renders it."""
    return message


@cache
def translations(language: str) -> NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def base_language(tag: str) -> str:
    return tag.split("-")[0].lower()


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


def choose_language(*, cookie: str | None, preferred: str | None, accept_language: str | None, default: str = "en") -> str:
    candidates = [cookie, preferred, *parse_accept_language(accept_language or "")]
    for candidate in candidates:
        if candidate and base_language(candidate) in UI_LANGUAGES:
            return base_language(candidate)
    return default if default in UI_LANGUAGES else "en"


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

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


def gettext_for(language: str) -> Callable[..., str]:
    return gettext_callables(language)["gettext"]
