"""Drafts with their revision: the draft's last change time in microseconds, compared and set in one statement."""

from __future__ import annotations

from typing import Any

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.catalog.queries import may_edit_clause

# The revision is ``courses.draft_updated_at`` as a number: every writer of a draft already sets that column, so a
# draft changed by any path (these forms, the API, a course folder, publishing) gets a new revision.
_REVISION = "(extract(epoch FROM c.draft_updated_at) * 1000000)::bigint"


async def draft_for_update(
    conn: asyncpg.Connection, *, code: str, editor: CurrentUser, lock: bool = False
) -> tuple[Any, int] | None:
    """(draft, revision) of a course this person may edit; with ``lock`` the row stays locked until the transaction
    ends, so the revision read is the one a save replaces."""
    row = await conn.fetchrow(
        f"""SELECT c.draft, {_REVISION} AS revision FROM courses c
            WHERE c.code = $1 AND {may_edit_clause("c", "$2", "$3")} {"FOR UPDATE" if lock else ""}""",
        code,
        editor.id,
        editor.role,
    )
    return None if row is None else (row["draft"], row["revision"])


async def save_draft(conn: asyncpg.Connection, *, code: str, track: str, draft: Any) -> int:
    """Store the draft (the caller locked the row and checked the revision) and answer the new revision."""
    return await conn.fetchval(
        f"""UPDATE courses c SET track = $2, draft = $3, draft_updated_at = clock_timestamp()
            WHERE c.code = $1 RETURNING {_REVISION}""",
        code,
        track,
        draft,
    )


async def create_course(conn: asyncpg.Connection, *, code: str, track: str, draft: Any, creator: CurrentUser) -> bool:
    """A new course whose creator becomes its owner; False when the code is taken."""
    created = await conn.fetchval(
        """WITH made AS (
               INSERT INTO courses (code, track, draft) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING RETURNING id),
           owner AS (
               INSERT INTO course_owners (course_id, user_id, added_by) SELECT id, $4, $4 FROM made RETURNING 1)
           SELECT count(*) FROM made""",
        code,
        track,
        draft,
        creator.id,
    )
    return created == 1


async def draft_at(conn: asyncpg.Connection, *, code: str, revision: int) -> Any | None:
    """The draft as it was at an earlier revision, if it is still kept (the newest 50 are; migration 0110)."""
    return await conn.fetchval(
        """SELECT h.draft FROM course_draft_history h JOIN courses c ON c.id = h.course_id
           WHERE c.code = $1 AND h.revision = $2""",
        code,
        revision,
    )
