"""Bounds on what a request may carry before any handler sees it: the size of its headers, and text that is valid
UTF-8. (Integers are bounded by the aliases in lms.schemas, JSON nesting by msgspec's decoder: see lms.errors.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.errors import HeadersTooLarge, Invalid
from lms.i18n import N_

# A browser's headers (cookies, user agent, language) take a few kilobytes; common proxies refuse more than 8 KiB in
# one header line. Anything beyond is not a browser or API client this service serves.
MAX_HEADER_BYTES = 8 * 1024
MAX_HEADERS_BYTES = 32 * 1024
FORM = "application/x-www-form-urlencoded"


class HeaderLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        total = 0
        for name, value in scope["headers"]:
            size = len(name) + len(value)
            total += size
            if size > MAX_HEADER_BYTES or total > MAX_HEADERS_BYTES:
                header = name.decode("latin-1")[:64]
                raise HeadersTooLarge(
                    N_("The request header %(name)s is too large (at most %(each)s bytes each, %(all)s in all)."),
                    params={"name": header, "each": MAX_HEADER_BYTES, "all": MAX_HEADERS_BYTES},
                    field=header,
                )
        await next_app(scope, receive, send)


def _refuse_invalid_utf8(encoded: bytes, where: str) -> None:
    """Form and query values are percent-encoded UTF-8; decoding them leniently would store U+FFFD in place of what
    the person typed, so a value that is not UTF-8 is refused, naming its field."""
    for pair in encoded.split(b"&"):
        name, _, value = pair.partition(b"=")
        for part in (name, value):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                field = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")[:64]
                raise Invalid(
                    N_("%(field)s: the %(where)s value is not valid UTF-8 text."),
                    params={"field": field, "where": where},
                    field=field,
                ) from None


async def refuse_invalid_utf8(request: Request[Any, Any, Any]) -> None:
    """An app-wide before_request hook (it runs after routing and guards, before the handler reads its input)."""
    query: bytes = request.scope.get("query_string", b"")
    if query and not (query.isascii() and b"%" not in query):
        _refuse_invalid_utf8(query, "query")
    if request.method in ("POST", "PUT", "PATCH") and request.content_type[0] == FORM:
        body = await request.body()
        if not (body.isascii() and b"%" not in body):
            _refuse_invalid_utf8(body, "form")
