"""SQL of career ladders. A step is reached from the records of the feature it names (a completion, a credential on
record, a completed apprenticeship, an approved tuition request) or from a record made by a clinic or program admin
for a program elsewhere; one query for a worker, the same for the whole partnership."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.programs.pathways.schemas import Ladder, StepCount

# Who reached which step; $1 narrows it to one worker (NULL: everyone).
_REACHED = """
reached AS (
    SELECT s.ladder_id, s.position, k.user_id
    FROM ladder_steps s JOIN courses c ON s.kind = 'course' AND c.code = s.ref
    JOIN course_versions v ON v.course_id = c.id JOIN completions k ON k.version_id = v.id
    WHERE $1::uuid IS NULL OR k.user_id = $1
    UNION
    SELECT s.ladder_id, s.position, w.user_id
    FROM ladder_steps s JOIN worker_credentials w ON s.kind = 'credential' AND w.credential = s.ref
    WHERE $1::uuid IS NULL OR w.user_id = $1
    UNION
    SELECT s.ladder_id, s.position, a.user_id
    FROM ladder_steps s JOIN apprenticeship_programs p ON s.kind = 'apprenticeship' AND p.key = s.ref
    JOIN apprenticeships a ON a.program_id = p.id AND a.status = 'completed'
    WHERE $1::uuid IS NULL OR a.user_id = $1
    UNION
    SELECT s.ladder_id, s.position, r.user_id
    FROM ladder_steps s JOIN tuition_requests r ON s.kind = 'tuition' AND r.field = s.ref AND r.status IN ('approved', 'paid')
    WHERE $1::uuid IS NULL OR r.user_id = $1
    UNION
    SELECT x.ladder_id, x.position, x.user_id FROM ladder_step_records x WHERE $1::uuid IS NULL OR x.user_id = $1
)"""


async def ladders_of(conn: asyncpg.Connection, *, user_id: UUID) -> list[Ladder]:
    rows = await conn.fetch(
        f"""WITH {_REACHED}
            SELECT l.key, l.name,
                   json_agg(json_build_object('position', s.position, 'kind', s.kind, 'name', s.name,
                                              'reached', EXISTS (SELECT 1 FROM reached r WHERE r.ladder_id = s.ladder_id
                                                                 AND r.position = s.position)) ORDER BY s.position) AS steps
            FROM career_ladders l JOIN ladder_steps s ON s.ladder_id = l.id
            GROUP BY l.id ORDER BY l.position, l.key""",
        user_id,
    )
    return [msgspec.convert(dict(r), Ladder) for r in rows]


async def advancement(conn: asyncpg.Connection) -> list[StepCount]:
    """Workers who reached each step, and how many of them still work at a member clinic (retention)."""
    rows = await conn.fetch(
        f"""WITH {_REACHED}
            SELECT l.key AS ladder, l.name AS ladder_name, s.position, s.name, s.kind, count(u.id)::int AS reached,
                   (count(u.id) FILTER (WHERE u.active AND u.clinic_id IS NOT NULL))::int AS retained
            FROM career_ladders l JOIN ladder_steps s ON s.ladder_id = l.id
            LEFT JOIN reached r ON r.ladder_id = s.ladder_id AND r.position = s.position
            LEFT JOIN users u ON u.id = r.user_id AND u.role = 'worker'
            GROUP BY l.id, s.ladder_id, s.position ORDER BY l.position, l.key, s.position""",
        None,
    )
    return [msgspec.convert(dict(r), StepCount) for r in rows]


async def outside_steps(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT l.key AS ladder, l.name AS ladder_name, s.position, s.name FROM ladder_steps s
           JOIN career_ladders l ON l.id = s.ladder_id WHERE s.kind = 'outside' ORDER BY l.position, s.position"""
    )


async def record_step(
    conn: asyncpg.Connection, *, viewer: CurrentUser, email: str, ladder: str, position: int, reached_on: date
) -> dict[str, bool]:
    """A program elsewhere, reached by a worker of the viewer's clinic (clinic admins) or any worker (program admins)."""
    row = await conn.fetchrow(
        """WITH w AS (SELECT id FROM users WHERE email = lower($1) AND role = 'worker'
                      AND ($5 = 'program_admin' OR ($5 = 'clinic_admin' AND clinic_id = $6))),
                s AS (SELECT s.ladder_id, s.position FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
                      WHERE l.key = $2 AND s.position = $3 AND s.kind = 'outside'),
                made AS (INSERT INTO ladder_step_records (user_id, ladder_id, position, reached_on, recorded_by)
                         SELECT w.id, s.ladder_id, s.position, $4, $7 FROM w, s
                         ON CONFLICT (user_id, ladder_id, position) DO UPDATE SET reached_on = EXCLUDED.reached_on
                         RETURNING true)
           SELECT EXISTS (SELECT 1 FROM w) AS worker, EXISTS (SELECT 1 FROM s) AS step""",
        email,
        ladder,
        position,
        reached_on,
        viewer.role,
        viewer.clinic_id,
        viewer.id,
    )
    return dict(row)
