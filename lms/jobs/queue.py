"""The process's procrastinate app, and running its worker beside the web app or on its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import procrastinate

from lms.jobs.tasks import tasks
from lms.settings import Settings

log = logging.getLogger("lms.jobs")
WAKE_CHANNEL = "lms_messages"  # lms/db/migrations/0030: a new message notifies at commit

# One App per process. An App that takes a Blueprint's tasks renames them (a second App would make `lms:lms:...`), so
# the tasks are added once, here; each use gives it a database for its lifetime (``connected``). Until then its
# connector is one that is never opened.
jobs = procrastinate.App(connector=procrastinate.PsycopgConnector())
jobs.add_tasks_from(tasks, namespace="lms")


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[procrastinate.App]:
    """The job app on ``settings``' database for the block: to defer jobs, or to run a worker.

    Uses may nest (two apps in one test process, a test deferring beside a worker) and must end in reverse order:
    each gives the app back the connector it found."""
    connector = procrastinate.PsycopgConnector(
        conninfo=settings.database_url, min_size=1, max_size=4, kwargs={"application_name": "lms-jobs"}
    )
    with jobs.replace_connector(connector) as app:
        async with app.open_async():
            yield app
        if app.connector is not connector:  # pragma: no cover (a programming error)
            raise RuntimeError("the job app's uses ended out of order: each must end before the one it began within")


@contextlib.asynccontextmanager
async def running_worker(
    pool: asyncpg.Pool, settings: Settings, *, concurrency: int = 2
) -> AsyncIterator[procrastinate.App]:
    """A worker for this process's lifetime; a new message wakes delivery at once instead of at the next minute."""
    async with connected(settings) as app:
        worker = asyncio.create_task(
            app.run_worker_async(
                concurrency=concurrency,
                install_signal_handlers=False,
                delete_jobs="successful",
                additional_context={"pool": pool, "settings": settings},
            ),
            name="lms-jobs-worker",
        )
        listener = await pool.acquire()

        def wake(*_: Any) -> None:
            asyncio.get_running_loop().create_task(defer_delivery(app))

        await listener.add_listener(WAKE_CHANNEL, wake)
        try:
            yield app
        finally:
            with contextlib.suppress(Exception):
                await listener.remove_listener(WAKE_CHANNEL, wake)
            await pool.release(listener)
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await worker


async def defer_delivery(app: procrastinate.App) -> None:
    """Ask for a delivery run; one already waiting in the queue will do (its queueing lock refuses a second)."""
    try:
        await app.configure_task("lms:deliver_messages", queueing_lock="deliver_messages").defer_async()
    except procrastinate.exceptions.AlreadyEnqueued:
        pass
    except Exception:  # a wake-up is an optimisation: the periodic run delivers anyway
        log.warning("could not queue message delivery", exc_info=True)
