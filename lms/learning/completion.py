"""Completion per course version, computed on the server and recorded exactly once.

The rule (in the spirit of cmi5's moveOn) lives in the `activity_progress` view: every activity is required; lessons
completed, quizzes passed at their mark, in-person sessions attended for at least the version's share of minutes,
skills signed off. A completion is a row whose primary key is the enrolment, so racing requests, replicas or retries
record one; the winner emits the `completed` statement and calls the listeners, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

import asyncpg

from lms.learning import completion_queries, xapi
from lms.xapi.service import StatementListener, store_trusted

CompletionListener = Callable[[asyncpg.Connection, UUID], Awaitable[None]]

# Other features register here (the credit feature issues the certificate). Each is awaited once per completion,
# inside the transaction that recorded it: if one raises, the completion is not recorded either.
on_completed: list[CompletionListener] = []


async def complete_if_done(conn: asyncpg.Connection, enrollment_ids: list[UUID], *, base_url: str) -> list[UUID]:
    """Record the completions that are due among these enrolments; return the ones recorded now."""
    # Lock first, then look: a request racing on another activity of the same enrolment waits here and, once the
    # other commits, sees its progress (READ COMMITTED takes a new snapshot for the next statement).
    open_ids = await completion_queries.lock_open_enrollments(conn, enrollment_ids)
    if not open_ids:
        return []
    rows = await completion_queries.record_due_completions(conn, open_ids)
    for row in rows:
        statement = xapi.build_statement(
            base_url=base_url,
            user_id=row["user_id"],
            verb="completed",
            code=row["code"],
            version=row["version"],
            key=None,
            title=row["title"],
            registration=row["enrollment_id"],
            statement_id=row["statement_id"],
            timestamp=row["completed_at"],
            result={"completion": True, "success": True},
        )
        await store_trusted(conn, statement, base_url=base_url)
        for listener in on_completed:
            await listener(conn, row["enrollment_id"])
    return [r["enrollment_id"] for r in rows]


def completion_listener(base_url: str) -> StatementListener:
    """What the LRS calls after storing statements that may finish an enrolment's activities (wired in create_app)."""

    async def complete(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> None:
        await complete_if_done(conn, enrollment_ids, base_url=base_url)

    return complete


# Called when a record a completion rests on was corrected (attendance, a withdrawn approval ...), inside that
# transaction, once per enrolment that was complete before: (conn, enrollment_id, still_complete, actor_id, reason).
# The credit feature supersedes or revokes the certificate here.
CorrectionListener = Callable[[asyncpg.Connection, UUID, bool, UUID | None, str], Awaitable[None]]
on_corrected: list[CorrectionListener] = []


async def reevaluate(
    conn: asyncpg.Connection,
    enrollment_ids: list[UUID],
    *,
    actor_id: UUID | None,
    reason: str,
    base_url: str,
) -> list[UUID]:
    """After a correction: complete what is now due, withdraw the completions that no longer hold (their `completed`
    statement is voided), and tell the listeners about every enrolment that was complete. Returns the withdrawn ones."""
    if not enrollment_ids:
        return []
    newly = set(await complete_if_done(conn, enrollment_ids, base_url=base_url))
    rows = await completion_queries.lock_completed(conn, enrollment_ids)
    withdrawn = [r for r in rows if not r["still_done"]]
    if withdrawn:
        ids = [r["id"] for r in withdrawn]
        await completion_queries.delete_completions(conn, ids)
        await completion_queries.mark_incomplete(conn, ids)
        for r in withdrawn:
            await store_trusted(
                conn,
                xapi.voiding_statement(base_url=base_url, user_id=r["user_id"], voids=r["statement_id"]),
                base_url=base_url,
            )
    for r in rows:
        if r["id"] in newly:
            continue
        for listener in on_corrected:
            await listener(conn, r["id"], r["still_done"], actor_id, reason)
    return [r["id"] for r in withdrawn]
