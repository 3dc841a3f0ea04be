"""The rotating attendance code: an HMAC of the session id and a 30-second window, shown as a QR code (SVG, made here).

A code is good for the window it was made in and the two before it, so a photo sent to someone at home is stale within
a minute and a half. Scanning it gives an arrival pass (the arrival time, signed) that survives signing in first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from datetime import UTC, datetime
from uuid import UUID

import segno

WINDOW_SECONDS = 30
WINDOWS_ACCEPTED = 3  # this window and the two before it
PASS_SECONDS = 15 * 60  # time to sign in after scanning


def _mac(secret: str, purpose: bytes, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose + b"|" + payload, hashlib.sha256).digest()[:12]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return None


def window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def attendance_token(secret: str, session_id: UUID, now: float | None = None) -> str:
    payload = session_id.bytes + struct.pack(">I", window(now))
    return _b64(payload + _mac(secret, b"attend", payload))


def read_attendance_token(secret: str, token: str, now: float | None = None) -> UUID | None:
    """The session id when the code is genuine and current; None otherwise."""
    data = _unb64(token) if len(token) < 100 else None
    if data is None or len(data) != 32:
        return None
    payload, mac = data[:20], data[20:]
    if not hmac.compare_digest(mac, _mac(secret, b"attend", payload)):
        return None
    made_in = struct.unpack(">I", payload[16:])[0]
    if not 0 <= window(now) - made_in < WINDOWS_ACCEPTED:
        return None
    return UUID(bytes=payload[:16])


def arrival_pass(secret: str, session_id: UUID, arrived_at: datetime, user_id: UUID | None = None) -> str:
    """Signed (session, arrival time[, user]): proof of having scanned a current code at that time."""
    payload = session_id.bytes + struct.pack(">d", arrived_at.timestamp()) + (user_id.bytes if user_id else b"")
    return _b64(payload + _mac(secret, b"arrival", payload))


def read_arrival_pass(secret: str, text: str, user_id: UUID, now: float | None = None) -> tuple[UUID, datetime] | None:
    data = _unb64(text) if len(text) < 200 else None
    if data is None or len(data) not in (24 + 12, 40 + 12):
        return None
    payload, mac = data[:-12], data[-12:]
    if not hmac.compare_digest(mac, _mac(secret, b"arrival", payload)):
        return None
    if len(payload) == 40 and payload[24:] != user_id.bytes:
        return None
    arrived = struct.unpack(">d", payload[16:24])[0]
    if not 0 <= (time.time() if now is None else now) - arrived <= PASS_SECONDS:
        return None
    return UUID(bytes=payload[:16]), datetime.fromtimestamp(arrived, UTC)


def qr_svg(url: str, title: str) -> str:
    """An inline SVG QR code (no script, no external request)."""
    return segno.make(url, error="m").svg_inline(scale=8, omitsize=True, title=title, border=4)
