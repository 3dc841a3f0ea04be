"""The job queue in a process that builds one app after another (as the tests, or a reloading server, do): the task
names stay what the queue's rows say, and a job deferred through each app's worker runs."""

from __future__ import annotations

import asyncio

from litestar.testing import AsyncTestClient

from lms.app import create_app
from lms.jobs.queue import jobs
from lms.messages.service import send_message
from tests.helpers import make_clinic, make_user
from tests.integration.smtp_server import smtp_server

TASKS = {
    "lms:deliver_messages",
    "lms:deliver_messages_periodic",
    "lms:send_reminders",
    "lms:close_ended_sessions",
    "lms:abandon_cmi5_sessions",
}


async def test_task_names_stay_stable_across_apps_and_each_apps_worker_runs_a_deferred_job(settings, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns")
    with smtp_server() as (inbox, port):
        settings = settings.replace(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
        for n in (1, 2):
            async with AsyncTestClient(app=create_app(settings, jobs=True)):
                ours = {name for name in jobs.tasks if name.startswith("lms")}  # not procrastinate's builtins
                assert ours == TASKS and all(jobs.tasks[name].name == name for name in TASKS), sorted(jobs.tasks)
                # A committed message wakes delivery: a job deferred by name ("lms:deliver_messages") that this app's
                # worker must find among its tasks. Well under the periodic run's minute.
                await send_message(
                    conn,
                    settings,
                    user_id=worker.id,
                    kind="certificate.issued",
                    occasion=f"cert-{n}",
                    params={"course": "CPR", "code": f"CODE-{n}", "link": "http://x/verify"},
                )
                for _ in range(150):
                    if len(inbox.received) == n:
                        break
                    await asyncio.sleep(0.1)
                assert len(inbox.received) == n, f"app {n}: the deferred delivery did not run"
    assert await conn.fetchval("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'") == 0
