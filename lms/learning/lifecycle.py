"""An enrolment's life after it starts: an instructor unenrols a worker, or the worker moves to a newer version of
the course. Nothing is deleted: the ended enrolment keeps its records and its certificate, and at most one enrolment
per worker and course is open (a unique index, migration 0090; a race that would open a second one is a 409).

Progress is carried to the new version activity by activity, where the activity is the same: same key, same kind,
same minutes and the same content (lesson text, quiz questions and answer key, session or skill description, all
compared as published). A retitled activity with unchanged content is the same; anything else is new work. Moving
from a completed enrolment is taking the new version afresh: nothing is carried (the completion stands).
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_
from lms.learning.completion import complete_if_done

# Who may end a worker's enrolment: a program admin, an owner or co-author of the course, or an instructor who runs a
# session of its version the worker registered for or attended. $2 is the actor, $3 their role.
_MAY_UNENROL = """($3 = 'program_admin'
     OR EXISTS (SELECT 1 FROM course_owners o WHERE o.course_id = e.course_id AND o.user_id = $2)
     OR EXISTS (SELECT 1 FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
                WHERE a.version_id = e.version_id AND s.instructor_id = $2
                  AND (EXISTS (SELECT 1 FROM session_registrations r WHERE r.session_id = s.id AND r.user_id = e.user_id)
                       OR EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = s.id AND t.user_id = e.user_id))))"""


async def unenrol(conn: asyncpg.Connection, *, actor: CurrentUser, enrollment_id: UUID, reason: str) -> None:
    """End a worker's open enrolment, with a reason (audit-logged). Her records stay; she may enrol again later."""
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise Invalid(N_("Give a reason (3 to 500 characters)."), field="reason")
    row = await conn.fetchrow(
        f"""UPDATE enrollments e SET ended_at = now(), ended_by = $2, end_kind = 'unenrolled', end_reason = $4
            WHERE e.id = $1 AND e.ended_at IS NULL AND {_MAY_UNENROL}
            RETURNING e.user_id, e.version_id""",
        enrollment_id,
        actor.id,
        actor.role,
        reason,
    )
    if row is None:
        raise NotFound(N_("No open enrolment of a course you teach."), field="enrollment_id")
    await record(
        conn,
        actor_id=actor.id,
        action="enrollment.unenrolled",
        subject=str(enrollment_id),
        detail={"worker": str(row["user_id"]), "version": str(row["version_id"]), "reason": reason},
    )


async def move(conn: asyncpg.Connection, *, user: CurrentUser, code: str, to_version: int, base_url: str) -> UUID:
    """Move the caller's open enrolment in this course to another published version; returns the new enrolment.
    Asked twice (a double tap), the second finds her already there and changes nothing."""
    # Lock her open enrolment first: a second move racing this one waits, then finds it ended.
    current = await conn.fetchrow(
        """SELECT e.id, e.version_id, e.completed_at, v.version
           FROM enrollments e JOIN courses c ON c.id = e.course_id JOIN course_versions v ON v.id = e.version_id
           WHERE e.user_id = $1 AND c.code = $2 AND e.ended_at IS NULL
           FOR NO KEY UPDATE OF e""",
        user.id,
        code,
    )
    target = await conn.fetchrow(
        """SELECT v.id, v.version FROM courses c JOIN course_versions v ON v.course_id = c.id
           WHERE c.code = $1 AND v.version = $2 AND v.status = 'published'""",
        code,
        to_version,
    )
    if target is None:
        raise NotFound(
            N_("There is no published version %(version)s of this course."),
            params={"version": to_version},
            field="version",
        )
    if current is None:
        already = await conn.fetchval(
            """SELECT e.id FROM enrollments e WHERE e.user_id = $1 AND e.version_id = $2 AND e.ended_at IS NULL""",
            user.id,
            target["id"],
        )
        if already is not None:
            return already
        raise NotFound(N_("You are not enrolled in this course."), field="code")
    if current["version_id"] == target["id"]:
        return current["id"]
    await conn.execute(
        "UPDATE enrollments SET ended_at = now(), ended_by = $2, end_kind = 'moved' WHERE id = $1",
        current["id"],
        user.id,
    )
    new_id = await conn.fetchval(
        """INSERT INTO enrollments (user_id, version_id, clinic_id, enrolled_by)
           SELECT u.id, $2, u.clinic_id, u.id FROM users u WHERE u.id = $1 AND u.active
           ON CONFLICT (user_id, version_id) DO UPDATE
               SET ended_at = NULL, ended_by = NULL, end_kind = NULL, end_reason = NULL, moved_to = NULL
           RETURNING id""",
        user.id,
        target["id"],
    )
    if new_id is None:
        raise Conflict(N_("This account cannot enrol."), field="user")
    await conn.execute("UPDATE enrollments SET moved_to = $2 WHERE id = $1", current["id"], new_id)
    carried = 0
    if current["completed_at"] is None:
        carried = await _carry(conn, from_enrollment=current["id"], to_enrollment=new_id, to_version=target["id"])
    await record(
        conn,
        actor_id=user.id,
        action="enrollment.moved",
        subject=str(new_id),
        detail={
            "course": code,
            "from_version": current["version"],
            "to_version": to_version,
            "from_enrollment": str(current["id"]),
            "carried": carried,
        },
    )
    await complete_if_done(conn, [new_id], base_url=base_url)
    return new_id


async def _carry(conn: asyncpg.Connection, *, from_enrollment: UUID, to_enrollment: UUID, to_version: UUID) -> int:
    """Mark as done, in the new enrolment, every activity that is the same as one done in the old (see the module)."""
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
