"""In-person sessions of an in-person activity: scheduling, registration within capacity, attendance by roster or by
the rotating QR code, and the roster with session length and minutes attended per worker.

Minutes attended are counted from max(arrival, start) to min(leaving, end), rounded down: what contact hours are
computed from. One attendance row per worker and session (primary key), however many scans or roster saves arrive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.learning import xapi
from lms.learning.completion import complete_if_done
from lms.learning.schemas import Attendance, Roster, RosterLine, RosterMark, SessionCreate, SessionOut
from lms.xapi.service import store_trusted

CLINIC_TZ = "America/Los_Angeles"  # the partnership's clinics are in California
_SESSION = """s.id, s.activity_id, c.code, v.version, a.key AS activity_key, a.title AS activity_title,
              a.minutes AS activity_minutes, s.starts_at, s.ends_at, s.minutes, s.clinic_id, k.name AS clinic_name, s.room,
              s.capacity, s.language, s.instructor_id, i.display_name AS instructor_name,
              (SELECT count(*) FROM session_registrations r WHERE r.session_id = s.id) AS registered,
              (SELECT count(*) FROM attendance t WHERE t.session_id = s.id) AS attended, s.cancelled_at"""
_SESSION_FROM = """inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
                   JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
                   JOIN clinics k ON k.id = s.clinic_id JOIN users i ON i.id = s.instructor_id"""
# Who may run a session: its instructor, or a program admin. ($me, $role)
_RUNS = "(s.instructor_id = {me} OR {role} = 'program_admin')"


async def create_session(conn: asyncpg.Connection, *, actor: CurrentUser, data: SessionCreate) -> SessionOut:
    for name in ("starts_at", "ends_at"):
        if getattr(data, name).tzinfo is None:
            raise Invalid(f"{name}: give the time with its offset, e.g. 2026-03-01T09:00:00-08:00", field=name)
    if data.ends_at <= data.starts_at:
        raise Invalid("the session must end after it starts", field="ends_at")
    if (data.ends_at - data.starts_at).total_seconds() > 24 * 3600:
        raise Invalid("a session lasts at most 24 hours", field="ends_at")
    row = await conn.fetchrow(
        """WITH a AS (SELECT a.id FROM courses c JOIN course_versions v ON v.course_id = c.id
                       JOIN version_activities a ON a.version_id = v.id
                       WHERE c.code = $1 AND v.version = $2 AND a.key = $3 AND a.kind = 'in_person' AND v.status = 'published'),
                 k AS (SELECT id FROM clinics WHERE slug = $4),
                 s AS (INSERT INTO inperson_sessions (activity_id, starts_at, ends_at, clinic_id, room, capacity, language, instructor_id)
                       SELECT a.id, $5, $6, k.id, $7, $8, $9, $10 FROM a, k RETURNING id)
            SELECT (SELECT id FROM a) AS activity_id, (SELECT id FROM k) AS clinic_id, (SELECT id FROM s) AS id""",
        data.code, data.version, data.activity_key, data.clinic, data.starts_at, data.ends_at, data.room, data.capacity,
        data.language, actor.id,
    )
    if row["activity_id"] is None:
        raise NotFound(f"no in-person activity {data.activity_key} in a published {data.code} v{data.version}", field="activity_key")
    if row["clinic_id"] is None:
        raise NotFound(f"no clinic {data.clinic}", field="clinic")
    await record(conn, actor_id=actor.id, action="session.scheduled", subject=str(row["id"]),
                 detail={"course": f"{data.code} v{data.version}", "activity": data.activity_key})
    found = await get_session(conn, session_id=row["id"], actor=actor)
    assert found is not None
    return found


async def get_session(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> SessionOut | None:
    row = await conn.fetchrow(
        f"SELECT {_SESSION} FROM {_SESSION_FROM} WHERE s.id = $1 AND {_RUNS.format(me='$2', role='$3')}",
        session_id, actor.id, actor.role,
    )
    return msgspec.convert(dict(row), SessionOut) if row else None


async def sessions_run_by(conn: asyncpg.Connection, *, actor: CurrentUser, include_past: bool = False) -> list[SessionOut]:
    rows = await conn.fetch(
        f"""SELECT {_SESSION} FROM {_SESSION_FROM}
            WHERE {_RUNS.format(me='$1', role='$2')} AND ($3 OR s.ends_at > now() - interval '7 days')
            ORDER BY s.starts_at LIMIT 500""",
        actor.id, actor.role, include_past,
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


async def register(conn: asyncpg.Connection, *, user_id: UUID, session_id: UUID) -> bool:
    """Register the caller (enrolled in the course version) within capacity. Returns False when already registered."""
    # Lock the session row first, so the capacity count below sees every registration committed before ours.
    session = await conn.fetchrow(
        """SELECT s.id, s.capacity, s.ends_at > now() AS open, s.cancelled_at, a.version_id
           FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id WHERE s.id = $1 FOR UPDATE OF s""",
        session_id,
    )
    if session is None:
        raise NotFound("no such session")
    if session["cancelled_at"] is not None or not session["open"]:
        raise Conflict("this session is over or was cancelled", field="session")
    row = await conn.fetchrow(
        """WITH e AS (SELECT id FROM enrollments WHERE user_id = $2 AND version_id = $3),
                taken AS (SELECT count(*) AS n FROM session_registrations WHERE session_id = $1),
                mine AS (SELECT 1 FROM session_registrations WHERE session_id = $1 AND user_id = $2),
                added AS (INSERT INTO session_registrations (session_id, user_id, enrollment_id)
                          SELECT $1, $2, e.id FROM e, taken WHERE taken.n < $4 AND NOT EXISTS (SELECT 1 FROM mine)
                          ON CONFLICT DO NOTHING RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM e) AS enrolled, EXISTS (SELECT 1 FROM mine) AS already, EXISTS (SELECT 1 FROM added) AS added""",
        session_id, user_id, session["version_id"], session["capacity"],
    )
    if not row["enrolled"]:
        raise Forbidden("enrol in the course before registering for its session", field="enrollment")
    if row["already"]:
        return False
    if not row["added"]:
        raise Conflict("this session is full; choose another date", field="session")
    return True


async def session_for_worker(conn: asyncpg.Connection, *, session_id: UUID) -> Any | None:
    """What a worker scanning the code sees: the course, the activity, where and when."""
    return await conn.fetchrow(
        f"""SELECT {_SESSION}, v.title AS course_title, v.languages,
                   to_char(s.starts_at AT TIME ZONE '{CLINIC_TZ}', 'YYYY-MM-DD') AS date_local,
                   to_char(s.starts_at AT TIME ZONE '{CLINIC_TZ}', 'HH24:MI') AS starts_local,
                   to_char(s.ends_at AT TIME ZONE '{CLINIC_TZ}', 'HH24:MI') AS ends_local
            FROM {_SESSION_FROM} WHERE s.id = $1""",
        session_id,
    )


async def unregister(conn: asyncpg.Connection, *, user_id: UUID, session_id: UUID) -> None:
    await conn.execute(
        """DELETE FROM session_registrations r WHERE r.session_id = $1 AND r.user_id = $2
           AND NOT EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = r.session_id AND t.user_id = r.user_id)""",
        session_id, user_id,
    )


async def _attended(conn: asyncpg.Connection, rows: list[Any], *, base_url: str) -> None:
    """After new attendance: an `attended` statement per worker, then completion for those enrolments."""
    for r in rows:
        statement = xapi.build_statement(
            base_url=base_url, user_id=r["user_id"], verb="attended", code=r["code"], version=r["version"], key=r["activity_key"],
            title=r["activity_title"], registration=r["enrollment_id"], language=r["language"],
            timestamp=r["recorded_at"],
            result={"duration": f"PT{r['minutes']}M", "completion": True},
        )
        await store_trusted(conn, statement, base_url=base_url)
    if rows:
        await complete_if_done(conn, sorted({r["enrollment_id"] for r in rows}), base_url=base_url)


_NEW_ATTENDANCE = """SELECT n.session_id, n.user_id, n.enrollment_id, n.arrived_at, n.minutes, n.recorded_at, s.language,
                            c.code, v.version, a.key AS activity_key, a.title AS activity_title
                     FROM {source} n JOIN inperson_sessions s ON s.id = n.session_id JOIN version_activities a ON a.id = s.activity_id
                     JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id"""


async def record_arrival(
    conn: asyncpg.Connection, *, session_id: UUID, user_id: UUID, arrived_at: datetime, base_url: str,
) -> Attendance:
    """A worker scanned the session's code: minutes from arrival (or the start) to the end. The first scan stands."""
    row = await conn.fetchrow(
        f"""WITH s AS (SELECT s.id, s.starts_at, s.ends_at, s.minutes, a.version_id
                       FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id
                       WHERE s.id = $1 AND s.cancelled_at IS NULL),
                 e AS (SELECT e.id FROM enrollments e, s WHERE e.user_id = $2 AND e.version_id = s.version_id),
                 n AS (INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                       SELECT s.id, $2, e.id, $3, s.ends_at,
                              floor(extract(epoch FROM s.ends_at - greatest($3, s.starts_at)) / 60)::int, $2, 'qr'
                       FROM s, e WHERE $3 < s.ends_at AND $3 > s.starts_at - interval '2 hours'
                       ON CONFLICT (session_id, user_id) DO NOTHING
                       RETURNING session_id, user_id, enrollment_id, arrived_at, left_at, minutes, method, recorded_at)
            SELECT (SELECT count(*) FROM s) AS found, (SELECT count(*) FROM e) AS enrolled,
                   (SELECT starts_at FROM s) AS starts_at, (SELECT ends_at FROM s) AS ends_at, (SELECT minutes FROM s) AS session_minutes,
                   (SELECT row_to_json(n) FROM n) AS created,
                   (SELECT row_to_json(t) FROM (SELECT session_id, user_id, arrived_at, left_at, minutes, method FROM attendance
                                                WHERE session_id = $1 AND user_id = $2) t) AS earlier,
                   (SELECT json_agg(x) FROM ({_NEW_ATTENDANCE.format(source='n')}) x) AS new_rows""",
        session_id, user_id, arrived_at,
    )
    if not row["found"]:
        raise NotFound("no such session, or it was cancelled")
    if not row["enrolled"]:
        raise Forbidden("you are not enrolled in this course; ask the instructor", field="enrollment")
    attendance = row["created"] or row["earlier"]
    if attendance is None:
        if arrived_at >= row["ends_at"]:
            raise Conflict("this session has ended; ask the instructor to add you to the roster", field="session")
        raise Conflict("this session has not started yet; scan the code again when it starts", field="session")
    if row["new_rows"]:
        await _attended(conn, [_typed(r) for r in row["new_rows"]], base_url=base_url)
    return msgspec.convert({**attendance, "session_minutes": row["session_minutes"], "created": row["created"] is not None}, Attendance)


