"""Audit records of viewings served from memory (kept clinic dashboards and credit lookups).

A request waits until its own record is stored, on a connection of its own: no page of workers' credit is sent whose
viewing was not recorded, and a failed write fails the request. (Records used to be gathered from concurrent
requests into one INSERT; the benchmark showed no target that needed it, so each is now one plain INSERT.)
"""

from __future__ import annotations

from litestar.datastructures import State

from lms.audit.queries import AuditEntry, record_many
from lms.deps import connection


class AuditWriter:
    """One per process, on ``app.state``."""

    def __init__(self, state: State) -> None:
        self._state = state

    async def record(self, entry: AuditEntry) -> None:
        async with connection(self._state) as conn:
            await record_many(conn, [entry])
