"""The SQL of in-person sessions (lms/learning/sessions.py): a session as its instructor sees it, the roster, what a
worker scanning the code sees, registration within capacity, cancelling, the check-in code, a worker's own
sessions (lms/learning/calendar.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.clinic_time import ZONE_NAME
from lms.learning.schemas import Roster, RosterLine, SessionCreate, SessionOut

_SESSION = """s.id, s.activity_id, c.code, v.version, a.key AS activity_key, a.title AS activity_title, s.roster_closed_at,
              v.languages, a.minutes AS activity_minutes, s.starts_at, s.ends_at, s.minutes, s.clinic_id, k.name AS clinic_name, s.room,
              s.capacity, s.language, s.instructor_id, i.display_name AS instructor_name,
              (SELECT count(*) FROM session_registrations r WHERE r.session_id = s.id) AS registered,
              (SELECT count(*) FROM attendance t WHERE t.session_id = s.id) AS attended, s.cancelled_at, s.delivery, s.join_url"""
_SESSION_FROM = """inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
                   JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
                   JOIN clinics k ON k.id = s.clinic_id JOIN users i ON i.id = s.instructor_id"""
# Who may run a session: its instructor, or a program admin. ($me, $role)
_RUNS = "(s.instructor_id = {me} OR {role} = 'program_admin')"


async def add_session(conn: asyncpg.Connection, *, instructor_id: UUID, data: SessionCreate) -> Any:
    """The new session's id, with its activity's and clinic's (either None: not found, and nothing added)."""
    return await conn.fetchrow(
        """WITH a AS (SELECT a.id FROM courses c JOIN course_versions v ON v.course_id = c.id
                       JOIN version_activities a ON a.version_id = v.id
                       WHERE c.code = $1 AND v.version = $2 AND a.key = $3 AND a.kind = 'in_person' AND v.status = 'published'),
                 k AS (SELECT id FROM clinics WHERE slug = $4),
                 s AS (INSERT INTO inperson_sessions (activity_id, starts_at, ends_at, clinic_id, room, capacity, language, instructor_id,
                                                      delivery, join_url)
                       SELECT a.id, $5, $6, k.id, $7, $8, $9, $10, $11, $12 FROM a, k RETURNING id)
            SELECT (SELECT id FROM a) AS activity_id, (SELECT id FROM k) AS clinic_id, (SELECT id FROM s) AS id""",
        data.code,
        data.version,
        data.activity_key,
        data.clinic,
        data.starts_at,
        data.ends_at,
        data.room,
        data.capacity,
        data.language,
        instructor_id,
        data.delivery,
        data.join_url,
    )


