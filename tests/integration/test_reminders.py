"""Reminders from the job queue with time moved forward: a session the day before, renewal 90/30/7 days before a
worker's cycle ends (to her and her clinic admin, naming what is missing), each once, with two `lms worker` OS
processes running the same ticks and delivering through a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lms import clinic_time
from lms.credit.reminders import renewal_threshold
from lms.credit.rules import add_months
from lms.jobs.queue import connected
from tests.integration.learning_fixtures import CODE, api_user, basic, hybrid_course, schedule_session
from tests.integration.smtp_server import smtp_server

LMS = Path(sys.executable).parent / "lms"


@pytest.fixture
def mail():
    with smtp_server() as (inbox, port):
        yield inbox, port


def test_a_late_tick_sends_the_nearest_renewal_reminder_only():
    assert [renewal_threshold(d) for d in (120, 91, 90, 31, 30, 8, 7, 0, -1)] == [
        None,
        None,
        90,
        90,
        30,
        30,
        7,
        7,
        None,
    ]


def _worker_process(settings, port: int, log_path: Path) -> subprocess.Popen:
    """`lms worker` as its own OS process against the test's database, delivering through the test's SMTP server."""
    env = {
        **os.environ,
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_SECRET_KEY": settings.secret_key,
        "LMS_DATA_DIR": str(log_path.parent),
        "LMS_SMTP_HOST": "127.0.0.1",
        "LMS_SMTP_PORT": str(port),
        "LMS_SMTP_SECURITY": "none",
        "LMS_LOG_FORMAT": "text",
        "LMS_SEED_DEMO": "false",
    }
    with log_path.open("w") as out:
        return subprocess.Popen(
            [str(LMS), "worker"], env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )


async def _settled(conn, inbox, expected: int, log_paths: list[Path]) -> None:
    """Both ticks' jobs done (none failed), then the mail that was due has arrived (and room for a duplicate)."""
    for _ in range(1200):
        waiting = await conn.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'lms:send_reminders' AND status IN ('todo', 'doing')"
        )
        if waiting == 0 and len(inbox.received) >= expected:
            break
        await asyncio.sleep(0.1)
    else:
        logs = "\n".join(p.read_text()[-2000:] for p in log_paths)
        raise AssertionError(f"{len(inbox.received)} of {expected} messages arrived; the workers said:\n{logs}")
    await asyncio.sleep(1.5)
    failed = await conn.fetchval("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
    assert failed == 0, "a reminder job failed"


async def test_reminders_go_out_once_each_as_time_moves_forward_in_two_processes(
    client, settings, conn, mail, tmp_path
):
    """Two `lms worker` OS processes on one database; every tick is queued twice (as two replicas' schedulers would),
    with its timestamp moved forward, and the processes race to run them."""
    inbox, port = mail
    cast = await hybrid_course(conn, browser=False)
    await api_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns", name="Clinic Admin")
    enrolled = await client.post(
        "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": ["ana@example.org"]}
    )
    assert enrolled.status_code in (200, 201), enrolled.text
    session = await schedule_session(client, cast, starts_in=timedelta(days=3), minutes=60)
    assert (
        await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))
    ).status_code == 201
    start = datetime.now(UTC)
    cycle_end = start.astimezone(clinic_time.ZONE).date() + timedelta(
        days=100
    )  # a California date, as the service counts
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'RDA', $2)",
        cast.worker.id,
        add_months(cycle_end, -24),
    )

    logs = [tmp_path / "one" / "worker.log", tmp_path / "two" / "worker.log"]
    for path in logs:
        path.parent.mkdir()
    processes = [_worker_process(settings, port, path) for path in logs]
    try:
        async with connected(settings) as jobs:

            async def tick(days: float, expected: int) -> None:
                stamp = int((start + timedelta(days=days)).timestamp())
                for _ in processes:  # each replica's scheduler queues the same tick
                    await jobs.configure_task("lms:send_reminders").defer_async(timestamp=stamp)
                await _settled(conn, inbox, expected, logs)
                assert len(inbox.received) == expected, f"day {days}: {[m['Subject'] for m in inbox.received]}"

            await tick(0, 0)
            await tick(2, 1)  # the session is tomorrow
            await tick(2.01, 1)
            await tick(10, 3)  # 90 days before the cycle ends: Ana and her clinic admin
            await tick(10.5, 3)
            await tick(71, 5)  # 30 days
            await tick(95, 7)  # 7 days
            await tick(96, 7)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert all(p.returncode is not None for p in processes)

    received = Counter((m["To"], m["Subject"]) for m in inbox.received)
    assert all(n == 1 for n in received.values()), f"sent twice: {received}"
    to_ana = sorted(subject for to, subject in received if to == "ana@example.org")
    assert len(to_ana) == 4 and any(s.startswith("Training tomorrow") for s in to_ana)
    assert sum(1 for to, _ in received if to == "admin@example.org") == 3
    renewal = next(m for m in inbox.received if m["To"] == "ana@example.org" and "in 90 days" in m["Subject"])
    body = renewal.get_content()
    assert cycle_end.isoformat() in body and "more before" in body, body
    assert await conn.fetchval("SELECT count(*) FROM messages WHERE body IS NOT NULL") == 0
