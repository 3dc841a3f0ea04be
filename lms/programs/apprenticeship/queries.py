"""SQL of the apprenticeship. Every read names its viewer: the apprentice, her mentor, her clinic's admins and the
program admins see a record (lms.programs.common.sees), and no one else, in the WHERE itself."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.programs.apprenticeship.schemas import Apprenticeship, ApprenticeshipRow, WaitingWeek
from lms.programs.common import sees, viewer_args

# Related instruction counts the contact minutes on this service's certificates (not revoked) for courses completed
# since the apprenticeship started, and the minutes of outside records her clinic approved for training begun since.
_RI_MINUTES = """((SELECT coalesce(sum((c.facts ->> 'contact_minutes')::int), 0) FROM certificates c
                   WHERE c.user_id = a.user_id AND c.revoked_at IS NULL AND report_day(c.completed_at) >= a.starts_on)
                  + (SELECT coalesce(sum(o.minutes), 0) FROM outside_records o
                     WHERE o.user_id = a.user_id AND o.status = 'approved' AND o.started_on >= a.starts_on))"""

_APPROVED = """(SELECT coalesce(sum(h.minutes), 0) FROM ojt_hours h JOIN ojt_weeks w ON w.id = h.week_id
                WHERE w.apprenticeship_id = a.id AND w.status = 'approved')"""

# A program's wage steps, numbered in the order they are reached; a step set as a percentage of the journeyworker's
# wage gets its hourly amount from that wage (none while the program has not set it).
_WAGE_STEPS = """SELECT s.id, s.program_id, s.from_hours, s.from_competencies, s.journeyworker_percent,
                        coalesce(s.hourly_cents, round(s.journeyworker_percent * jp.journeyworker_cents / 100.0)::int) AS hourly_cents,
                        row_number() OVER (PARTITION BY s.program_id ORDER BY s.from_hours, s.from_competencies)::int AS step
                 FROM apprenticeship_wage_steps s JOIN apprenticeship_programs jp ON jp.id = s.program_id"""

_RECORD = f"""
SELECT a.id, p.key AS program_key, p.name AS program_name, p.model, a.user_id, u.display_name AS apprentice,
       a.clinic_id, c.name AS clinic, a.mentor_id, m.display_name AS mentor, a.starts_on, a.status, a.completed_on,
       a.placed_on, a.placement, p.ojt_hours, p.ri_hours, {_RI_MINUTES}::int AS ri_minutes,
       (SELECT coalesce(json_agg(json_build_object(
                   'key', wp.key, 'name', wp.name, 'hours', wp.hours, 'retired', wp.retired_at IS NOT NULL,
                   'approved_minutes', coalesce(t.approved, 0), 'pending_minutes', coalesce(t.pending, 0))
                   ORDER BY wp.position, wp.key), '[]')
        FROM apprenticeship_work_processes wp
        LEFT JOIN (SELECT h.work_process, sum(h.minutes) FILTER (WHERE w.status = 'approved') AS approved,
                          sum(h.minutes) FILTER (WHERE w.status = 'submitted') AS pending
                   FROM ojt_weeks w JOIN ojt_hours h ON h.week_id = w.id
                   WHERE w.apprenticeship_id = a.id GROUP BY 1) t ON t.work_process = wp.key
        WHERE wp.program_id = a.program_id AND (wp.retired_at IS NULL OR t.work_process IS NOT NULL)) AS work_processes,
       (SELECT coalesce(json_agg(json_build_object(
                   'step', s.step, 'from_hours', s.from_hours, 'from_competencies', s.from_competencies,
                   'hourly_cents', s.hourly_cents, 'journeyworker_percent', s.journeyworker_percent) ORDER BY s.step), '[]')
        FROM ({_WAGE_STEPS}) s WHERE s.program_id = a.program_id) AS wage_steps,
       (SELECT coalesce(json_agg(json_build_object('key', k.key, 'name', k.name, 'signed_on', o.signed_on,
                                                   'signed_by', su.display_name, 'retired', k.retired_at IS NOT NULL)
                                 ORDER BY k.position, k.key), '[]')
        FROM apprenticeship_competencies k
        LEFT JOIN competency_signoffs o ON o.apprenticeship_id = a.id AND o.competency = k.key
        LEFT JOIN users su ON su.id = o.signed_by
        WHERE k.program_id = a.program_id AND (k.retired_at IS NULL OR o.competency IS NOT NULL)) AS competencies,
       (SELECT coalesce(json_agg(json_build_object(
                   'id', w.id, 'week_start', w.week_start, 'status', w.status, 'note', w.note, 'submitted_at', w.submitted_at,
                   'decided_at', w.decided_at,
                   'lines', (SELECT coalesce(json_agg(json_build_object('work_process', h.work_process, 'minutes', h.minutes)
                                                      ORDER BY h.work_process), '[]') FROM ojt_hours h WHERE h.week_id = w.id))
                   ORDER BY w.week_start DESC), '[]')
        FROM ojt_weeks w WHERE w.apprenticeship_id = a.id) AS weeks
