"""The tasks the worker runs. Periodic ones get the tick's ``timestamp`` (seconds since the epoch, UTC), so what
they do depends on the tick, not on when a worker got round to it (and tests move time forward by passing one)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import procrastinate
from procrastinate import JobContext, RetryStrategy

from lms.credit.reminders import certificate_notices, renewal_reminders
from lms.learning.attendance import close_all_ended
from lms.learning.reminders import session_reminders
from lms.messages.delivery import deliver_due
from lms.packages.cmi5.service import abandon_stale
from lms.settings import Settings

tasks = procrastinate.Blueprint()

# A failed run is tried again after 2, 4, 8 ... seconds (each message also keeps its own backoff).
BACKOFF = RetryStrategy(max_attempts=5, exponential_wait=2)


@tasks.task(name="deliver_messages", queue="messages", pass_context=True, retry=BACKOFF)
async def deliver_messages(context: JobContext) -> int:
    extra = context.additional_context
    return await deliver_due(extra["pool"], extra["settings"])


@tasks.periodic(cron="* * * * *", periodic_id="every-minute")
@tasks.task(name="deliver_messages_periodic", queue="messages", pass_context=True, retry=BACKOFF)
async def deliver_messages_periodic(context: JobContext, timestamp: int) -> int:
    extra = context.additional_context
    return await deliver_due(extra["pool"], extra["settings"])


async def send_due_reminders(pool: asyncpg.Pool, settings: Settings, *, now: datetime) -> int:
    """Write every reminder due at ``now``, each kind in its own transaction (delivery follows through the queue);
    how many were new. Each reminder is one row per person and occasion in ``messages`` (unique), so a tick that
    runs twice, late, or in two processes at once sends it once."""
    total = 0
    for kind in (renewal_reminders, session_reminders, certificate_notices):
        async with pool.acquire() as conn, conn.transaction():
            total += await kind(conn, settings, now)
    return total


@tasks.periodic(cron="*/15 * * * *", periodic_id="quarter-hourly")
@tasks.task(name="send_reminders", queue="reminders", pass_context=True, retry=BACKOFF)
async def send_reminders(context: JobContext, timestamp: int) -> int:
    extra = context.additional_context
    return await send_due_reminders(extra["pool"], extra["settings"], now=datetime.fromtimestamp(timestamp, UTC))


@tasks.periodic(cron="* * * * *", periodic_id="sessions-every-minute")
@tasks.task(name="close_ended_sessions", queue="attendance", pass_context=True, retry=BACKOFF)
async def close_ended_sessions(context: JobContext, timestamp: int) -> int:
    """Attendance closes at a session's end even when nobody looks: completion and certificates follow then."""
    extra = context.additional_context
    return await close_all_ended(extra["pool"], base_url=extra["settings"].public_base_url)


@tasks.periodic(cron="*/10 * * * *", periodic_id="cmi5-abandon")
@tasks.task(name="abandon_cmi5_sessions", queue="reminders", pass_context=True, retry=BACKOFF)
async def abandon_cmi5_sessions(context: JobContext, timestamp: int) -> int:
    """cmi5 sessions left without terminated get the LMS's abandoned statement (lms/packages/cmi5/service.py)."""
    extra = context.additional_context
    return await abandon_stale(extra["pool"], extra["settings"], now=datetime.fromtimestamp(timestamp, UTC))
