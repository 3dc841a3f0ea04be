"""In-person sessions of an in-person activity: scheduling, registration within capacity, attendance by roster or by
the rotating QR code, and the roster with session length and minutes attended per worker.

Minutes attended are counted from max(arrival, start) to min(leaving, end), rounded down: what contact hours are
computed from (lms.learning.attendance). One attendance row per worker and session (primary key), however many scans
or roster saves arrive.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.learning.schemas import Roster, RosterLine, SessionCreate, SessionOut

CLINIC_TZ = "America/Los_Angeles"  # the partnership's clinics are in California
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


async def create_session(conn: asyncpg.Connection, *, actor: CurrentUser, data: SessionCreate) -> SessionOut:
    for name in ("starts_at", "ends_at"):
        if getattr(data, name).tzinfo is None:
            raise Invalid(
                N_("%(name)s: give the time with its offset, e.g. 2026-03-01T09:00:00-08:00"),
                params={"name": name},
                field=name,
            )
    if data.ends_at <= data.starts_at:
        raise Invalid(N_("the session must end after it starts"), field="ends_at")
    if (data.ends_at - data.starts_at).total_seconds() > 24 * 3600:
        raise Invalid(N_("a session lasts at most 24 hours"), field="ends_at")
    if (data.delivery == "live_online") != (data.join_url is not None):
        raise Invalid(N_("a live online session needs its https link, and only it has one"), field="join_url")
    row = await conn.fetchrow(
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
        actor.id,
        data.delivery,
        data.join_url,
    )
    if row["activity_id"] is None:
        raise NotFound(
            N_("no in-person activity %(activity_key)s in a published %(code)s v%(version)s"),
            params={"activity_key": data.activity_key, "code": data.code, "version": data.version},
            field="activity_key",
        )
    if row["clinic_id"] is None:
        raise NotFound(N_("no clinic %(clinic)s"), params={"clinic": data.clinic}, field="clinic")
    await record(
        conn,
        actor_id=actor.id,
        action="session.scheduled",
        subject=str(row["id"]),
        detail={"course": f"{data.code} v{data.version}", "activity": data.activity_key, "delivery": data.delivery},
    )
    found = await get_session(conn, session_id=row["id"], actor=actor)
    assert found is not None
    return found


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


async def register(conn: asyncpg.Connection, *, user_id: UUID, session_id: UUID) -> bool:
    """Register the caller (enrolled in the course version) within capacity. Returns False when already registered."""
    # Lock the session row first, so the capacity count below sees every registration committed before ours.
    session = await conn.fetchrow(
        """SELECT s.id, s.capacity, s.ends_at > now() AS open, s.cancelled_at, a.version_id
           FROM inperson_sessions s JOIN version_activities a ON a.id = s.activity_id WHERE s.id = $1 FOR UPDATE OF s""",
        session_id,
    )
    if session is None:
        raise NotFound(N_("no such session"))
    if session["cancelled_at"] is not None or not session["open"]:
        raise Conflict(N_("this session is over or was cancelled"), field="session")
    row = await conn.fetchrow(
        """WITH e AS (SELECT id FROM enrollments WHERE user_id = $2 AND version_id = $3),
                taken AS (SELECT count(*) AS n FROM session_registrations WHERE session_id = $1),
                mine AS (SELECT 1 FROM session_registrations WHERE session_id = $1 AND user_id = $2),
                added AS (INSERT INTO session_registrations (session_id, user_id, enrollment_id)
                          SELECT $1, $2, e.id FROM e, taken WHERE taken.n < $4 AND NOT EXISTS (SELECT 1 FROM mine)
                          ON CONFLICT DO NOTHING RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM e) AS enrolled, EXISTS (SELECT 1 FROM mine) AS already, EXISTS (SELECT 1 FROM added) AS added""",
        session_id,
        user_id,
        session["version_id"],
        session["capacity"],
    )
    if not row["enrolled"]:
        raise Forbidden(N_("enrol in the course before registering for its session"), field="enrollment")
    if row["already"]:
        return False
    if not row["added"]:
        raise Conflict(N_("this session is full; choose another date"), field="session")
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


async def cancel_session(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> bool:
    done = await conn.fetchval(
        f"""UPDATE inperson_sessions s SET cancelled_at = now()
            WHERE s.id = $1 AND s.cancelled_at IS NULL AND {_RUNS.format(me="$2", role="$3")} RETURNING s.id""",
        session_id,
        actor.id,
        actor.role,
    )
    if done:
        await record(conn, actor_id=actor.id, action="session.cancelled", subject=str(session_id))
    return done is not None


# The short check-in code: 6 characters without look-alikes (no 0/O, 1/I/L), typed by hand on a phone.
CHECKIN_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHECKIN_LENGTH = 6


def normalize_checkin_code(typed: str) -> str | None:
    cleaned = "".join(typed.upper().split()).replace("-", "")
    if len(cleaned) != CHECKIN_LENGTH or any(ch not in CHECKIN_ALPHABET for ch in cleaned):
        return None
    return cleaned


async def checkin_code(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> str | None:
    """The session's short code, made on first need (None: not a session this person runs)."""
    for _attempt in range(5):
        code = "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_LENGTH))
        try:
            async with conn.transaction():
                found = await conn.fetchval(
                    f"""UPDATE inperson_sessions s SET checkin_code = coalesce(s.checkin_code, $4)
                        WHERE s.id = $1 AND {_RUNS.format(me="$2", role="$3")} RETURNING s.checkin_code""",
                    session_id,
                    actor.id,
                    actor.role,
                    code,
                )
        except asyncpg.UniqueViolationError:
            continue  # one in 887 million per existing code: draw again
        return found
    raise Conflict(N_("could not make a check-in code; try again"))  # pragma: no cover


async def session_by_checkin_code(conn: asyncpg.Connection, code: str) -> UUID | None:
    """The session a typed code names, only while its check-in window is open (2 hours before the start to the end)."""
    return await conn.fetchval(
        """SELECT id FROM inperson_sessions WHERE checkin_code = $1 AND cancelled_at IS NULL AND roster_closed_at IS NULL
           AND now() BETWEEN starts_at - interval '2 hours' AND ends_at""",
        code,
    )