FROM apprenticeships a
JOIN apprenticeship_programs p ON p.id = a.program_id
JOIN users u ON u.id = a.user_id
JOIN users m ON m.id = a.mentor_id
JOIN clinics c ON c.id = a.clinic_id
"""


def _record(row: Any) -> Apprenticeship:
    return msgspec.convert(dict(row), Apprenticeship, strict=False)


async def get(conn: asyncpg.Connection, *, apprenticeship_id: UUID, viewer: CurrentUser) -> Apprenticeship | None:
    row = await conn.fetchrow(
        f"{_RECORD} WHERE a.id = $1 AND {sees('a', 'mentor_id', 2)}", apprenticeship_id, *viewer_args(viewer)
    )
    return _record(row) if row else None


async def own(conn: asyncpg.Connection, *, user_id: UUID) -> Apprenticeship | None:
    """The caller's own apprenticeship: the active one, else the latest."""
    row = await conn.fetchrow(
        f"{_RECORD} WHERE a.user_id = $1 ORDER BY a.status = 'active' DESC, a.starts_on DESC LIMIT 1", user_id
    )
    return _record(row) if row else None


async def listed(
    conn: asyncpg.Connection, *, viewer: CurrentUser, mentored_only: bool = False
) -> list[ApprenticeshipRow]:
    """The apprenticeships a desk shows: those the viewer mentors, or all the viewer may see."""
    rows = await conn.fetch(
        f"""SELECT a.id, a.user_id, u.display_name AS apprentice, c.name AS clinic, a.mentor_id, m.display_name AS mentor,
                   p.key AS program_key, a.starts_on, a.status, a.placed_on, {_APPROVED}::int AS approved_minutes, p.ojt_hours,
                   (SELECT count(*) FROM ojt_weeks w WHERE w.apprenticeship_id = a.id AND w.status = 'submitted')::int AS waiting_weeks
            FROM apprenticeships a
            JOIN apprenticeship_programs p ON p.id = a.program_id
            JOIN users u ON u.id = a.user_id JOIN users m ON m.id = a.mentor_id JOIN clinics c ON c.id = a.clinic_id
            WHERE {sees("a", "mentor_id", 1)} AND (NOT $4 OR a.mentor_id = $1)
            ORDER BY a.status = 'active' DESC, u.display_name, a.id""",
        *viewer_args(viewer),
        mentored_only,
    )
    return [msgspec.convert(dict(r), ApprenticeshipRow, strict=False) for r in rows]


