"""Rendering a page in the caller's language: every template gets the same few helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from html import escape
from typing import Any

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from litestar import MediaType, Request, Response
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup

from lms.accounts.schemas import ROLE_NAMES
from lms.i18n import UI_LANGUAGES, locale_of, request_language, translations


CLINIC_ZONE = ZoneInfo("America/Los_Angeles")  # the partnership's clinics are in California


@lru_cache(maxsize=None)
def _gettext_callables(language: str) -> dict[str, Any]:
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
            value = value.astimezone(CLINIC_ZONE).date() if value.tzinfo else value.date()
        return format_date(value, "medium", locale=locale)

    def moment(value: datetime | None) -> str:
        """A date and time (to the minute) in California, in this language's order: "{time} {date}" or the reverse."""
        if value is None:
            return ""
        local = value.astimezone(CLINIC_ZONE) if value.tzinfo else value
        return str(datetime_pattern).format(format_time(local, "short", locale=locale),
                                            format_date(local.date(), "medium", locale=locale))

    def number(value: float | int) -> str:
        return format_decimal(value, locale=locale)

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "day": day, "moment": moment, "number": number}


def page(request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context=_with_helpers(request, context), status_code=status, media_type=MediaType.HTML)


def _with_helpers(request: Request[Any, Any, Any], context: dict[str, Any]) -> dict[str, Any]:
    """The context every template gets: the caller's language and its gettext, the user, the path."""
    language = request_language(request)
    context.update(_gettext_callables(language))
    context.update(
        lang=language,
        ui_languages=UI_LANGUAGES,
        role_names=ROLE_NAMES,
        user=request.scope.get("user"),
        # from the scope, not request.url (building a URL object cost more than filling a kept page's slots)
        path=request.scope.get("root_path", "") + request.scope["path"],
        query=request.scope.get("query_string", b"").decode("latin-1"),
    )
    return context


# Pages kept whole. A visitor's page (no one signed in, no query string) is the same for everyone but for the CSRF
# token in its forms (the language switch); a signed-in worker's lesson page differs only in the token and a few parts
# that are theirs. Such pages are rendered once with *slots* where those go, kept as UTF-8 cut at the slots, and
# joined with what goes in them per request (one join of bytes: replacing markers in the text and encoding it again
# cost 20 to 70 microseconds a page).
SLOTS = ("csrf-token", "media", "learning", "statement", "statement_id", "user_id")
_CSRF_SLOT = "\x1bcsrf-token\x1b"
_SLOT_MARK = re.compile(b"\x1b(" + b"|".join(name.encode() for name in SLOTS) + b")\x1b")


@dataclass(frozen=True, slots=True)
class KeptPage:
    pieces: tuple[bytes, ...]  # the page's UTF-8 text, cut where its slots are: one piece more than slots
    slots: tuple[str, ...]  # which slot goes after each piece but the last

    @classmethod
    def of(cls, html: str) -> KeptPage:
        cut = _SLOT_MARK.split(html.encode())
        return cls(tuple(cut[0::2]), tuple(name.decode() for name in cut[1::2]))

    def fill(self, parts: dict[str, bytes]) -> bytes:
        out = [self.pieces[0]]
        for name, piece in zip(self.slots, self.pieces[1:]):
            out += (parts.get(name, b""), piece)
        return b"".join(out)


def slot(name: str) -> Markup:
    """A place in a kept page that ``serve_kept`` fills per request (pass it to the template instead of the part)."""
    if name not in SLOTS:
        raise ValueError(f"{name!r} is not one of the slots in lms.web.SLOTS")
    return Markup(f"\x1b{name}\x1b")


def _csrf_input(token: str) -> str:
    return f'<input type="hidden" name="_csrf_token" value="{token}" />'


def _csrf_token(request: Request[Any, Any, Any]) -> str:
    token = ScopeState.from_scope(request.scope).csrf_token
    return escape(token) if isinstance(token, str) else ""


def render_kept(request: Request[Any, Any, Any], template: str, **context: Any) -> KeptPage:
    """The whole page, to keep; ``serve_kept`` serves it with the caller's CSRF token and parts."""
    full = _with_helpers(request, context)
    full["csrf_input"] = _csrf_input(_CSRF_SLOT)
    return KeptPage.of(request.app.template_engine.engine.get_template(template).render(full))


def render_part(request: Request[Any, Any, Any], template: str, **context: Any) -> str:
    """One included template (a slot's content) for this request, with the context ``page()`` gives."""
    full = _with_helpers(request, context)
    full["csrf_input"] = _csrf_input(_csrf_token(request))
    return request.app.template_engine.engine.get_template(template).render(full)


def fill_kept(request: Request[Any, Any, Any], kept: KeptPage, **parts: str | bytes) -> bytes:
    """A kept page (or part) with the caller's CSRF token and these parts (text is put in as it is: escape it first)."""
    filled = {name: part.encode() if isinstance(part, str) else part for name, part in parts.items()}
    filled["csrf-token"] = _csrf_token(request).encode()
    return kept.fill(filled)


def serve_kept(request: Request[Any, Any, Any], kept: KeptPage, **parts: str | bytes) -> Response[bytes]:
    return Response(fill_kept(request, kept, **parts), media_type=MediaType.HTML)


def is_visitor_page(request: Request[Any, Any, Any], *queries: str) -> bool:
    """A request whose page may be served from what was kept for visitors: no one signed in, and no query string
    but the ones given (the page repeats its query in the language switch, so any other would be kept apart)."""
    query = request.scope.get("query_string", b"").decode("latin-1")
    return request.scope.get("user") is None and (not query or query in queries)