def _typed(r: dict[str, Any]) -> dict[str, Any]:
    """JSON from a CTE back to the types statements need."""
    return {**r, "arrived_at": datetime.fromisoformat(r["arrived_at"]), "recorded_at": datetime.fromisoformat(r["recorded_at"]),
            "session_id": UUID(r["session_id"]), "user_id": UUID(r["user_id"]), "enrollment_id": UUID(r["enrollment_id"])}


async def save_roster(
    conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser, marks: list[RosterMark], base_url: str,
) -> int:
    """The instructor's roster: present workers get their minutes (corrections replace what was there), absent ones
    lose a mistaken record. Every worker must be enrolled in the course version; otherwise nothing is saved."""
    payload = [msgspec.to_builtins(m) for m in marks]
    row = await conn.fetchrow(
        f"""WITH s AS (SELECT s.id, s.starts_at, s.ends_at, a.version_id FROM inperson_sessions s
                       JOIN version_activities a ON a.id = s.activity_id
                       WHERE s.id = $1 AND {_RUNS.format(me='$3', role='$4')}),
                 m AS (SELECT x.user_id, x.present, (x.arrived_at IS NOT NULL OR x.left_at IS NOT NULL) AS timed,
                              greatest(coalesce(x.arrived_at, s.starts_at), s.starts_at) AS arrived,
                              least(coalesce(x.left_at, s.ends_at), s.ends_at) AS left_at, e.id AS enrollment_id, s.id AS session_id
                       FROM jsonb_to_recordset($2::jsonb) AS x(user_id uuid, present boolean, arrived_at timestamptz, left_at timestamptz)
                       CROSS JOIN s LEFT JOIN enrollments e ON e.user_id = x.user_id AND e.version_id = s.version_id),
                 ok AS (SELECT * FROM m WHERE present AND NOT EXISTS (SELECT 1 FROM m WHERE enrollment_id IS NULL)),
                 -- Times given: they replace what was there. No times: the whole session, unless a record exists already
                 -- (a scan at arrival, an earlier save), which stands.
                 timed AS (INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                       SELECT session_id, user_id, enrollment_id, arrived, greatest(left_at, arrived),
                              floor(extract(epoch FROM greatest(left_at, arrived) - arrived) / 60)::int, $3, 'roster'
                       FROM ok WHERE timed
                       ON CONFLICT (session_id, user_id) DO UPDATE
                           SET arrived_at = EXCLUDED.arrived_at, left_at = EXCLUDED.left_at, minutes = EXCLUDED.minutes,
                               recorded_by = EXCLUDED.recorded_by, method = 'roster', recorded_at = now()
                       RETURNING session_id, user_id, enrollment_id, arrived_at, minutes, recorded_at, (xmax = 0) AS created),
                 untimed AS (INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                       SELECT session_id, user_id, enrollment_id, arrived, left_at,
                              floor(extract(epoch FROM left_at - arrived) / 60)::int, $3, 'roster'
                       FROM ok WHERE NOT timed
                       ON CONFLICT (session_id, user_id) DO NOTHING
                       RETURNING session_id, user_id, enrollment_id, arrived_at, minutes, recorded_at, true AS created),
                 n AS (SELECT * FROM timed UNION ALL SELECT * FROM untimed),
                 gone AS (DELETE FROM attendance t USING m
                          WHERE t.session_id = m.session_id AND t.user_id = m.user_id AND NOT m.present
                            AND NOT EXISTS (SELECT 1 FROM m WHERE enrollment_id IS NULL)
                          RETURNING t.user_id)
            SELECT (SELECT count(*) FROM s) AS found,
                   (SELECT array_agg(user_id) FROM m WHERE enrollment_id IS NULL) AS not_enrolled,
                   (SELECT count(*) FROM n) + (SELECT count(*) FROM gone) AS changed,
                   (SELECT json_agg(x) FROM ({_NEW_ATTENDANCE.format(source='n')} WHERE n.created) x) AS new_rows""",
        session_id, payload, actor.id, actor.role,
    )
    if not row["found"]:
        raise NotFound("no such session of yours")
    if row["not_enrolled"]:
        raise Invalid(f"marks: worker {row['not_enrolled'][0]} is not enrolled in this course version", field="marks")
    await record(conn, actor_id=actor.id, action="attendance.roster", subject=str(session_id), detail={"marks": len(marks)})
    await _attended(conn, [_typed(r) for r in row["new_rows"] or []], base_url=base_url)
    # Corrected minutes can also complete an enrolment that was short before.
    present = [m.user_id for m in marks if m.present]
    if present:
        ids = await conn.fetchval(
            """SELECT array_agg(enrollment_id) FROM attendance WHERE session_id = $1 AND user_id = ANY($2::uuid[])""",
            session_id, present,
        )
        await complete_if_done(conn, ids or [], base_url=base_url)
    return row["changed"]


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
            FROM {_SESSION_FROM} WHERE s.id = $1 AND {_RUNS.format(me='$2', role='$3')}""",
        session_id, actor.id, actor.role,
    )
    if row is None:
        return None
    data = dict(row)
    lines = data.pop("lines")
    return Roster(session=msgspec.convert(data, SessionOut), lines=[msgspec.convert(x, RosterLine) for x in lines])


async def cancel_session(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> bool:
    done = await conn.fetchval(
        f"""UPDATE inperson_sessions s SET cancelled_at = now()
            WHERE s.id = $1 AND s.cancelled_at IS NULL AND {_RUNS.format(me='$2', role='$3')} RETURNING s.id""",
        session_id, actor.id, actor.role,
    )
    if done:
        await record(conn, actor_id=actor.id, action="session.cancelled", subject=str(session_id))
    return done is not None
