"""Audit records of viewings served from memory, written together (lms/db/coalesce.py).

Every viewing of a kept clinic dashboard (lms.dashboard_cache) records who saw which workers. When many admins open
kept views at once (the start of a shift), their records go in one INSERT instead of one each. A request still waits
until its own record is stored: no page of workers' credit is sent whose viewing was not recorded, and a failed write
fails the request.
"""

from __future__ import annotations

import asyncpg

from lms.audit.queries import AuditEntry, record_many
from lms.db.coalesce import Coalescer


class AuditWriter(Coalescer[AuditEntry]):
    """A record the database refuses (an actor since deleted) fails only its own request."""

    max_weight = 200  # records per INSERT (each carries up to a page of worker ids)

    async def record(self, entry: AuditEntry) -> None:
        await self.submit(entry)

    async def write_together(self, conn: asyncpg.Connection, items: list[AuditEntry]) -> list[BaseException | None]:
        await record_many(conn, items)
        return [None] * len(items)

    async def write_one(self, conn: asyncpg.Connection, item: AuditEntry) -> None:
        await record_many(conn, [item])
