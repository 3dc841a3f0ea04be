"""The SQL of completion (lms/learning/completion.py): lock the open enrolments, record the completions that are due,
and withdraw the ones that no longer hold. Whether an enrolment's activities are all done is the `activity_progress`
view's answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg


async def lock_open_enrollments(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> list[UUID] | None:
    """Lock the ones not yet complete (in id order, so two callers never deadlock); their ids, or None if none.

    NO KEY UPDATE, not UPDATE: the progress rows just inserted hold KEY SHARE locks on the enrolment (their foreign
    keys), which FOR UPDATE would wait on, deadlocking two requests that each inserted progress first."""
    open_ids: list[UUID] | None = await conn.fetchval(
        """SELECT array_agg(id) FROM (
               SELECT e.id FROM enrollments e WHERE e.id = ANY($1::uuid[]) AND e.completed_at IS NULL
               ORDER BY e.id FOR NO KEY UPDATE) locked""",
        enrollment_ids,
    )
    return open_ids


async def record_due_completions(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> list[Any]:
    """Record a completion for each enrolment whose activities are all done (at most one each: the enrolment is the
    key); the recorded ones with what their `completed` statement names."""
    return await conn.fetch(
        """WITH due AS (
               SELECT e.id, e.user_id, e.version_id FROM enrollments e
               WHERE e.id = ANY($1::uuid[]) AND e.completed_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM activity_progress p WHERE p.enrollment_id = e.id AND NOT p.done)
           ), recorded AS (
               INSERT INTO completions (enrollment_id, user_id, version_id, statement_id)
               SELECT id, user_id, version_id, gen_random_uuid() FROM due
               ON CONFLICT (enrollment_id) DO NOTHING
               RETURNING enrollment_id, user_id, version_id, statement_id, completed_at
           ), marked AS (
               UPDATE enrollments e SET completed_at = r.completed_at FROM recorded r WHERE e.id = r.enrollment_id
           )
           SELECT r.enrollment_id, r.user_id, r.statement_id, r.completed_at, c.code, v.version, v.title
           FROM recorded r JOIN course_versions v ON v.id = r.version_id JOIN courses c ON c.id = v.course_id""",
        enrollment_ids,
    )


async def lock_completed(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> list[Any]:
    """The completed ones among these enrolments, locked, each with its `completed` statement and whether its
    activities are all still done."""
    return await conn.fetch(
        """SELECT e.id, e.user_id, c.statement_id,
                  NOT EXISTS (SELECT 1 FROM activity_progress p WHERE p.enrollment_id = e.id AND NOT p.done) AS still_done
           FROM enrollments e JOIN completions c ON c.enrollment_id = e.id
           WHERE e.id = ANY($1::uuid[]) ORDER BY e.id FOR NO KEY UPDATE OF e""",
        enrollment_ids,
    )


async def delete_completions(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> None:
    await conn.execute("DELETE FROM completions WHERE enrollment_id = ANY($1::uuid[])", enrollment_ids)


async def mark_incomplete(conn: asyncpg.Connection, enrollment_ids: list[UUID]) -> None:
    await conn.execute("UPDATE enrollments SET completed_at = NULL WHERE id = ANY($1::uuid[])", enrollment_ids)
