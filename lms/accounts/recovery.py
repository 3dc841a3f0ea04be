"""Signing in and getting back in: throttled sign-in, change password, reset by e-mailed link, SMS code or a code a
clinic admin issues, and ending sessions.

Throttling never keeps the owner out. Failures are counted per account and per client address. An address with too
many failures is refused outright (an attacker's machine). An account with too many failures is only *slowed*: each
try waits a few seconds before the password is even looked at, and then the right password still signs in; so an
attacker who knows a worker's email cannot lock her out, and cannot learn the answer sooner by hanging up early.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from typing import Any
from uuid import UUID

import asyncpg
from litestar.datastructures import State

from lms.accounts import recovery_queries as q
from lms.accounts.passwords import require_strong
from lms.accounts.queries import create_session
from lms.accounts.secrets import hash_password, token_hash, verify_password
from lms.audit.queries import record
from lms.deps import connection
from lms.errors import Invalid, NotFound, TooMany
from lms.i18n import N_
from lms.messages.service import send_message
from lms.settings import Settings

MAX_SLOWDOWN_SECONDS = 10.0
# An answer to "forgot my password" takes at least this long, found or not, so timing does not tell who has an account.
FORGOT_ANSWER_SECONDS = 0.4
# Reset codes are read over the phone: no 0/O, 1/I/L, no lower case; 12 characters, about 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
NOT_VALID = N_("This reset link or code is not valid: it was used already, it expired, or it was mistyped.")


def _key(value: str) -> bytes:
    return hashlib.sha256(value.strip().lower().encode()).digest()


def slowdown(failures: int, max_failures: int) -> float:
    """Seconds a try on an account waits after ``failures`` recent failures: none below the limit, then 1, 2, 3 ..."""
    if failures < max_failures:
        return 0.0
    return min(MAX_SLOWDOWN_SECONDS, float(failures - max_failures + 1))


async def sign_in(state: State, *, identifier: str, password: str, address: str) -> str:
    """A new session cookie value for the email or sign-in name and password, or Invalid / TooMany."""
    settings: Settings = state.settings
    identifier = identifier.strip().lower()
    account_key, address_key = _key(identifier), _key("address:" + address)
    async with connection(state) as conn:
        by_account, by_address = await q.recent_failures(conn, account_key, address_key)
    if by_address >= settings.login_max_failures_per_address:
        raise TooMany(N_("Too many failed sign-ins from this network. Wait 15 minutes and try again."))
    wait = slowdown(by_account, settings.login_max_failures)
    if wait:
        await asyncio.sleep(wait)  # no connection is held while waiting
    async with connection(state) as conn:
        found = await q.signin_row(conn, identifier)
        if not await verify_password(found["password_hash"] if found else None, password) or found is None:
            await q.record_failure(conn, account_key, address_key)
            raise Invalid(N_("That email and password do not match."), field="password")
        cookie = secrets.token_urlsafe(32)
        async with conn.transaction():
            await q.clear_account_failures(conn, account_key)
            await create_session(conn, token_hash(cookie), found["id"], settings.session_hours)
    return cookie


def _personal(row: Any) -> tuple[str, ...]:
    """What a password must not be built from: her own name, email and sign-in name."""
    values = [row.get("display_name"), row.get("email"), row.get("username")]
    if row.get("email"):
        values.append(row["email"].split("@")[0])
    return tuple(v for v in values if v)


async def _end_access(
    conn: asyncpg.Connection, user_id: UUID, *, end_sessions: bool, revoke_tokens: bool, keep: bytes | None
) -> None:
    if end_sessions:
        await q.end_sessions(conn, user_id, keep=keep)
    if revoke_tokens:
        await q.revoke_tokens(conn, user_id)


async def change_password(
    conn: asyncpg.Connection,
    settings: Settings,
    *,
    user: Any,
    current: str,
    new: str,
    end_sessions: bool,
    revoke_tokens: bool,
    keep_session: bytes | None,
) -> None:
    """Signed in: the current password proves it is her; other sessions and tokens end as she chose."""
    if not await verify_password(await q.password_hash(conn, user.id), current):
        raise Invalid(N_("Your current password is not right."), field="current_password")
    require_strong(
        new, personal=_personal({"display_name": user.display_name, "email": user.email}), field="new_password"
    )
    await q.set_password(conn, user.id, await hash_password(new))
    await _end_access(conn, user.id, end_sessions=end_sessions, revoke_tokens=revoke_tokens, keep=keep_session)
    await record(
        conn,
        actor_id=user.id,
        action="user.password_changed",
        subject=str(user.id),
        detail={"ended_sessions": end_sessions, "revoked_tokens": revoke_tokens},
    )
    await send_message(
        conn, settings, user_id=user.id, kind="password.changed", occasion=secrets.token_hex(8), params={}
    )


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def clean_code(typed: str) -> str:
    """What she typed, as stored: upper case, without the spaces and dashes that make it readable."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


