"""Serving package files from the content origin: a host name of its own, so a package's scripts run, but never on
the service's origin or with its cookies (cookies are kept per host name).

A file's URL is ``{content origin}/content/{token}/{path in the package}``. The token is signed with the service's
secret and names the package, the launch it was made for and when it stops working: unguessable, launch-scoped, and
one path segment, so the package's relative links (``../images/a.png``) stay inside it. Nothing here reads a cookie
or sets one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit
from uuid import UUID

import msgspec
from botocore.exceptions import ClientError
from litestar import Request, Response, get
from litestar.concurrency import sync_to_thread
from litestar.exceptions import NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath
from litestar.response import Stream
from litestar.types import ASGIApp, Receive, Scope, Send

from lms.deps import Db, SettingsDep, StorageDep
from lms.packages.queries import package_prefix
from lms.settings import Settings
from lms.storage import Storage

CONTENT_PREFIX = "/content/"
CHUNK = 256 * 1024
# Types authoring tools ship that Python's table may lack or guess differently on another machine.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".vtt": "text/vtt",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".ico": "image/x-icon",
}


def _key(settings: Settings) -> bytes:
    return hashlib.sha256(b"lms package content\x00" + settings.secret_key.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_token(settings: Settings, *, package_id: UUID, scope: str, hours: float = 12) -> str:
    """A launch-scoped, expiring token for one package's files."""
    body = _b64(msgspec.json.encode([package_id.hex, scope, int(time.time() + hours * 3600)]))
    signature = _b64(hmac.new(_key(settings), body.encode(), hashlib.sha256).digest()[:18])
    return f"{body}.{signature}"


def read_token(settings: Settings, token: str) -> tuple[UUID, str] | None:
    """The package and scope of a valid, unexpired token; None for anything else."""
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(_key(settings), body.encode(), hashlib.sha256).digest()[:18])
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        package_hex, scope, expires = msgspec.json.decode(_unb64(body))
        package_id = UUID(hex=package_hex)
    except (ValueError, TypeError, msgspec.DecodeError):
        return None
    return (package_id, str(scope)) if expires > time.time() else None


def content_url(settings: Settings, *, package_id: UUID, path: str, scope: str, hours: float = 12) -> str:
    """The absolute URL, on the content origin, of a file of the package (``path`` relative to its root; a query
    string or fragment in it is kept)."""
    file_part, sep, rest = path.partition("?") if "?" in path else path.partition("#")
    return (
        f"{settings.content_origin_url}{CONTENT_PREFIX}{make_token(settings, package_id=package_id, scope=scope, hours=hours)}/"
        f"{quote(file_part.lstrip('/'), safe='/-_.~')}{sep}{rest}"
    )


def content_type(path: str) -> str:
    dot = path.rfind(".")
    suffix = path[dot:].lower() if dot >= 0 else ""
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def content_headers(settings: Settings) -> dict[str, str]:
    """The page may run its own scripts (inline too: authoring tools write them) and talk to the service's LRS; only
    the service's pages may frame it."""
    app = _origin(settings.public_base_url)
    return {
        "content-security-policy": "; ".join(
            [
                "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:",
                f"connect-src 'self' {app}",
                f"frame-ancestors 'self' {app}",  # the player, and the SCORM launch page around a SCO
                "base-uri 'self'",
                "object-src 'none'",
            ]
        ),
        "cross-origin-resource-policy": "same-origin",
        "referrer-policy": "no-referrer",
        "cache-control": "private, max-age=3600",
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _host(scope: Scope) -> str:
    for key, value in scope.get("headers", []):
        if key == b"host":
            return value.decode("latin-1").lower()
    return ""


class ContentOriginSplit(ASGIMiddleware):
    """The content origin answers only its own routes (handlers with ``opt={"content_origin": True}``), and those
    answer only there: a package page can never reach the service's pages on its own origin, nor a file be served
    on the service's."""

    def __init__(self) -> None:
        # The content origin's host, worked out again only when the app's Settings object changes: the property
        # parses the public URL, and this runs on every request (about 3 % of a certificate lookup's CPU).
        self._settings: Settings | None = None
        self._content_host = ""

    def content_host(self, settings: Settings) -> str:
        if settings is not self._settings:
            self._content_host = urlsplit(settings.content_origin_url).netloc.lower()
            self._settings = settings
        return self._content_host

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        wants_content = bool(handler and handler.opt.get("content_origin"))
        if (_host(scope) == self.content_host(scope["app"].state.settings)) != wants_content:
            raise NotFoundException()
        await next_app(scope, receive, send)


def _ranged(headers: Any, size: int) -> tuple[int, int] | None:
    """A single ``bytes=a-b`` range within the file (what media elements ask for); None for the whole file."""
    value = headers.get("range", "")
    if not value.startswith("bytes=") or "," in value:
        return None
    start_text, _, end_text = value[6:].partition("-")
    try:
        if start_text:
            start, end = int(start_text), int(end_text) if end_text else size - 1
        else:
            start, end = max(size - int(end_text), 0), size - 1
    except ValueError:
        return None
    return (start, min(end, size - 1)) if 0 <= start <= end and start < size else None


async def _chunks(body: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := await sync_to_thread(body.read, CHUNK):
            yield chunk
    finally:
        body.close()


@get(
    CONTENT_PREFIX + "{token:str}/{file_path:path}",
    operation_id="package_content_file",
    include_in_schema=False,
    opt={"content_origin": True},
)
async def package_file(
    request: Request[Any, Any, Any],
    db: Db,
    settings: SettingsDep,
    storage: StorageDep,
    token: FromPath[str],
    file_path: FromPath[str],
) -> Response[Any]:
    """One file of a package, streamed from the store (with byte ranges for media)."""
    granted = read_token(settings, token)
    path = file_path.lstrip("/")
    if granted is None or not path or ".." in path.split("/") or "\\" in path:
        raise NotFoundException()
    prefix = await package_prefix(db, package_id=granted[0])
    if prefix is None:
        raise NotFoundException()
    return await _serve(request, settings, storage, f"{prefix}{path}", path)


async def _serve(
    request: Request[Any, Any, Any], settings: Settings, storage: Storage, key: str, path: str
) -> Response[Any]:
    """Streamed through the service rather than redirected to the store: the file must be on the content origin, with
    its headers, for the package's relative links and scripts to work there."""
    head = await storage.head(key)
    if head is None:
        raise NotFoundException()
    size = int(head["ContentLength"])
    headers = {**content_headers(settings), "accept-ranges": "bytes"}
    wanted = _ranged(request.headers, size)
    if wanted:
        headers["content-range"] = f"bytes {wanted[0]}-{wanted[1]}/{size}"
    try:
        body, length = await storage.open(key, wanted)
    except ClientError:
        raise NotFoundException() from None
    headers["content-length"] = str(length)
    return Stream(_chunks(body), status_code=206 if wanted else 200, headers=headers, media_type=content_type(path))
