"""The append-only audit log (a trigger refuses UPDATE and DELETE)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg


async def record(conn: asyncpg.Connection, *, actor_id: UUID | None, action: str, subject: str = "", detail: dict[str, Any] | None = None) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor_id, action, subject, detail) VALUES ($1, $2, $3, $4)",
        actor_id, action, subject, detail or {},
    )