async def request_reset(state: State, *, identifier: str) -> None:
    """Send a link (email) or a code (SMS) to whoever the email or sign-in name belongs to; the same answer, in the
    same time, whether or not anyone does."""
    started = time.monotonic()
    settings: Settings = state.settings
    identifier = identifier.strip().lower()
    async with connection(state) as conn, conn.transaction():
        found = await q.signin_row(conn, identifier) if identifier else None
        if found is not None and (found["email"] or found["phone"]):
            by_sms = not found["email"]
            secret = clean_code(new_code()) if by_sms else secrets.token_urlsafe(32)
            await q.create_reset(
                conn,
                user_id=found["id"],
                secret_hash=token_hash(secret),
                minutes=settings.password_reset_minutes,
                channel="sms" if by_sms else "email",
                issued_by=None,
            )
            base = settings.public_base_url.rstrip("/")
            if by_sms:
                params = {
                    "code": format_code(secret),
                    "minutes": settings.password_reset_minutes,
                    "link": f"{base}/password/code",
                }
            else:
                params = {"link": f"{base}/password/reset/{secret}", "minutes": settings.password_reset_minutes}
            await send_message(
                conn,
                settings,
                user_id=found["id"],
                kind="password.reset_code" if by_sms else "password.reset_link",
                occasion=secrets.token_hex(8),
                params=params,
                prefer="sms" if by_sms else "email",
            )
    await asyncio.sleep(max(0.0, FORGOT_ANSWER_SECONDS - (time.monotonic() - started)))


async def issue_code(conn: asyncpg.Connection, settings: Settings, *, admin: Any, user_id: UUID) -> str:
    """A one-time code a clinic admin reads to her worker over the phone: returned once, stored only as a hash."""
    member = await q.clinic_member(conn, admin_role=admin.role, admin_clinic=admin.clinic_id, user_id=user_id)
    if member is None:
        raise NotFound(N_("no such worker in your clinic"))
    code = new_code()
    await q.create_reset(
        conn,
        user_id=user_id,
        secret_hash=token_hash(code),
        channel="admin",
        minutes=settings.reset_code_hours * 60,
        issued_by=admin.id,
    )
    await record(conn, actor_id=admin.id, action="user.reset_code_issued", subject=str(user_id), detail={})
    return format_code(code)


async def reset_holder(conn: asyncpg.Connection, secret: str) -> Any:
    return await q.reset_holder(conn, token_hash(secret))


async def redeem(
    conn: asyncpg.Connection,
    *,
    secret: str,
    new: str,
    end_sessions: bool,
    revoke_tokens: bool,
) -> UUID:
    """Set a new password with an unused, unexpired link or code; the link or code is spent."""
    holder = await q.reset_holder(conn, token_hash(secret))
    if holder is None:
        raise Invalid(NOT_VALID, field="code")
    require_strong(new, personal=_personal(dict(holder)), field="new_password")
    user_id = await q.use_reset(conn, token_hash(secret))
    if user_id is None:  # spent by a request racing this one
        raise Invalid(NOT_VALID, field="code")
    await q.set_password(conn, user_id, await hash_password(new))
    await q.clear_account_failures(conn, _key(holder["email"] or holder["username"] or ""))
    await _end_access(conn, user_id, end_sessions=end_sessions, revoke_tokens=revoke_tokens, keep=None)
    await record(
        conn,
        actor_id=user_id,
        action="user.password_reset",
        subject=str(user_id),
        detail={"ended_sessions": end_sessions, "revoked_tokens": revoke_tokens},
    )
    return user_id


async def sign_out_everywhere(conn: asyncpg.Connection, *, user_id: UUID, revoke_tokens: bool) -> None:
    await _end_access(conn, user_id, end_sessions=True, revoke_tokens=revoke_tokens, keep=None)
    await record(
        conn,
        actor_id=user_id,
        action="user.signed_out_everywhere",
        subject=str(user_id),
        detail={"revoked_tokens": revoke_tokens},
    )
