"""What every request to /xapi shares, before routing: version negotiation, CORS, HEAD, and 1.0.3's alternate syntax.

- ``X-Experience-API-Version`` is required (except on About): 1.0.x is answered as 1.0.3, 2.0.x as 2.0.0, anything
  else is 400. The answer carries the negotiated version; the handlers read it from ``scope["xapi_version"]``.
- CORS: content on other origins (the media bucket, a CDN) posts statements with an Authorization header, never
  with cookies, so any origin may call and read the xAPI headers.
- HEAD is answered as GET without the body (the same headers, Content-Length included).
- 1.0.3's alternate request syntax (`POST ...?method=PUT` with the headers and content as form fields, for clients
  that cannot send other methods or headers) is turned into the request it stands for; 2.0.0 dropped it (400).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec
from litestar.types import ASGIApp

from lms.xapi.validation import format_timestamp

# Raw ASGI dictionaries: this layer reads and rewrites scope and messages by key, which the TypedDict unions of
# litestar.types cannot describe (a copied scope, a replayed body), so they are plain mappings here.
Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


V1, V2 = "1.0.3", "2.0.0"
MAX_FORM = 2 * 1024 * 1024
MAX_CLIENTS = 1000
_FORM_HEADERS = {
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
}
_METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD"}
_CORS = [
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-expose-headers",
        b"ETag, Last-Modified, Content-Type, X-Experience-API-Version, X-Experience-API-Consistent-Through",
    ),
]
_PREFLIGHT = [
    (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, DELETE, OPTIONS"),
    (
        b"access-control-allow-headers",
        b"Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, Accept-Language",
    ),
    (b"access-control-max-age", b"86400"),
]


def negotiate(header: str | None) -> str | None:
    """The version this LRS speaks for a requested one, or None when it speaks none of it."""
    if header is None:
        return None
    parts = header.strip().split(".")
    if len(parts) in (2, 3) and all(p.isdigit() for p in parts):
        if parts[:2] == ["1", "0"]:
            return V1
        if parts[:2] == ["2", "0"]:
            return V2
    return None


def _header(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


async def _refuse(send: Send, status: int, detail: str, version: str) -> None:
    body = msgspec.json.encode({"type": "about:blank", "title": "Bad request", "status": status, "detail": detail})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-experience-api-version", version.encode()),
                *_CORS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class XapiProtocol:
    """Wraps the app's ASGI handler; requests outside /xapi pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        # a raw ASGI layer reads the scope as a plain mapping; Litestar types it as a TypedDict union
        self.app: Callable[[Scope, Receive, Send], Awaitable[None]] = app  # type: ignore[assignment]
        # The version each client (by its Authorization header) last spoke: a request that forgot the header is
        # refused in that client's dialect. Bounded: the oldest clients are forgotten first.
        self._spoken: OrderedDict[str, str] = OrderedDict()

    def _remember(self, client: str, version: str) -> None:
        self._spoken[client] = version
        self._spoken.move_to_end(client)
        if len(self._spoken) > MAX_CLIENTS:
            self._spoken.popitem(last=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/xapi/"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": [*_CORS, *_PREFLIGHT]})
            await send({"type": "http.response.body", "body": b""})
            return
        query = dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True))
        if "method" in query:
            alternate = await self._alternate(scope, receive, send, query)
            if alternate is None:
                return
            scope, receive = alternate
        requested = _header(scope, b"x-experience-api-version")
        version = negotiate(requested)
        client = _header(scope, b"authorization") or ""
        about = scope["path"].rstrip("/") == "/xapi/about"
        if version is None and not about:
            detail = (
                "the X-Experience-API-Version header is required (1.0.3 or 2.0.0)"
                if requested is None
                else f"X-Experience-API-Version {requested!r} is not supported; use 1.0.3 or 2.0.0"
            )
            await _refuse(send, 400, detail, self._spoken.get(client, V2))
            return
        if version is not None and client:
            self._remember(client, version)
        version = version or self._spoken.get(client, V2)
        head = scope["method"] == "HEAD"
        # The scope is changed in place: the request log around the app reads the route Litestar writes into it.
        scope["xapi_version"] = version
        # HEAD is routed as GET in a copy: the server reads the method from its own scope, and must still see HEAD
        # there (it sends no body for HEAD; told GET, it finds the body missing and breaks the connection).
        inner: Scope = {**scope, "method": "GET"} if head else scope
        statements_read = inner["method"] == "GET" and scope["path"].rstrip("/") == "/xapi/statements"

        async def send_xapi(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-experience-api-version"]
                headers += [(b"x-experience-api-version", version.encode()), *_CORS]
                if statements_read and not any(k.lower() == b"x-experience-api-consistent-through" for k, _ in headers):
                    # Every statement stored before now is readable now (one database, read-your-writes).
                    headers.append(
                        (b"x-experience-api-consistent-through", format_timestamp(datetime.now(UTC)).encode())
                    )
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(inner, receive, send_xapi)
        finally:
            if inner is not scope:  # what Litestar wrote into the copy (the route), for the request log
                scope.update({k: v for k, v in inner.items() if k != "method"})

    async def _alternate(
        self, scope: Scope, receive: Receive, send: Send, query: dict[str, str]
    ) -> tuple[Scope, Receive] | None:
        """The request a 1.0.3 alternate-syntax POST stands for, or None when it was refused (answered here)."""
        outer_version = negotiate(_header(scope, b"x-experience-api-version"))
        method = query["method"].upper()
        if scope["method"] != "POST" or len(query) > 1 or method not in _METHODS:
            await _refuse(send, 400, "the alternate request syntax is a POST whose only query parameter is method", V1)
            return None
        content_type = (_header(scope, b"content-type") or "").split(";")[0].strip().lower()
        body = await _read_body(receive)
        if body is None or content_type != "application/x-www-form-urlencoded":
            await _refuse(
                send, 400, "the alternate request syntax sends its fields as application/x-www-form-urlencoded", V1
            )
            return None
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        form_version = negotiate(form.get("X-Experience-API-Version"))
        if V2 in (outer_version, form_version):
            await _refuse(send, 400, "xAPI 2.0.0 has no alternate request syntax", V2)
            return None
        if method in ("PUT", "POST") and "content" not in form:
            await _refuse(send, 400, "the alternate request syntax carries the body in the form field content", V1)
            return None
        content = form.pop("content", "").encode()
        given = {name.lower(): value for name, value in form.items() if name.lower() in _FORM_HEADERS}
        params: dict[str, Any] = {name: value for name, value in form.items() if name.lower() not in _FORM_HEADERS}
        given.setdefault("content-type", "application/json")
        given["content-length"] = str(len(content))
        # The outer request's headers stay unless a form field replaces them; its Content-Type described the form.
        headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in given]
        headers += [(name.encode("latin-1"), value.encode("latin-1", "replace")) for name, value in given.items()]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": content, "more_body": False}

        scope.update(method=method, headers=headers, query_string=urlencode(params).encode())
        return scope, replay
