"""In-person sessions of an in-person activity: scheduling, registration within capacity, cancelling, the check-in
code (their SQL, and the roster with session length and minutes attended per worker: lms/learning/session_queries.py).

Minutes attended are counted from max(arrival, start) to min(leaving, end), rounded down: what contact hours are
computed from (lms.learning.attendance). One attendance row per worker and session (primary key), however many scans
or roster saves arrive.
"""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.learning import session_queries
from lms.learning.schemas import SessionCreate, SessionOut


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
    row = await session_queries.add_session(conn, instructor_id=actor.id, data=data)
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
    found = await session_queries.get_session(conn, session_id=row["id"], actor=actor)
    assert found is not None
    return found


async def register(conn: asyncpg.Connection, *, user_id: UUID, session_id: UUID) -> bool:
    """Register the caller (enrolled in the course version) within capacity. Returns False when already registered."""
    # Lock the session row first, so the capacity count below sees every registration committed before ours.
    session = await session_queries.lock_session(conn, session_id)
    if session is None:
        raise NotFound(N_("no such session"))
    if session["cancelled_at"] is not None or not session["open"]:
        raise Conflict(N_("this session is over or was cancelled"), field="session")
    row = await session_queries.add_registration(
        conn, session_id=session_id, user_id=user_id, version_id=session["version_id"], capacity=session["capacity"]
    )
    if not row["enrolled"]:
        raise Forbidden(N_("enrol in the course before registering for its session"), field="enrollment")
    if row["already"]:
        return False
    if not row["added"]:
        raise Conflict(N_("this session is full; choose another date"), field="session")
    return True


async def cancel_session(conn: asyncpg.Connection, *, session_id: UUID, actor: CurrentUser) -> bool:
    done = await session_queries.mark_cancelled(conn, session_id=session_id, actor=actor)
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
                found = await session_queries.set_checkin_code(conn, session_id=session_id, actor=actor, code=code)
        except asyncpg.UniqueViolationError:
            continue  # one in 887 million per existing code: draw again
        return found
    raise Conflict(N_("could not make a check-in code; try again"))  # pragma: no cover