async def waiting_weeks(conn: asyncpg.Connection, *, mentor_id: UUID) -> list[WaitingWeek]:
    """Weeks sent to this mentor and not yet decided, oldest first."""
    rows = await conn.fetch(
        """SELECT w.id, w.apprenticeship_id, u.display_name AS apprentice, w.week_start, w.submitted_at,
                  (SELECT coalesce(json_agg(json_build_object('work_process', h.work_process, 'minutes', h.minutes)
                                            ORDER BY h.work_process), '[]') FROM ojt_hours h WHERE h.week_id = w.id) AS lines,
                  (SELECT json_object_agg(wp.key, wp.name) FROM apprenticeship_work_processes wp
                   WHERE wp.program_id = a.program_id) AS work_process_names
           FROM ojt_weeks w JOIN apprenticeships a ON a.id = w.apprenticeship_id JOIN users u ON u.id = a.user_id
           WHERE a.mentor_id = $1 AND w.status = 'submitted'
           ORDER BY w.submitted_at, w.id""",
        mentor_id,
    )
    return [msgspec.convert(dict(r), WaitingWeek, strict=False) for r in rows]


async def work_process_keys(conn: asyncpg.Connection, *, apprenticeship_id: UUID) -> list[str]:
    return [
        r["key"]
        for r in await conn.fetch(
            """SELECT wp.key FROM apprenticeship_work_processes wp JOIN apprenticeships a ON a.program_id = wp.program_id
           WHERE a.id = $1 AND wp.retired_at IS NULL ORDER BY wp.position, wp.key""",
            apprenticeship_id,
        )
    ]


async def insert_week(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, week_start: date, lines: dict[str, int]
) -> UUID | None:
    """None when this week is already logged."""
    week_id = await conn.fetchval(
        """INSERT INTO ojt_weeks (apprenticeship_id, week_start) VALUES ($1, $2)
           ON CONFLICT (apprenticeship_id, week_start) DO NOTHING RETURNING id""",
        apprenticeship_id,
        week_start,
    )
    if week_id is not None:
        await _insert_lines(conn, week_id, lines)
    return week_id


async def _insert_lines(conn: asyncpg.Connection, week_id: UUID, lines: dict[str, int]) -> None:
    keys = [k for k, v in lines.items() if v > 0]
    await conn.execute(
        "INSERT INTO ojt_hours (week_id, work_process, minutes) SELECT $1, k, m FROM unnest($2::text[], $3::int[]) AS t (k, m)",
        week_id,
        keys,
        [lines[k] for k in keys],
    )


async def own_week(conn: asyncpg.Connection, *, week_id: UUID, user_id: UUID) -> asyncpg.Record | None:
    """A week of the caller's own, locked while she changes it."""
    return await conn.fetchrow(
        """SELECT w.id, w.status, w.apprenticeship_id FROM ojt_weeks w JOIN apprenticeships a ON a.id = w.apprenticeship_id
           WHERE w.id = $1 AND a.user_id = $2 FOR UPDATE OF w""",
        week_id,
        user_id,
    )


async def replace_week(conn: asyncpg.Connection, *, week_id: UUID, lines: dict[str, int]) -> None:
    await conn.execute("DELETE FROM ojt_hours WHERE week_id = $1", week_id)
    await _insert_lines(conn, week_id, lines)
    await conn.execute(
        "UPDATE ojt_weeks SET status = 'submitted', note = NULL, submitted_at = now(), decided_at = NULL, decided_by = NULL WHERE id = $1",
        week_id,
    )


async def week_for_mentor(conn: asyncpg.Connection, *, week_id: UUID, viewer: CurrentUser) -> asyncpg.Record | None:
    """A week the viewer may decide on (she mentors the apprentice, or runs the programs), locked."""
    return await conn.fetchrow(
        """SELECT w.id, w.status, w.apprenticeship_id, w.week_start FROM ojt_weeks w JOIN apprenticeships a ON a.id = w.apprenticeship_id
           WHERE w.id = $1 AND (a.mentor_id = $2 OR $3 = 'program_admin') FOR UPDATE OF w""",
        week_id,
        viewer.id,
        viewer.role,
    )


async def decide_week(
    conn: asyncpg.Connection, *, week_id: UUID, status: str, note: str | None, actor_id: UUID
) -> None:
    await conn.execute(
        "UPDATE ojt_weeks SET status = $2, note = $3, decided_at = now(), decided_by = $4 WHERE id = $1",
        week_id,
        status,
        note,
        actor_id,
    )


