"""One request straight into an ASGI app, as a server would hand it over, with no server or socket in between.

The in-process profile (profile.py) measures the app this way, and tests use it for what a test client cannot send,
such as a body arriving in pieces with no Content-Length.
"""

from __future__ import annotations

from typing import Any


def scope(method: str, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """An HTTP scope; the header ``x-client`` (if given) becomes the client address, as a proxy's X-Forwarded-For
    does for the server, and is not sent on."""
    path, _, query = path.partition("?")
    client = headers.pop("x-client", "127.0.0.1")
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": (client, 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes | list[bytes] = b""
) -> tuple[int, bytes, list[Any]]:
    """Status, body and headers of the answer. A list body arrives one piece per message; the pieces the app did not
    read before answering are left in the list."""
    pieces = body if isinstance(body, list) else [body]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        piece = pieces.pop(0) if pieces else b""
        return {"type": "http.request", "body": piece, "more_body": bool(pieces)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope(method, path, dict(headers)), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return (
        start["status"],
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
        start["headers"],
    )
