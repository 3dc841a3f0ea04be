"""The worker's own pages record statements through the LRS (lms.xapi), completion included, in the page's transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.learning.completion import completion_listener
from lms.xapi import service
from lms.xapi.callers import person
from lms.xapi.validation import V1


async def record_statements(
    conn: asyncpg.Connection, statements: list[Any], *, user: CurrentUser, base_url: str
) -> list[str]:
    """Check and store the worker's statements and record what they complete, in a savepoint of the caller's
    transaction: a refused batch (a repeat with other content) leaves the caller's transaction usable."""
    caller = person(user, base_url)
    rows = service.check_batch(statements, version=V1, base_url=base_url, caller=caller)
    async with conn.transaction():
        await service.store(conn, rows, caller=caller, base_url=base_url, listeners=[completion_listener(base_url)])
    return [r["id"] for r in rows]
