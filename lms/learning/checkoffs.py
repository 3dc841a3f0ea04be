"""Skills checkoffs: an instructor signs off a worker's hands-on skill (date, instructor, note), once per enrolment."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import NotFound
from lms.i18n import N_
from lms.learning import queries, xapi
from lms.learning.completion import complete_if_done
from lms.learning.schemas import Checkoff
from lms.xapi.service import store_trusted


async def sign(
    conn: asyncpg.Connection, *, actor: CurrentUser, enrollment_id: UUID, activity_key: str, note: str, base_url: str
) -> Checkoff:
    """Sign once; signing again (or a second instructor at the same moment) returns the first signature unchanged."""
    row = await queries.sign_checkoff(
        conn, enrollment_id=enrollment_id, activity_key=activity_key, instructor_id=actor.id, note=note.strip()
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