async def for_mentor(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, viewer: CurrentUser
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT a.id, a.program_id FROM apprenticeships a
           WHERE a.id = $1 AND (a.mentor_id = $2 OR $3 = 'program_admin')""",
        apprenticeship_id,
        viewer.id,
        viewer.role,
    )


async def sign_competency(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, program_id: UUID, competency: str, actor_id: UUID
) -> bool:
    """False when the program has no such competency."""
    done = await conn.fetchval(
        """INSERT INTO competency_signoffs (apprenticeship_id, competency, signed_by)
           SELECT $1, k.key, $4 FROM apprenticeship_competencies k
           WHERE k.program_id = $2 AND k.key = $3 AND k.retired_at IS NULL
           ON CONFLICT (apprenticeship_id, competency) DO UPDATE SET signed_by = EXCLUDED.signed_by
           RETURNING true""",
        apprenticeship_id,
        program_id,
        competency,
        actor_id,
    )
    return bool(done)


async def for_clinic(
    conn: asyncpg.Connection, *, apprenticeship_id: UUID, viewer: CurrentUser
) -> asyncpg.Record | None:
    """An apprenticeship whose outcome the viewer may record: her clinic's (clinic admins) or any (program admins)."""
    return await conn.fetchrow(
        """SELECT a.id, a.starts_on FROM apprenticeships a
           WHERE a.id = $1 AND ($2 = 'program_admin' OR ($2 = 'clinic_admin' AND a.clinic_id = $3)) FOR UPDATE""",
        apprenticeship_id,
        viewer.role,
        viewer.clinic_id,
    )


async def set_outcome(
    conn: asyncpg.Connection,
    *,
    apprenticeship_id: UUID,
    completed_on: date | None,
    placed_on: date | None,
    placement: str | None,
) -> None:
    await conn.execute(
        """UPDATE apprenticeships SET completed_on = $2, status = CASE WHEN $2::date IS NULL THEN 'active' ELSE 'completed' END,
                  placed_on = $3, placement = $4 WHERE id = $1""",
        apprenticeship_id,
        completed_on,
        placed_on,
        placement,
    )


async def create(
    conn: asyncpg.Connection,
    *,
    program_key: str,
    apprentice_email: str,
    mentor_email: str,
    starts_on: date,
    actor_id: UUID,
) -> dict[str, Any]:
    """Creates the record when the program, the worker (with a clinic) and the mentor exist; says which is missing."""
    row = await conn.fetchrow(
        """WITH p AS (SELECT id FROM apprenticeship_programs WHERE key = $1),
                w AS (SELECT id, clinic_id FROM users WHERE email = lower($2) AND role = 'worker' AND active AND clinic_id IS NOT NULL),
                m AS (SELECT id FROM users WHERE email = lower($3) AND active),
                made AS (INSERT INTO apprenticeships (program_id, user_id, clinic_id, mentor_id, starts_on, created_by)
                         SELECT p.id, w.id, w.clinic_id, m.id, $4, $5 FROM p, w, m WHERE w.id <> m.id
                         ON CONFLICT (user_id, program_id) DO NOTHING RETURNING id)
           SELECT (SELECT id FROM p) AS program, (SELECT id FROM w) AS apprentice, (SELECT id FROM m) AS mentor,
                  (SELECT id FROM made) AS id""",
        program_key,
        apprentice_email,
        mentor_email,
        starts_on,
        actor_id,
    )
    return dict(row)


async def programs(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch("SELECT key, name FROM apprenticeship_programs ORDER BY key")]


async def export_rows(conn: asyncpg.Connection, *, viewer: CurrentUser) -> list[Apprenticeship]:
    rows = await conn.fetch(
        f"{_RECORD} WHERE {sees('a', 'mentor_id', 1)} ORDER BY c.name, u.display_name, a.id", *viewer_args(viewer)
    )
    return [_record(r) for r in rows]
