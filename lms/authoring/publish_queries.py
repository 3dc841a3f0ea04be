"""SQL for the publish summary and the other tools around a draft (preview, copy, course folders)."""

from __future__ import annotations

from typing import Any

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.catalog.queries import may_edit_clause


async def publish_context(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> dict[str, Any] | None:
    """What publishing the draft would change, in one round trip, if this person may publish the course: the draft,
    the version learners get today (the latest published one, else the latest), and per version how many learners are
    enrolled (they stay on it) and how many of them have not completed yet."""
    row = await conn.fetchrow(
        f"""SELECT c.draft,
                   (SELECT coalesce(max(v.version), 0) + 1 FROM course_versions v WHERE v.course_id = c.id) AS next_version,
                   (SELECT json_build_object('version', v.version, 'status', v.status, 'content', v.content)
                    FROM course_versions v WHERE v.course_id = c.id
                    ORDER BY (v.status = 'published') DESC, v.version DESC LIMIT 1) AS current,
                   (SELECT coalesce(json_agg(json_build_object('version', x.version, 'status', x.status,
                                                               'enrolled', x.enrolled, 'in_progress', x.in_progress)
                                             ORDER BY x.version DESC), '[]')
                    FROM (SELECT v.version, v.status, count(*) AS enrolled,
                                 count(*) FILTER (WHERE e.completed_at IS NULL) AS in_progress
                          FROM course_versions v JOIN enrollments e ON e.version_id = v.id
                          WHERE v.course_id = c.id GROUP BY v.version, v.status) x) AS pinned
            FROM courses c WHERE c.code = $1 AND {may_edit_clause("c", "$2", "$3")}""",
        code,
        editor.id,
        editor.role,
    )
    return dict(row) if row else None


async def version_content(conn: asyncpg.Connection, *, code: str, version: int) -> Any | None:
    """The document a version was published from (published or retired: its content is never secret to staff)."""
    return await conn.fetchval(
        """SELECT v.content FROM courses c JOIN course_versions v ON v.course_id = c.id
           WHERE c.code = $1 AND v.version = $2""",
        code,
        version,
    )


async def course_exists(conn: asyncpg.Connection, *, code: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM courses WHERE code = $1", code))


async def course_id(conn: asyncpg.Connection, *, code: str) -> Any:
    return await conn.fetchval("SELECT id FROM courses WHERE code = $1", code)
