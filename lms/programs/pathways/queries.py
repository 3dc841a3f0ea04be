"""SQL of career ladders. A step is reached from the records of the feature it names (a certificate of this service,
a credential on record, a completed apprenticeship, a tuition request the partnership paid: "tuition reimbursed", not
only approved; an approved outside record with the step's approval number) or from a record made by a clinic or
program admin for a program elsewhere; one query for a worker, the same for the whole partnership. Ladders and steps
are edited by program admins; a retired step leaves the ladders workers see but keeps who reached it."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.errors import Conflict
from lms.i18n import N_
from lms.programs.pathways.schemas import EditedLadder, Ladder, RefOption, StepCount

# Who reached which step, and on which day (the earliest of the ways she reached it); $1 narrows it to one worker
# (NULL: everyone).
_REACHED = """
evidence AS (
    SELECT s.id AS step_id, t.user_id, report_day(t.completed_at) AS reached_on
    FROM ladder_steps s JOIN courses c ON s.kind = 'course' AND c.code = s.ref
    JOIN course_versions v ON v.course_id = c.id JOIN certificates t ON t.version_id = v.id AND t.revoked_at IS NULL
    WHERE $1::uuid IS NULL OR t.user_id = $1
    UNION ALL
    SELECT s.id, w.user_id, report_day(w.recorded_at)
    FROM ladder_steps s JOIN worker_credentials w ON s.kind = 'credential' AND w.credential = s.ref
    WHERE $1::uuid IS NULL OR w.user_id = $1
    UNION ALL
    SELECT s.id, a.user_id, a.completed_on
    FROM ladder_steps s JOIN apprenticeship_programs p ON s.kind = 'apprenticeship' AND p.key = s.ref
    JOIN apprenticeships a ON a.program_id = p.id AND a.status = 'completed'
    WHERE $1::uuid IS NULL OR a.user_id = $1
    UNION ALL
    SELECT s.id, r.user_id, report_day(r.paid_at)
    FROM ladder_steps s
    JOIN tuition_requests r ON s.kind = 'tuition' AND r.field = s.ref AND r.status = 'paid'
    WHERE $1::uuid IS NULL OR r.user_id = $1
    UNION ALL
    SELECT s.id, o.user_id, o.ended_on
    FROM ladder_steps s
    JOIN outside_records o ON s.kind = 'outside' AND s.ref <> '' AND o.approval_number = s.ref AND o.status = 'approved'
    WHERE $1::uuid IS NULL OR o.user_id = $1
    UNION ALL
    SELECT x.step_id, x.user_id, x.reached_on FROM ladder_step_records x WHERE $1::uuid IS NULL OR x.user_id = $1
),
reached AS (SELECT step_id, user_id, min(reached_on) AS reached_on FROM evidence GROUP BY step_id, user_id)"""


async def ladders_of(conn: asyncpg.Connection, *, user_id: UUID) -> list[Ladder]:
    """The ladders in use, each with its steps in use, and which of them this worker reached."""
    rows = await conn.fetch(
        f"""WITH {_REACHED}
            SELECT l.key, l.name,
                   json_agg(json_build_object('id', s.id, 'position', s.position, 'kind', s.kind, 'name', s.name,
                                              'reached', r.user_id IS NOT NULL) ORDER BY s.position) AS steps
            FROM career_ladders l JOIN ladder_steps s ON s.ladder_id = l.id AND s.retired_at IS NULL
            LEFT JOIN reached r ON r.step_id = s.id
            WHERE l.retired_at IS NULL
            GROUP BY l.id ORDER BY l.position, l.key""",
        user_id,
    )
    return [msgspec.convert(dict(r), Ladder) for r in rows]


async def advancement(
    conn: asyncpg.Connection, *, start: date, end: date, clinic_id: UUID | None = None
) -> list[StepCount]:
    """Per step in use (and per retired step or ladder someone reached in the period, so history stays): workers who
    first reached it in the period, and how many of them still work at a member clinic (a clinic deactivates a worker
    who left), overall and by clinic and by union local. ``clinic_id`` narrows everything to one clinic's workers (a
    clinic admin's view)."""
    rows = await conn.fetch(
        f"""WITH {_REACHED},
            counted AS (
                SELECT r.step_id, grouping(u.clinic_id) = 0 AS by_clinic, grouping(u.local_id) = 0 AS by_local,
                       u.clinic_id, u.local_id, count(*)::int AS reached,
                       (count(*) FILTER (WHERE u.active AND u.clinic_id IS NOT NULL))::int AS retained
                FROM reached r JOIN users u ON u.id = r.user_id AND u.role = 'worker'
                WHERE r.reached_on BETWEEN $2 AND $3 AND ($4::uuid IS NULL OR u.clinic_id = $4)
                GROUP BY GROUPING SETS ((r.step_id), (r.step_id, u.clinic_id), (r.step_id, u.local_id))
            )
            SELECT l.key AS ladder, l.name AS ladder_name, s.id::text AS step_id, s.position, s.name, s.kind,
                   s.retired_at IS NOT NULL AS retired,
                   coalesce(max(c.reached) FILTER (WHERE NOT c.by_clinic AND NOT c.by_local), 0) AS reached,
                   coalesce(max(c.retained) FILTER (WHERE NOT c.by_clinic AND NOT c.by_local), 0) AS retained,
                   coalesce(json_agg(json_build_object(
                       'by', CASE WHEN c.by_clinic THEN 'clinic' ELSE 'local' END,
                       'key', coalesce((CASE WHEN c.by_clinic THEN c.clinic_id ELSE c.local_id END)::text, ''),
                       'reached', c.reached, 'retained', c.retained)) FILTER (WHERE c.by_clinic OR c.by_local), '[]')
                   AS groups
            FROM career_ladders l JOIN ladder_steps s ON s.ladder_id = l.id
            LEFT JOIN counted c ON c.step_id = s.id
            WHERE (l.retired_at IS NULL AND s.retired_at IS NULL) OR c.step_id IS NOT NULL
            GROUP BY l.id, s.id ORDER BY l.position, l.key, s.position""",
        None,
        start,
        end,
        clinic_id,
    )
    return [msgspec.convert(dict(r), StepCount) for r in rows]