async def get_session(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> SessionOut | None:
    row = await conn.fetchrow(
        f"SELECT {_SESSION} FROM {_SESSION_FROM} WHERE s.id = $1 AND {_RUNS.format(me='$2', role='$3')}",
        session_id,
        actor.id,
        actor.role,
    )
    return msgspec.convert(dict(row), SessionOut) if row else None


async def sessions_run_by(
    conn: asyncpg.Connection, *, actor: CurrentUser, include_past: bool = False
) -> list[SessionOut]:
    rows = await conn.fetch(
        f"""SELECT {_SESSION} FROM {_SESSION_FROM}
            WHERE {_RUNS.format(me="$1", role="$2")} AND ($3 OR s.ends_at > now() - interval '7 days')
            ORDER BY s.starts_at LIMIT 500""",
        actor.id,
        actor.role,
        include_past,
    )
    return [msgspec.convert(dict(r), SessionOut) for r in rows]


async def in_person_activities(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """What an instructor may schedule: the in-person activities of published versions."""
    rows = await conn.fetch(
        """SELECT c.code, v.version, a.key, a.title, a.minutes, v.languages
           FROM version_activities a JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
           WHERE a.kind = 'in_person' AND v.status = 'published'
           ORDER BY c.code, v.version DESC, a.position"""
    )
    return [dict(r) for r in rows]


async def lock_session(conn: asyncpg.Connection, session_id: UUID) -> Any | None:
    """The session row locked, so a capacity count after it sees every registration committed before ours."""
    return await conn.fetchrow(
        """SELECT s.id, s.capacity, s.ends_at > now() AS open, s.cancelled_at, a.version_id
           FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id WHERE s.id = $1 FOR UPDATE OF s""",
        session_id,
    )


async def add_registration(
    conn: asyncpg.Connection, *, session_id: UUID, user_id: UUID, version_id: UUID, capacity: int
) -> Any:
    """Register within capacity: whether she is enrolled, was registered already, was added now."""
    return await conn.fetchrow(
        """WITH e AS (SELECT id FROM enrollments WHERE user_id = $2 AND version_id = $3),
                taken AS (SELECT count(*) AS n FROM session_registrations WHERE session_id = $1),
                mine AS (SELECT 1 FROM session_registrations WHERE session_id = $1 AND user_id = $2),
                added AS (INSERT INTO session_registrations (session_id, user_id, enrollment_id)
                          SELECT $1, $2, e.id FROM e, taken WHERE taken.n < $4 AND NOT EXISTS (SELECT 1 FROM mine)
                          ON CONFLICT DO NOTHING RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM e) AS enrolled, EXISTS (SELECT 1 FROM mine) AS already, EXISTS (SELECT 1 FROM added) AS added""",
        session_id,
        user_id,
        version_id,
        capacity,
    )


async def session_for_worker(conn: asyncpg.Connection, *, session_id: UUID) -> Any | None:
    """What a worker scanning the code sees: the course, the activity, where and when."""
    return await conn.fetchrow(
        f"""SELECT {_SESSION}, v.title AS course_title, v.languages,
                   to_char(s.starts_at AT TIME ZONE '{ZONE_NAME}', 'YYYY-MM-DD') AS date_local,
                   to_char(s.starts_at AT TIME ZONE '{ZONE_NAME}', 'HH24:MI') AS starts_local,
                   to_char(s.ends_at AT TIME ZONE '{ZONE_NAME}', 'HH24:MI') AS ends_local
            FROM {_SESSION_FROM} WHERE s.id = $1""",
        session_id,
    )


async def unregister(conn: asyncpg.Connection, *, user_id: UUID, session_id: UUID) -> None:
    await conn.execute(
        """DELETE FROM session_registrations r WHERE r.session_id = $1 AND r.user_id = $2
           AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = r.session_id AND t.user_id = r.user_id)""",
        session_id,
        user_id,
    )


async def roster(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> Roster | None:
    """The session with everyone registered or present, in one query."""
    row = await conn.fetchrow(
        f"""SELECT {_SESSION},
                   (SELECT coalesce(json_agg(json_build_object(
                               'user_id', u.id, 'display_name', u.display_name, 'email', u.email,
                               'registered', r.user_id IS NOT NULL, 'enrolled', e.id IS NOT NULL,
                               'arrived_at', t.arrived_at, 'left_at', t.left_at, 'minutes', t.minutes, 'method', t.method)
                               ORDER BY u.display_name, u.email), '[]')
                    FROM (SELECT user_id FROM session_registrations WHERE session_id = s.id
                          UNION SELECT user_id FROM attendance WHERE session_id = s.id) p
                    JOIN users u ON u.id = p.user_id
                    LEFT JOIN session_registrations r ON r.session_id = s.id AND r.user_id = u.id
                    LEFT JOIN attendance t ON t.session_id = s.id AND t.user_id = u.id
                    LEFT JOIN enrollments e ON e.user_id = u.id AND e.version_id = a.version_id) AS lines
            FROM {_SESSION_FROM} WHERE s.id = $1 AND {_RUNS.format(me="$2", role="$3")}""",
        session_id,
        actor.id,
        actor.role,
    )
    if row is None:
        return None
    data = dict(row)
    lines = data.pop("lines")
    return Roster(session=msgspec.convert(data, SessionOut), lines=[msgspec.convert(x, RosterLine) for x in lines])


async def mark_cancelled(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> UUID | None:
    """Cancel a session this person runs (None: not one, or cancelled already)."""
    return await conn.fetchval(
        f"""UPDATE inperson_sessions s SET cancelled_at = now()
            WHERE s.id = $1 AND s.cancelled_at IS NULL AND {_RUNS.format(me="$2", role="$3")} RETURNING s.id""",
        session_id,
        actor.id,
        actor.role,
    )


async def set_checkin_code(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser, code: str) -> str | None:
    """The session's check-in code, ``code`` if it had none (None: not a session this person runs)."""
    return await conn.fetchval(
        f"""UPDATE inperson_sessions s SET checkin_code = coalesce(s.checkin_code, $4)
                        WHERE s.id = $1 AND {_RUNS.format(me="$2", role="$3")} RETURNING s.checkin_code""",
        session_id,
        actor.id,
        actor.role,
        code,
    )


async def session_by_checkin_code(conn: asyncpg.Connection, code: str) -> UUID | None:
    """The session a typed code names, only while its check-in window is open (2 hours before the start to the end)."""
    return await conn.fetchval(
        """SELECT id FROM inperson_sessions WHERE checkin_code = $1 AND cancelled_at IS NULL AND roster_closed_at IS NULL
           AND now() BETWEEN starts_at - interval '2 hours' AND ends_at""",
        code,
    )


_REMINDER_TITLE = "coalesce(v.title ->> split_part(u.language, '-', 1), v.title ->> 'en', (SELECT min(t.value) FROM jsonb_each_text(v.title) t))"


async def sessions_tomorrow(conn: asyncpg.Connection, now: datetime) -> list[asyncpg.Record]:
    """Everyone registered for a session that starts tomorrow (the clinics' local day), with what the reminder names."""
    return await conn.fetch(
        f"""SELECT s.id AS session_id, u.id AS user_id, {_REMINDER_TITLE} AS course,
                   to_char(s.starts_at AT TIME ZONE '{ZONE_NAME}', 'HH24:MI') AS starts,
                   c.name || ', ' || s.room AS place
            FROM inperson_sessions s
            JOIN session_registrations r ON r.session_id = s.id
            JOIN users u ON u.id = r.user_id AND u.active
            JOIN version_activities a ON a.id = s.activity_id
            JOIN course_versions v ON v.id = a.version_id
            JOIN clinics c ON c.id = s.clinic_id
            WHERE s.cancelled_at IS NULL
              AND (s.starts_at AT TIME ZONE '{ZONE_NAME}')::date = ($1::timestamptz AT TIME ZONE '{ZONE_NAME}')::date + 1""",
        now,
    )


async def registered_sessions(conn: asyncpg.Connection, *, user_id: UUID) -> list[asyncpg.Record]:
    """The sessions she is registered for, by start: the course title in her profile language (else English, else
    any) and in each of its languages, times, clinic, room, whether cancelled."""
    return await conn.fetch(
        """SELECT s.id,
                   coalesce(v.title ->> split_part(u.language, '-', 1), v.title ->> 'en',
                            (SELECT min(t.value) FROM jsonb_each_text(v.title) t)) AS course,
                   v.title AS titles, v.languages,
                   s.starts_at, s.ends_at,
                   c.name AS clinic, s.room, s.cancelled_at IS NOT NULL AS cancelled
            FROM session_registrations r
            JOIN users u ON u.id = r.user_id
            JOIN inperson_sessions s ON s.id = r.session_id
            JOIN version_activities a ON a.id = s.activity_id
            JOIN course_versions v ON v.id = a.version_id
            JOIN clinics c ON c.id = s.clinic_id
            WHERE r.user_id = $1
            ORDER BY s.starts_at""",
        user_id,
    )
