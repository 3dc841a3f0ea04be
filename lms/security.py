"""Security headers on every response: a Content-Security-Policy without inline scripts, no framing, no sniffing.

Media and uploads go straight between the browser and the object store, so its origin is allowed for media, images,
fetch and form posts, and nothing else.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from lms.settings import Settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(settings: Settings) -> str:
    store = _origin(settings.s3_public_endpoint_url or settings.s3_endpoint_url)
    extra = f" {store}" if store else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{extra}",
            f"media-src 'self'{extra}",
            f"connect-src 'self'{extra}",
            f"form-action 'self'{extra}",
            f"frame-src {_origin(settings.content_origin_url)}",  # imported packages play in a frame of their own origin
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """The headers every response carries, pages, API answers, files and errors alike (the outermost wrapper,
    lms.observability.logs.RequestLog, adds each one the response does not set itself)."""
    headers = {
        "content-security-policy": content_security_policy(settings),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
        "cross-origin-opener-policy": "same-origin",
    }
    if settings.cookie_secure:
        headers["strict-transport-security"] = "max-age=31536000"
    return [(k.encode(), v.encode()) for k, v in headers.items()]
