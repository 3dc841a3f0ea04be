"""Skills checkoffs: an instructor signs off a worker's hands-on skill (date, instructor, note), once per enrolment."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import NotFound
from lms.i18n import N_
from lms.learning import xapi
from lms.learning.completion import complete_if_done
from lms.learning.schemas import Checkoff
from lms.xapi.service import store_trusted


async def sign(
    conn: asyncpg.Connection, *, actor: CurrentUser, enrollment_id: UUID, activity_key: str, note: str, base_url: str
) -> Checkoff:
    """Sign once; signing again returns the first signature unchanged."""
    # Two instructors signing the same skill at once: the second waits here and then reads the first signature (its
    # own snapshot could not see the row the first inserted, and found nothing to return).
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('checkoff:' || $1::uuid::text || ':' || $2::text, 0))",
        enrollment_id,
        activity_key,
    )
    row = await conn.fetchrow(
        """WITH target AS (
               SELECT e.id AS enrollment_id, e.user_id, a.id AS activity_id, a.key, a.title, c.code, v.version
               FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
               JOIN version_activities a ON a.version_id = v.id AND a.key = $2 AND a.kind = 'checkoff'
               WHERE e.id = $1),
           added AS (
               INSERT INTO checkoffs (enrollment_id, activity_id, instructor_id, note)
               SELECT enrollment_id, activity_id, $3, $4 FROM target
               ON CONFLICT (enrollment_id, activity_id) DO NOTHING
               RETURNING id, enrollment_id, activity_id, instructor_id, signed_at, note)
           SELECT t.user_id, t.key, t.title, t.code, t.version,
                  coalesce(n.id, k.id) AS id, t.enrollment_id, t.activity_id, coalesce(n.instructor_id, k.instructor_id) AS instructor_id,
                  coalesce(n.signed_at, k.signed_at) AS signed_at, coalesce(n.note, k.note) AS note, n.id IS NOT NULL AS created
           FROM target t LEFT JOIN added n ON true
           LEFT JOIN checkoffs k ON k.enrollment_id = t.enrollment_id AND k.activity_id = t.activity_id""",
        enrollment_id,
        activity_key,
        actor.id,
        note.strip(),
    )
    if row is None:
        raise NotFound(
            N_("no enrolment %(enrollment_id)s with a skills checkoff '%(activity_key)s'"),
            params={"enrollment_id": enrollment_id, "activity_key": activity_key},
            field="activity_key",
        )
    if row["created"]:
        await record(
            conn,
            actor_id=actor.id,
            action="checkoff.signed",
            subject=f"{row['code']} v{row['version']} {activity_key}",
            detail={"enrollment": str(enrollment_id)},
        )
        statement = xapi.build_statement(
            base_url=base_url,
            user_id=row["user_id"],
            verb="completed",
            code=row["code"],
            version=row["version"],
            key=row["key"],
            title=row["title"],
            registration=enrollment_id,
            timestamp=row["signed_at"],
            result={"completion": True, "success": True},
        )
        statement["context"]["instructor"] = xapi.actor_for(base_url, actor.id)
        await store_trusted(conn, statement, base_url=base_url)
        await complete_if_done(conn, [enrollment_id], base_url=base_url)
    return msgspec.convert({k: row[k] for k in Checkoff.__struct_fields__}, Checkoff)
