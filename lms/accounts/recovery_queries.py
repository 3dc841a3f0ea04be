"""SQL of signing in and getting back in: failures by account and by address, passwords, resets, sessions."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from lms.accounts.callers import callers_changed


async def signin_row(conn: asyncpg.Connection, identifier: str) -> asyncpg.Record | None:
    """The active person an email or sign-in name belongs to."""
    return await conn.fetchrow(
        """SELECT id, password_hash, email, phone, username, display_name, language FROM users
           WHERE (email = $1 OR username = $1) AND active""",
        identifier,
    )


async def recent_failures(conn: asyncpg.Connection, account_key: bytes, address_key: bytes) -> tuple[int, int]:
    """Failed sign-ins in the last 15 minutes for this account and from this address."""
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE email_hash = $1) AS account, count(*) FILTER (WHERE address_hash = $2) AS address
           FROM login_failures WHERE (email_hash = $1 OR address_hash = $2) AND at > now() - interval '15 minutes'""",
        account_key,
        address_key,
    )
    return row["account"], row["address"]


async def record_failure(conn: asyncpg.Connection, account_key: bytes, address_key: bytes) -> None:
    await conn.execute(
        """WITH gone AS (DELETE FROM login_failures WHERE at < now() - interval '1 day')
           INSERT INTO login_failures (email_hash, address_hash) VALUES ($1, $2)""",
        account_key,
        address_key,
    )


async def clear_account_failures(conn: asyncpg.Connection, account_key: bytes) -> None:
    await conn.execute("DELETE FROM login_failures WHERE email_hash = $1", account_key)


async def password_hash(conn: asyncpg.Connection, user_id: UUID) -> str | None:
    return await conn.fetchval("SELECT password_hash FROM users WHERE id = $1 AND active", user_id)


async def set_password(conn: asyncpg.Connection, user_id: UUID, hashed: str) -> None:
    await conn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", user_id, hashed)


async def end_sessions(conn: asyncpg.Connection, user_id: UUID, *, keep: bytes | None = None) -> int:
    """End every browser session of this person but ``keep`` (the one asking); how many ended."""
    ended = await conn.fetchval(
        """WITH gone AS (DELETE FROM user_sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2 RETURNING 1)
           SELECT count(*) FROM gone""",
        user_id,
        keep,
    )
    callers_changed()
    return ended


async def revoke_tokens(conn: asyncpg.Connection, user_id: UUID) -> int:
    revoked = await conn.fetchval(
        """WITH gone AS (UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING 1)
           SELECT count(*) FROM gone""",
        user_id,
    )
    callers_changed()
    return revoked


async def create_reset(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    secret_hash: bytes,
    channel: str,
    minutes: int,
    issued_by: UUID | None,
) -> None:
    """A new reset secret; the person's earlier unused ones stop working (only the latest one sent is valid)."""
    await conn.execute(
        """WITH old AS (UPDATE password_resets SET used_at = now() WHERE user_id = $1 AND used_at IS NULL)
           INSERT INTO password_resets (user_id, secret_hash, channel, issued_by, expires_at)
           VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))""",
        user_id,
        secret_hash,
        channel,
        issued_by,
        minutes,
    )


async def reset_holder(conn: asyncpg.Connection, secret_hash: bytes) -> asyncpg.Record | None:
    """Whose reset this is, while it is unused and unexpired (the form is shown only then)."""
    return await conn.fetchrow(
        """SELECT u.id, u.email, u.username, u.display_name, u.language FROM password_resets r JOIN users u ON u.id = r.user_id
           WHERE r.secret_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.active""",
        secret_hash,
    )


async def use_reset(conn: asyncpg.Connection, secret_hash: bytes) -> UUID | None:
    """Spend the reset (once: the row is marked in the same statement that reads it)."""
    return await conn.fetchval(
        """UPDATE password_resets r SET used_at = now() FROM users u
           WHERE r.secret_hash = $1 AND r.used_at IS NULL AND r.expires_at > now() AND u.id = r.user_id AND u.active
           RETURNING r.user_id""",
        secret_hash,
    )


async def clinic_member(
    conn: asyncpg.Connection, *, admin_role: str, admin_clinic: UUID | None, user_id: UUID
) -> asyncpg.Record | None:
    """A person a clinic admin (her own clinic's workers) or a program admin (anyone) may issue a reset code for."""
    return await conn.fetchrow(
        """SELECT id, display_name, email, username FROM users
           WHERE id = $1 AND active AND ($2::text = 'program_admin' OR ($2::text = 'clinic_admin' AND clinic_id = $3
                 AND role = 'worker'))""",
        user_id,
        admin_role,
        admin_clinic,
    )
