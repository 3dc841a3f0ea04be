"""The SQL of an enrolment's life after it starts (lms/learning/lifecycle.py): ending it, moving it to another
version, carrying done activities across."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser

# Who may end a worker's enrolment: a program admin, an owner or co-author of the course, or an instructor who runs a
# session of its version the worker registered for or attended. $2 is the actor, $3 their role.
_MAY_UNENROL = """($3 = 'program_admin'
     OR EXISTS (SELECT 1 FROM course_owners o WHERE o.course_id = e.course_id AND o.user_id = $2)
     OR EXISTS (SELECT 1 FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
                WHERE a.version_id = e.version_id AND s.instructor_id = $2
                  AND (EXISTS (SELECT 1 FROM session_registrations r WHERE r.session_id = s.id AND r.user_id = e.user_id)
                       OR EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = s.id AND t.user_id = e.user_id))))"""


async def end_enrollment(
    conn: asyncpg.Connection, *, enrollment_id: UUID, actor: CurrentUser, reason: str
) -> Any | None:
    """End the open enrolment as unenrolled, if the actor may; its worker and version, or None."""
    return await conn.fetchrow(
        f"""UPDATE enrollments e SET ended_at = now(), ended_by = $2, end_kind = 'unenrolled', end_reason = $4
            WHERE e.id = $1 AND e.ended_at IS NULL AND {_MAY_UNENROL}
            RETURNING e.user_id, e.version_id""",
        enrollment_id,
        actor.id,
        actor.role,
        reason,
    )


async def lock_open_enrollment(conn: asyncpg.Connection, *, user_id: UUID, code: str) -> Any | None:
    """Her open enrolment in the course (id, version id and number, completion), locked: a racing move waits."""
    return await conn.fetchrow(
        """SELECT e.id, e.version_id, e.completed_at, v.version
           FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN course_versions v ON v.id = e.version_id
           WHERE e.user_id = $1 AND c.code = $2 AND e.ended_at IS NULL
           FOR NO KEY UPDATE OF e""",
        user_id,
        code,
    )


async def published_version(conn: asyncpg.Connection, *, code: str, version: int) -> Any | None:
    """The published version's id and number."""
    return await conn.fetchrow(
        """SELECT v.id, v.version FROM courses c JOIN course_versions v ON v.course_id = c.id
           WHERE c.code = $1 AND v.version = $2 AND v.status = 'published'""",
        code,
        version,
    )


async def open_enrollment_in_version(conn: asyncpg.Connection, *, user_id: UUID, version_id: UUID) -> UUID | None:
    found: UUID | None = await conn.fetchval(
        """SELECT e.id FROM enrollments e WHERE e.user_id = $1 AND e.version_id = $2 AND e.ended_at IS NULL""",
        user_id,
        version_id,
    )
    return found


async def end_as_moved(conn: asyncpg.Connection, *, enrollment_id: UUID, user_id: UUID) -> None:
    await conn.execute(
        "UPDATE enrollments SET ended_at = now(), ended_by = $2, end_kind = 'moved' WHERE id = $1",
        enrollment_id,
        user_id,
    )


async def open_self_enrollment(conn: asyncpg.Connection, *, user_id: UUID, version_id: UUID) -> UUID | None:
    """Her enrolment in the version, opened (or reopened, if she had one there); None if her account is inactive."""
    found: UUID | None = await conn.fetchval(
        """INSERT INTO enrollments (user_id, version_id, clinic_id, enrolled_by)
           SELECT u.id, $2, u.clinic_id, u.id FROM users u WHERE u.id = $1 AND u.active
           ON CONFLICT (user_id, version_id) DO UPDATE
               SET ended_at = NULL, ended_by = NULL, end_kind = NULL, end_reason = NULL, moved_to = NULL
           RETURNING id""",
        user_id,
        version_id,
    )
    return found


async def set_moved_to(conn: asyncpg.Connection, *, enrollment_id: UUID, moved_to: UUID) -> None:
    await conn.execute("UPDATE enrollments SET moved_to = $2 WHERE id = $1", enrollment_id, moved_to)


async def carry_progress(
    conn: asyncpg.Connection, *, from_enrollment: UUID, to_enrollment: UUID, to_version: UUID
) -> int:
    """Mark as done, in the new enrolment, every activity that is the same as one done in the old (same key, kind,
    minutes and published content); how many."""
    result = await conn.execute(
        """INSERT INTO carried_progress (enrollment_id, activity_id, from_enrollment_id, from_activity_id)
           SELECT $2, b.id, p.enrollment_id, a.id
           FROM activity_progress p
           JOIN version_activities a ON a.id = p.activity_id
           JOIN version_activities b ON b.version_id = $3 AND b.key = a.key AND b.kind = a.kind AND b.minutes = a.minutes
                                    AND b.body_html = a.body_html AND b.learner = a.learner
                                    AND b.answer_key IS NOT DISTINCT FROM a.answer_key
           WHERE p.enrollment_id = $1 AND p.done
           ON CONFLICT DO NOTHING""",
        from_enrollment,
        to_enrollment,
        to_version,
    )
    return int(result.rsplit(" ", 1)[1])
