"""Messages SQL: writing a message once per occasion, claiming due ones for delivery, the outbox, opt-outs."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from lms.messages.schemas import OutboxLine, PendingMessage, Recipient

MAX_ATTEMPTS = 6


async def recipient(conn: asyncpg.Connection, user_id: UUID) -> Recipient | None:
    row = await conn.fetchrow(
        """SELECT u.id, u.email, u.phone, u.language,
                  coalesce(array_agg(o.kind || ':' || o.channel) FILTER (WHERE o.kind IS NOT NULL), '{}') AS opted_out
           FROM users u LEFT JOIN message_opt_outs o ON o.user_id = u.id
           WHERE u.id = $1 AND u.active GROUP BY u.id""",
        user_id,
    )
    return msgspec.convert(dict(row), Recipient) if row else None


async def insert_message(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    kind: str,
    occasion: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
) -> UUID | None:
    """The new message's id, or None when this person already has this occasion's message on this channel."""
    status = "kept" if channel == "outbox" else "pending"
    return await conn.fetchval(
        """INSERT INTO messages (user_id, kind, occasion, channel, language, subject, body, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (user_id, kind, occasion, channel) DO NOTHING RETURNING id""",
        user_id,
        kind,
        occasion,
        channel,
        language,
        subject,
        body,
        status,
    )


async def claim_due(conn: asyncpg.Connection, *, limit: int) -> list[PendingMessage]:
    """Due messages, locked for this transaction: another process looking at the same time skips them."""
    rows = await conn.fetch(
        """SELECT m.id, m.channel, u.email, u.phone, m.subject, m.body, m.attempts
           FROM messages m JOIN users u ON u.id = m.user_id
           WHERE m.status = 'pending' AND m.next_attempt_at <= now()
           ORDER BY m.next_attempt_at LIMIT $1
           FOR UPDATE OF m SKIP LOCKED""",
        limit,
    )
    return [msgspec.convert(dict(r), PendingMessage) for r in rows]


async def mark_sent(conn: asyncpg.Connection, message_id: UUID) -> None:
    # The text is dropped once it has gone: the log keeps that it was sent, and when.
    await conn.execute(
        """UPDATE messages SET status = 'sent', sent_at = now(), attempts = attempts + 1, body = NULL,
                  subject = NULL, last_error = NULL WHERE id = $1""",
        message_id,
    )


async def mark_failed_attempt(conn: asyncpg.Connection, message_id: UUID, error: str) -> None:
    """Try again later with a growing wait (1, 2, 4 ... minutes); after MAX_ATTEMPTS it is failed, in the outbox."""
    await conn.execute(
        """UPDATE messages SET attempts = attempts + 1, last_error = left($2, 300),
                  status = CASE WHEN attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                  next_attempt_at = now() + make_interval(mins => power(2, attempts)::int)
           WHERE id = $1""",
        message_id,
        error,
        MAX_ATTEMPTS,
    )


async def outbox(conn: asyncpg.Connection, *, limit: int = 200) -> list[OutboxLine]:
    """Kept and failed messages first (they need someone), then the latest sent ones."""
    rows = await conn.fetch(
        """SELECT m.id, m.created_at, m.kind, m.channel, m.status,
                  coalesce(u.display_name || ' (' || coalesce(u.email, u.phone, u.username, '') || ')', '') AS recipient,
                  c.name AS clinic, m.subject, m.body, m.attempts, m.last_error, m.sent_at
           FROM messages m JOIN users u ON u.id = m.user_id LEFT JOIN clinics c ON c.id = u.clinic_id
           ORDER BY (m.status IN ('kept', 'failed')) DESC, m.created_at DESC LIMIT $1""",
        limit,
    )
    return [msgspec.convert(dict(r), OutboxLine) for r in rows]


async def opt_outs(conn: asyncpg.Connection, user_id: UUID) -> list[str]:
    rows = await conn.fetch("SELECT kind || ':' || channel AS key FROM message_opt_outs WHERE user_id = $1", user_id)
    return [r["key"] for r in rows]


async def set_opt_outs(conn: asyncpg.Connection, user_id: UUID, keys: list[tuple[str, str]]) -> None:
    await conn.execute("DELETE FROM message_opt_outs WHERE user_id = $1", user_id)
    await conn.execute(
        """INSERT INTO message_opt_outs (user_id, kind, channel)
           SELECT $1, k, c FROM unnest($2::text[], $3::text[]) AS x(k, c)""",
        user_id,
        [k for k, _ in keys],
        [c for _, c in keys],
    )
