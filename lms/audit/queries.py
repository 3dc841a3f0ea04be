"""The append-only audit log (a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec


class AuditEntry(msgspec.Struct, frozen=True):
    actor_id: UUID | None
    action: str
    subject: str = ""
    detail: dict[str, Any] = {}


async def record(
    conn: asyncpg.Connection,
    *,
    actor_id: UUID | None,
    action: str,
    subject: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    await record_many(conn, [AuditEntry(actor_id=actor_id, action=action, subject=subject, detail=detail or {})])


async def record_many(conn: asyncpg.Connection, entries: list[AuditEntry]) -> None:
    """Several records in one statement, in the order given (lms.audit.writer). The entries go as one JSON value."""
    await conn.execute(
        """INSERT INTO audit_log (actor_id, action, subject, detail)
           SELECT e.actor_id, e.action, e.subject, e.detail
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (actor_id uuid, action text, subject text, detail jsonb))
                WITH ORDINALITY AS e(actor_id, action, subject, detail, n)
           ORDER BY e.n""",
        entries,
    )