async def outside_steps(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT l.key AS ladder, l.name AS ladder_name, s.position, s.name FROM ladder_steps s
           JOIN career_ladders l ON l.id = s.ladder_id
           WHERE s.kind = 'outside' AND s.retired_at IS NULL AND l.retired_at IS NULL ORDER BY l.position, s.position"""
    )


async def record_step(
    conn: asyncpg.Connection, *, viewer: CurrentUser, email: str, ladder: str, position: int, reached_on: date
) -> dict[str, bool]:
    """A program elsewhere, reached by a worker of the viewer's clinic (clinic admins) or any worker (program admins)."""
    row = await conn.fetchrow(
        """WITH w AS (SELECT id FROM users WHERE email = lower($1) AND role = 'worker'
                      AND ($5 = 'program_admin' OR ($5 = 'clinic_admin' AND clinic_id = $6))),
                s AS (SELECT s.id FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
                      WHERE l.key = $2 AND s.position = $3 AND s.kind = 'outside' AND s.retired_at IS NULL
                      AND l.retired_at IS NULL),
                made AS (INSERT INTO ladder_step_records (user_id, step_id, reached_on, recorded_by)
                         SELECT w.id, s.id, $4, $7 FROM w, s
                         ON CONFLICT (user_id, step_id) DO UPDATE SET reached_on = EXCLUDED.reached_on
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


# ---------------------------------------------------------------- editing (program admins)

_EDITED = """
SELECT l.key, l.name, l.track, l.retired_at IS NOT NULL AS retired,
       coalesce(json_agg(json_build_object('id', s.id, 'position', s.position, 'kind', s.kind, 'ref', s.ref,
                                           'name', s.name, 'retired', s.retired_at IS NOT NULL,
                                           'ever_reached', (SELECT count(DISTINCT r.user_id) FROM reached r
                                                            WHERE r.step_id = s.id))
                         ORDER BY s.retired_at IS NOT NULL, s.position) FILTER (WHERE s.id IS NOT NULL), '[]') AS steps
FROM career_ladders l LEFT JOIN ladder_steps s ON s.ladder_id = l.id
"""


async def edited_ladders(conn: asyncpg.Connection) -> list[EditedLadder]:
    rows = await conn.fetch(
        f"WITH {_REACHED} {_EDITED} GROUP BY l.id ORDER BY l.retired_at IS NOT NULL, l.position, l.key", None
    )
    return [msgspec.convert(dict(r), EditedLadder) for r in rows]


async def edited_ladder(conn: asyncpg.Connection, *, key: str) -> EditedLadder | None:
    row = await conn.fetchrow(f"WITH {_REACHED} {_EDITED} WHERE l.key = $2 GROUP BY l.id", None, key)
    return msgspec.convert(dict(row), EditedLadder) if row else None


async def create_ladder(conn: asyncpg.Connection, *, key: str, name: dict[str, str], track: str | None) -> None:
    try:
        await conn.execute(
            """INSERT INTO career_ladders (key, name, track, position)
               SELECT $1, $2, $3, coalesce(max(position), 0) + 1 FROM career_ladders""",
            key,
            name,
            track,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(N_("key: a ladder with this key exists"), field="key") from None


async def update_ladder(
    conn: asyncpg.Connection, *, key: str, name: dict[str, str], track: str | None, retired: bool
) -> bool:
    done = await conn.fetchval(
        """UPDATE career_ladders SET name = $2, track = $3,
                  retired_at = CASE WHEN $4 THEN coalesce(retired_at, now()) END
           WHERE key = $1 RETURNING true""",
        key,
        name,
        track,
        retired,
    )
    return bool(done)


async def add_step(
    conn: asyncpg.Connection, *, ladder: str, kind: str, ref: str, name: dict[str, str]
) -> dict[str, Any] | None:
    """The new step goes after every other step of the ladder (retired ones included: positions are never reused)."""
    row = await conn.fetchrow(
        """INSERT INTO ladder_steps (ladder_id, position, kind, ref, name)
           SELECT l.id, coalesce((SELECT max(position) FROM ladder_steps WHERE ladder_id = l.id), 0) + 1, $2, $3, $4
           FROM career_ladders l WHERE l.key = $1
           RETURNING id::text, position""",
        ladder,
        kind,
        ref,
        name,
    )
    return dict(row) if row else None


async def step_exists(conn: asyncpg.Connection, *, ladder: str, step_id: UUID) -> bool:
    return bool(
        await conn.fetchval(
            """SELECT true FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
               WHERE l.key = $1 AND s.id = $2""",
            ladder,
            step_id,
        )
    )


async def move_step(conn: asyncpg.Connection, *, ladder: str, step_id: UUID, up: bool) -> bool:
    """Swap a step in use with the next one in use above (or below) it; False when it is already first (or last)."""
    moved = await conn.fetch(
        """WITH me AS (SELECT s.id, s.ladder_id, s.position FROM ladder_steps s JOIN career_ladders l ON l.id = s.ladder_id
                       WHERE l.key = $1 AND s.id = $2 AND s.retired_at IS NULL),
                other AS (SELECT s.id, s.position FROM ladder_steps s, me
                          WHERE s.ladder_id = me.ladder_id AND s.retired_at IS NULL
                          AND CASE WHEN $3 THEN s.position < me.position ELSE s.position > me.position END
                          ORDER BY CASE WHEN $3 THEN -s.position ELSE s.position END LIMIT 1)
           UPDATE ladder_steps s SET position = CASE WHEN s.id = me.id THEN other.position ELSE me.position END
           FROM me, other WHERE s.id IN (me.id, other.id)
           RETURNING s.id""",
        ladder,
        step_id,
        up,
    )
    return bool(moved)


async def retire_step(conn: asyncpg.Connection, *, ladder: str, step_id: UUID) -> bool:
    done = await conn.fetchval(
        """UPDATE ladder_steps s SET retired_at = now() FROM career_ladders l
           WHERE l.id = s.ladder_id AND l.key = $1 AND s.id = $2 AND s.retired_at IS NULL RETURNING true""",
        ladder,
        step_id,
    )
    return bool(done)


async def restore_step(conn: asyncpg.Connection, *, ladder: str, step_id: UUID) -> bool:
    """A retired step back in its old place (positions are never reused); False when it is in use already."""
    done = await conn.fetchval(
        """UPDATE ladder_steps s SET retired_at = NULL FROM career_ladders l
           WHERE l.id = s.ladder_id AND l.key = $1 AND s.id = $2 AND s.retired_at IS NOT NULL RETURNING true""",
        ladder,
        step_id,
    )
    return bool(done)


async def rename_step(conn: asyncpg.Connection, *, ladder: str, step_id: UUID, name: dict[str, str]) -> bool:
    """Only the name changes: the step keeps its id and position, so every record of who reached it stays."""
    done = await conn.fetchval(
        """UPDATE ladder_steps s SET name = $3 FROM career_ladders l
           WHERE l.id = s.ladder_id AND l.key = $1 AND s.id = $2 RETURNING true""",
        ladder,
        step_id,
        name,
    )
    return bool(done)


async def ref_options(conn: asyncpg.Connection) -> list[RefOption]:
    """Courses, board credentials and apprenticeship programs a step can name, in one list."""
    rows = await conn.fetch(
        """SELECT 'course' AS kind, code AS ref, CASE WHEN jsonb_typeof(draft -> 'title') = 'object'
                  THEN draft -> 'title' ELSE jsonb_build_object('en', code) END AS name FROM courses
           UNION ALL SELECT 'credential', credential, name FROM credential_requirements
           UNION ALL SELECT 'apprenticeship', key, name FROM apprenticeship_programs
           ORDER BY 1, 2"""
    )
    return [msgspec.convert(dict(r), RefOption) for r in rows]
