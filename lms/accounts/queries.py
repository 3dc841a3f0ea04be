"""Accounts SQL. Each function is one round trip."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.callers import callers_changed
from lms.accounts.schemas import Clinic, CurrentUser, PersonLine, ProfileDetails, TokenOut, UnionLocal, UserOut
from lms.errors import Conflict, Invalid
from lms.i18n import N_

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
_USER_COLUMNS = "u.id, u.email, u.display_name, u.role, u.clinic_id, u.local_id, u.language"


async def user_by_session(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> CurrentUser | None:
    row = await conn.fetchrow(
        f"""SELECT {_USER_COLUMNS} FROM user_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = $1 AND s.expires_at > now() AND u.active""",
        token_hash,
    )
    return msgspec.convert(dict(row), CurrentUser) if row else None


async def user_by_api_token(conn: asyncpg.Connection | asyncpg.Pool, token_hash: bytes) -> CurrentUser | None:
    row = await conn.fetchrow(
        f"""SELECT {_USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active""",
        token_hash,
    )
    return msgspec.convert(dict(row), CurrentUser) if row else None


async def create_session(conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, hours: int) -> None:
    await conn.execute(
        """WITH gone AS (DELETE FROM user_sessions WHERE user_id = $2 AND expires_at < now())
           INSERT INTO user_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + make_interval(hours => $3))""",
        token_hash,
        user_id,
        hours,
    )


async def delete_session(conn: asyncpg.Connection, token_hash: bytes) -> None:
    await conn.execute("DELETE FROM user_sessions WHERE token_hash = $1", token_hash)
    callers_changed()


async def create_clinic(conn: asyncpg.Connection, *, slug: str, name: str) -> Clinic:
    try:
        row = await conn.fetchrow(
            "INSERT INTO clinics (slug, name) VALUES ($1, $2) RETURNING id, slug, name", slug, name
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            N_("a clinic with slug '%(slug)s' exists already"), params={"slug": slug}, field="slug"
        ) from None
    return msgspec.convert(dict(row), Clinic)


async def create_local(conn: asyncpg.Connection, *, slug: str, name: str) -> UnionLocal:
    try:
        row = await conn.fetchrow(
            "INSERT INTO union_locals (slug, name) VALUES ($1, $2) RETURNING id, slug, name", slug, name
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            N_("a union local with slug '%(slug)s' exists already"), params={"slug": slug}, field="slug"
        ) from None
    return msgspec.convert(dict(row), UnionLocal)


async def list_clinics(conn: asyncpg.Connection) -> list[Clinic]:
    rows = await conn.fetch("SELECT id, slug, name FROM clinics ORDER BY name")
    return [msgspec.convert(dict(r), Clinic) for r in rows]


async def list_locals(conn: asyncpg.Connection) -> list[UnionLocal]:
    rows = await conn.fetch("SELECT id, slug, name FROM union_locals ORDER BY name")
    return [msgspec.convert(dict(r), UnionLocal) for r in rows]


_USER_OUT = "id, email, display_name, role, clinic_id, local_id, language, active"


async def create_user(
    conn: asyncpg.Connection,
    *,
    email: str | None,
    display_name: str,
    role: str,
    password_hash: str | None,
    clinic: str | None,
    local: str | None,
    language: str,
    username: str | None = None,
    phone: str | None = None,
) -> UserOut:
    try:
        row = await conn.fetchrow(
            f"""INSERT INTO users (email, display_name, role, password_hash, clinic_id, local_id, language, username, phone)
                SELECT $1, $2, $3, $4, c.id, l.id, $7, $8, $9
                FROM (SELECT 1) one
                LEFT JOIN clinics c ON c.slug = $5
                LEFT JOIN union_locals l ON l.slug = $6
                WHERE ($5::text IS NULL OR c.id IS NOT NULL) AND ($6::text IS NULL OR l.id IS NOT NULL)
                RETURNING {_USER_OUT}""",
            email.lower() if email else None,
            display_name,
            role,
            password_hash,
            clinic,
            local,
            language,
            username,
            phone,
        )
    except asyncpg.UniqueViolationError as exc:
        if "username" in (exc.constraint_name or ""):
            raise Conflict(
                N_("the sign-in name '%(username)s' is taken"), params={"username": username}, field="username"
            ) from None
        raise Conflict(
            N_("a user with email '%(email)s' exists already"), params={"email": email}, field="email"
        ) from None
    except asyncpg.CheckViolationError as exc:
        if exc.constraint_name == "users_can_sign_in":
            raise Invalid(N_("give an email or a sign-in name (username)"), field="email") from None
        raise Invalid(N_("workers and clinic admins belong to a clinic: give --clinic"), field="clinic") from None
    if row is None:
        raise Invalid(
            N_("no clinic '%(clinic)s' or union local '%(local)s'"),
            params={"clinic": clinic, "local": local},
            field="clinic" if clinic else "local",
        )
    return msgspec.convert(dict(row), UserOut)


async def list_users(
    conn: asyncpg.Connection, *, viewer: CurrentUser, role: str | None, limit: int, offset: int
) -> list[UserOut]:
    """Program admins see everyone; clinic admins only their clinic (enforced here, in the WHERE)."""
    rows = await conn.fetch(
        f"""SELECT {_USER_OUT} FROM users
            WHERE ($1::text = 'program_admin' OR clinic_id = $2)
              AND ($3::text IS NULL OR role = $3)
            ORDER BY display_name, id LIMIT $4 OFFSET $5""",
        viewer.role,
        viewer.clinic_id,
        role,
        limit,
        offset,
    )
    return [msgspec.convert(dict(r), UserOut) for r in rows]


async def get_user_for(conn: asyncpg.Connection, *, viewer: CurrentUser, user_id: UUID) -> UserOut | None:
    row = await conn.fetchrow(
        f"""SELECT {_USER_OUT} FROM users
            WHERE id = $1 AND ($2::text = 'program_admin' OR ($2::text = 'clinic_admin' AND clinic_id = $3) OR id = $4)""",
        user_id,
        viewer.role,
        viewer.clinic_id,
        viewer.id,
    )
    return msgspec.convert(dict(row), UserOut) if row else None


async def set_language(conn: asyncpg.Connection, user_id: UUID, language: str) -> None:
    await conn.execute("UPDATE users SET language = $2 WHERE id = $1", user_id, language)
    callers_changed()


async def set_role(conn: asyncpg.Connection, *, user_id: UUID, role: str) -> UserOut | None:
    try:
        row = await conn.fetchrow(f"UPDATE users SET role = $2 WHERE id = $1 RETURNING {_USER_OUT}", user_id, role)
    except asyncpg.CheckViolationError:
        raise Invalid(N_("workers and clinic admins belong to a clinic"), field="role") from None
    callers_changed()
    return msgspec.convert(dict(row), UserOut) if row else None


async def user_id_by_email(conn: asyncpg.Connection, email: str) -> UUID | None:
    return await conn.fetchval("SELECT id FROM users WHERE email = $1", email.lower())


async def create_token(conn: asyncpg.Connection, *, user_id: UUID, token_hash: bytes, label: str) -> tuple[UUID, str]:
    row = await conn.fetchrow(
        "INSERT INTO api_tokens (user_id, token_hash, label) VALUES ($1, $2, $3) RETURNING id, label",
        user_id,
        token_hash,
        label,
    )
    return row["id"], row["label"]


async def list_tokens(conn: asyncpg.Connection, *, user_id: UUID) -> list[TokenOut]:
    rows = await conn.fetch(
        "SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC", user_id
    )
    return [msgspec.convert(dict(r), TokenOut) for r in rows]


async def revoke_token(conn: asyncpg.Connection, *, user_id: UUID, token_id: UUID) -> datetime | None:
    callers_changed()
    return await conn.fetchval(
        """UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
           WHERE id = $1 AND user_id = $2 RETURNING revoked_at""",
        token_id,
        user_id,
    )


async def count_users(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM users")


async def set_contact(conn: asyncpg.Connection, *, user_id: UUID, email: str | None, phone: str | None) -> None:
    try:
        async with conn.transaction():  # a savepoint: the page that says what was wrong still reads from conn
            await conn.execute("UPDATE users SET email = $2, phone = $3 WHERE id = $1", user_id, email, phone)
    except asyncpg.UniqueViolationError:
        raise Conflict(N_("Another account uses this email address."), field="email") from None
    except asyncpg.CheckViolationError:
        raise Invalid(
            N_(
                "Keep your email: it is how you sign in. Ask your clinic's training coordinator for a "
                "sign-in name first."
            ),
            field="email",
        ) from None
    callers_changed()


async def profile_details(conn: asyncpg.Connection, user_id: UUID) -> ProfileDetails | None:
    row = await conn.fetchrow(
        """SELECT u.email, u.phone, u.username,
                  ARRAY(SELECT o.kind || ':' || o.channel FROM message_opt_outs o WHERE o.user_id = u.id) AS opted_out,
                  EXISTS (SELECT 1 FROM api_tokens t WHERE t.user_id = u.id) AS has_tokens
           FROM users u WHERE u.id = $1""",
        user_id,
    )
    return msgspec.convert(dict(row), ProfileDetails) if row else None


async def list_people(
    conn: asyncpg.Connection, *, viewer: CurrentUser, search: str, limit: int = 500
) -> list[PersonLine]:
    """The people page: a program admin sees everyone, a clinic admin her clinic's people (in the WHERE)."""
    rows = await conn.fetch(
        """SELECT u.id, u.display_name, u.email, u.username, u.phone, u.role, u.roster_id, u.active, u.deactivated_at,
                  c.name AS clinic
           FROM users u LEFT JOIN clinics c ON c.id = u.clinic_id
           WHERE ($1::text = 'program_admin' OR u.clinic_id = $2)
             AND ($3 = '' OR u.display_name ILIKE '%' || $3 || '%' OR u.email ILIKE '%' || $3 || '%'
                  OR u.username ILIKE '%' || $3 || '%' OR u.roster_id = $3)
           ORDER BY u.active DESC, u.display_name, u.id LIMIT $4""",
        viewer.role,
        viewer.clinic_id,
        search,
        limit,
    )
    return [msgspec.convert(dict(r), PersonLine) for r in rows]
