"""Account use cases that span several queries: logging in (with throttling), making users and tokens."""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

import asyncpg

from lms.accounts import queries
from lms.accounts.schemas import TokenCreated, UserCreate, UserOut
from lms.accounts.secrets import hash_password, new_token, token_hash, verify_password
from lms.audit.queries import record
from lms.errors import Invalid, NotFound, TooMany


def _email_key(email: str) -> bytes:
    return hashlib.sha256(email.strip().lower().encode()).digest()


async def login(conn: asyncpg.Connection, *, email: str, password: str, max_failures: int, session_hours: int) -> str:
    """Return a new session cookie value, or raise Invalid / TooMany. The cookie itself is never stored."""
    key = _email_key(email)
    if await queries.recent_failures(conn, key) >= max_failures:
        raise TooMany("Too many failed sign-ins for this email. Wait 15 minutes and try again.")
    found = await queries.login_row(conn, email.strip().lower())
    if not await verify_password(found[1] if found else None, password) or found is None:
        await queries.record_failure(conn, key)
        raise Invalid("That email and password do not match.", field="password")
    await queries.clear_failures(conn, key)
    cookie = secrets.token_urlsafe(32)
    await queries.create_session(conn, token_hash(cookie), found[0], session_hours)
    return cookie


async def create_user(conn: asyncpg.Connection, data: UserCreate, *, actor_id: UUID | None = None) -> UserOut:
    password_hash = await hash_password(data.password) if data.password else None
    user = await queries.create_user(
        conn, email=data.email, display_name=data.display_name, role=data.role, password_hash=password_hash,
        clinic=data.clinic, local=data.local, language=data.language,
    )
    await record(conn, actor_id=actor_id, action="user.created", subject=str(user.id), detail={"role": user.role})
    return user


async def create_token(conn: asyncpg.Connection, *, user_id: UUID, label: str) -> TokenCreated:
    token = new_token("lms")
    token_id, label = await queries.create_token(conn, user_id=user_id, token_hash=token_hash(token), label=label)
    return TokenCreated(id=token_id, label=label, token=token)


async def create_token_for_email(conn: asyncpg.Connection, *, email: str, label: str) -> TokenCreated:
    user_id = await queries.user_id_by_email(conn, email)
    if user_id is None:
        raise NotFound(f"no user with email {email!r}", field="email")
    return await create_token(conn, user_id=user_id, label=label)


async def change_role(conn: asyncpg.Connection, *, actor_id: UUID, user_id: UUID, role: str) -> UserOut:
    user = await queries.set_role(conn, user_id=user_id, role=role)
    if user is None:
        raise NotFound("no such user")
    await record(conn, actor_id=actor_id, action="user.role_changed", subject=str(user_id), detail={"role": role})
    return user
