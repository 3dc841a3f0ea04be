"""The in-person session reminder, the day before (run by the job queue's reminder tick, lms/jobs/tasks.py).

One row per person and session in ``messages`` (unique), so a tick that runs twice or late sends it once."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from lms.learning.session_queries import sessions_tomorrow
from lms.messages.service import send_message
from lms.settings import Settings


async def session_reminders(conn: asyncpg.Connection, settings: Settings, now: datetime) -> int:
    """A reminder to everyone registered for a session that starts tomorrow; how many were new."""
    sent = 0
    for row in await sessions_tomorrow(conn, now):
        sent += (
            await send_message(
                conn,
                settings,
                user_id=row["user_id"],
                kind="session.reminder",
                occasion=str(row["session_id"]),
                params={"course": row["course"], "starts": row["starts"], "place": row["place"]},
            )
            is not None
        )
    return sent
