"""The SQL of attendance (lms/learning/attendance.py): a worker's scan, closing open records at a time, the roster's
corrections. Minutes run from max(arrival, start) to min(leaving, end), rounded down, computed by PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser

# Who may run a session: its instructor, or a program admin. ($me, $role)
_RUNS = "(s.instructor_id = {me} OR {role} = 'program_admin')"
_MINUTES = "greatest(floor(extract(epoch FROM {left} - greatest({arrived}, s.starts_at)) / 60), 0)::int"
# The closed (or corrected) records `n` with what their `attended` statements name.
_CLOSED_ROWS = """SELECT n.session_id, n.user_id, n.enrollment_id, n.arrived_at, n.left_at, n.minutes, n.recorded_at, s.language,
                         c.code, v.version, a.key AS activity_key, a.title AS activity_title
                  FROM n JOIN inperson_sessions s ON s.id = n.session_id JOIN version_activities a ON a.id = s.activity_id
                  JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id"""


async def lock_worker_scans(conn: asyncpg.Connection, *, session_id: UUID, user_id: UUID) -> None:
    """Scans of one worker for one session run one at a time: a double tap sees the first scan's record."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('attendance:' || $1::uuid::text || ':' || $2::uuid::text, 0))",
        session_id,
        user_id,
    )


async def scan_state(conn: asyncpg.Connection, *, session_id: UUID, user_id: UUID) -> Any | None:
    """The session (not cancelled), her enrolment in its version and her attendance record so far, if any."""
    return await conn.fetchrow(
        """SELECT s.id, s.starts_at, s.ends_at, s.minutes AS session_minutes, s.roster_closed_at, e.id AS enrollment_id,
                  t.arrived_at, t.left_at, t.minutes, t.method, t.recorded_at
           FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
           LEFT JOIN enrollments e ON e.user_id = $2 AND e.version_id = a.version_id
           LEFT JOIN attendance t ON t.session_id = s.id AND t.user_id = $2
           WHERE s.id = $1 AND s.cancelled_at IS NULL""",
        session_id,
        user_id,
    )


async def add_arrival(
    conn: asyncpg.Connection,
    *,
    session_id: UUID,
    user_id: UUID,
    enrollment_id: UUID,
    arrived_at: datetime,
    method: str,
) -> None:
    """An open record: she arrived, counted for nothing until it closes."""
    await conn.execute(
        """INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
           VALUES ($1, $2, $3, $4, NULL, 0, $2, $5)""",
        session_id,
        user_id,
        enrollment_id,
        arrived_at,
        method,
    )


async def _close(conn: asyncpg.Connection, where: str, args: list[Any], *, left: str) -> list[Any]:
    """Close the open records matching ``where`` at ``left`` (an SQL time); the closed rows (``_CLOSED_ROWS``)."""
    return await conn.fetch(
        f"""WITH n AS (UPDATE attendance t SET left_at = greatest({left}, t.arrived_at),
                           minutes = {_MINUTES.format(left=left, arrived="t.arrived_at")}
                       FROM inperson_sessions s
                       WHERE s.id = t.session_id AND t.left_at IS NULL AND {where}
                       RETURNING t.session_id, t.user_id, t.enrollment_id, t.arrived_at, t.left_at, t.minutes, t.recorded_at)
            {_CLOSED_ROWS}""",
        *args,
    )


async def close_worker_record(
    conn: asyncpg.Connection, *, session_id: UUID, user_id: UUID, left_at: datetime
) -> list[Any]:
    """Her check-out: her open record closes at ``left_at`` (at most the session's end)."""
    return await _close(
        conn,
        "t.session_id = $1 AND t.user_id = $2",
        [session_id, user_id, left_at],
        left="least($3::timestamptz, s.ends_at)",
    )


async def close_ended_records(conn: asyncpg.Connection, *, user_id: UUID | None, session_id: UUID | None) -> list[Any]:
    """Open records in sessions that have ended close at their end (for one worker, one session, or all)."""
    return await _close(
        conn,
        "s.ends_at <= now() AND ($1::uuid IS NULL OR t.user_id = $1) AND ($2::uuid IS NULL OR t.session_id = $2)",
        [user_id, session_id],
        left="s.ends_at",
    )


