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
from lms.learning import lifecycle_queries
from lms.learning.completion import complete_if_done


async def unenrol(conn: asyncpg.Connection, *, actor: CurrentUser, enrollment_id: UUID, reason: str) -> None:
    """End a worker's open enrolment, with a reason (audit-logged). Her records stay; she may enrol again later."""
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise Invalid(N_("Give a reason (3 to 500 characters)."), field="reason")
    row = await lifecycle_queries.end_enrollment(conn, enrollment_id=enrollment_id, actor=actor, reason=reason)
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
    current = await lifecycle_queries.lock_open_enrollment(conn, user_id=user.id, code=code)
    target = await lifecycle_queries.published_version(conn, code=code, version=to_version)
    if target is None:
        raise NotFound(
            N_("There is no published version %(version)s of this course."),
            params={"version": to_version},
            field="version",
        )
    if current is None:
        already = await lifecycle_queries.open_enrollment_in_version(conn, user_id=user.id, version_id=target["id"])
        if already is not None:
            return already
        raise NotFound(N_("You are not enrolled in this course."), field="code")
    if current["version_id"] == target["id"]:
        return current["id"]
    await lifecycle_queries.end_as_moved(conn, enrollment_id=current["id"], user_id=user.id)
    new_id = await lifecycle_queries.open_self_enrollment(conn, user_id=user.id, version_id=target["id"])
    if new_id is None:
        raise Conflict(N_("This account cannot enrol."), field="user")
    await lifecycle_queries.set_moved_to(conn, enrollment_id=current["id"], moved_to=new_id)
    carried = 0
    if current["completed_at"] is None:
        carried = await lifecycle_queries.carry_progress(
            conn, from_enrollment=current["id"], to_enrollment=new_id, to_version=target["id"]
        )
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
