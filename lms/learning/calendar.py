"""My sessions: the in-person sessions a worker is registered for, as a page and as an iCalendar feed a phone
calendar subscribes to.

A calendar app cannot sign in, so the feed's address carries a signature of the worker's id (HMAC with the
service's secret key): whoever has the address sees her session times and places, nothing else.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec
from icalendar import Calendar, Event

from lms.errors import NotFound
from lms.i18n import N_
from lms.learning import session_queries
from lms.schemas import Response


class MySession(Response):
    id: UUID
    course: str  # in the worker's profile language: the calendar feed has no other
    titles: dict[str, str]  # the course title in each of its languages: a page shows the reader's
    languages: list[str]
    starts_at: datetime
    ends_at: datetime
    clinic: str
    room: str
    cancelled: bool


def feed_signature(secret_key: str, user_id: UUID) -> str:
    return hmac.new(secret_key.encode(), f"calendar:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def feed_path(secret_key: str, user_id: UUID) -> str:
    return f"/calendar/{user_id}/{feed_signature(secret_key, user_id)}.ics"


async def my_sessions(conn: asyncpg.Connection, user_id: UUID) -> list[MySession]:
    rows = await session_queries.registered_sessions(conn, user_id=user_id)
    return [msgspec.convert(dict(r), MySession) for r in rows]


def ics(sessions: list[MySession], *, host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//lms//my sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Training sessions")
    stamp = datetime.now(UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", session.course)
        event.add("location", f"{session.clinic}, {session.room}")
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()


async def feed(conn: asyncpg.Connection, *, secret_key: str, user_id: UUID, signature: str, host: str) -> bytes:
    if not hmac.compare_digest(signature.removesuffix(".ics"), feed_signature(secret_key, user_id)):
        raise NotFound(N_("no such calendar"))
    return ics(await my_sessions(conn, user_id), host=host)