async def close_session_records(conn: asyncpg.Connection, *, session_id: UUID) -> list[Any]:
    """The roster closes: the session's open records end now (or at its end)."""
    return await _close(conn, "t.session_id = $1", [session_id], left="least(now(), s.ends_at)")


async def mark_roster_closed(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> UUID | None:
    """The session's id, its roster closed (once), if it is not cancelled and the actor runs it; else None."""
    found: UUID | None = await conn.fetchval(
        f"""UPDATE inperson_sessions s SET roster_closed_at = coalesce(s.roster_closed_at, least(now(), s.ends_at))
            WHERE s.id = $1 AND s.cancelled_at IS NULL AND {_RUNS.format(me="$2", role="$3")} RETURNING s.id""",
        session_id,
        actor.id,
        actor.role,
    )
    return found


async def lock_session_run_by(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> Any | None:
    """The session's times and version, locked for a roster change, if the actor runs it."""
    return await conn.fetchrow(
        f"""SELECT s.id, s.starts_at, s.ends_at, a.version_id FROM inperson_sessions s
            JOIN version_activities a ON a.id = s.activity_id
            WHERE s.id = $1 AND {_RUNS.format(me="$2", role="$3")} FOR UPDATE OF s""",
        session_id,
        actor.id,
        actor.role,
    )


async def roster_workers(
    conn: asyncpg.Connection, *, session_id: UUID, user_ids: list[UUID], version_id: UUID
) -> list[Any]:
    """Each listed worker's name, enrolment in the version and attendance record (each None when missing)."""
    return await conn.fetch(
        """SELECT x.user_id, u.display_name, e.id AS enrollment_id, t.arrived_at, t.left_at, t.minutes
           FROM unnest($2::uuid[]) AS x(user_id)
           LEFT JOIN users u ON u.id = x.user_id
           LEFT JOIN enrollments e ON e.user_id = x.user_id AND e.version_id = $3
           LEFT JOIN attendance t ON t.session_id = $1 AND t.user_id = x.user_id""",
        session_id,
        user_ids,
        version_id,
    )


async def remove_records(conn: asyncpg.Connection, *, session_id: UUID, user_ids: list[UUID]) -> None:
    await conn.execute(
        "DELETE FROM attendance WHERE session_id = $1 AND user_id = ANY($2::uuid[])", session_id, user_ids
    )


async def put_roster_records(
    conn: asyncpg.Connection,
    *,
    session_id: UUID,
    records: list[tuple[UUID, UUID, datetime, datetime | None]],
    recorded_by: UUID,
) -> list[Any]:
    """Write (user, enrolment, arrival, departure or None) records from the roster, replacing what was there; the
    written rows (``_CLOSED_ROWS``)."""
    return await conn.fetch(
        f"""WITH x AS (SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[])
                       AS x(user_id, enrollment_id, arrived_at, left_at)),
                 n AS (INSERT INTO attendance AS t (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                       SELECT s.id, x.user_id, x.enrollment_id, x.arrived_at, x.left_at,
                              CASE WHEN x.left_at IS NULL THEN 0 ELSE {_MINUTES.format(left="x.left_at", arrived="x.arrived_at")} END,
                              $6, 'roster'
                       FROM x CROSS JOIN inperson_sessions s WHERE s.id = $1
                       ON CONFLICT (session_id, user_id) DO UPDATE
                           SET arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at, minutes = EXCLUDED.minutes,
                               recorded_by = EXCLUDED.recorded_by, method = 'roster', recorded_at = now()
                       RETURNING t.session_id, t.user_id, t.enrollment_id, t.arrived_at, t.left_at, t.minutes, t.recorded_at)
            {_CLOSED_ROWS}""",
        session_id,
        [r[0] for r in records],
        [r[1] for r in records],
        [r[2] for r in records],
        [r[3] for r in records],
        recorded_by,
    )
