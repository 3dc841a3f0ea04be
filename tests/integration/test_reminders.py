"""Reminders from the job queue with time moved forward: a session the day before, renewal 90/30/7 days before a
worker's cycle ends (to her and her clinic admin, naming what is missing), each once, with two processes' pools
looking at the same ticks and delivering through a real SMTP server."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from lms.credit.rules import add_months
from lms.db.pool import create_pool
from lms.messages.delivery import deliver_due
from lms.messages.reminders import renewal_threshold, send_due_reminders
from tests.integration.learning_fixtures import CODE, api_user, basic, hybrid_course, schedule_session
from tests.integration.smtp_server import smtp_server


@pytest.fixture
def mail():
    with smtp_server() as (inbox, port):
        yield inbox, port


def test_a_late_tick_sends_the_nearest_renewal_reminder_only():
    assert [renewal_threshold(d) for d in (120, 91, 90, 31, 30, 8, 7, 0, -1)] == [None, None, 90, 90, 30, 30, 7, 7, None]


async def test_reminders_go_out_once_each_as_time_moves_forward_in_two_processes(client, settings, conn, mail):
    inbox, port = mail
    settings = settings.replace(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    cast = await hybrid_course(conn, browser=False)
    await api_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns", name="Clinic Admin")
    enrolled = await client.post("/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": ["ana@example.org"]})
    assert enrolled.status_code in (200, 201), enrolled.text
    session = await schedule_session(client, cast, starts_in=timedelta(days=3), minutes=60)
    assert (await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))).status_code == 201
    start = datetime.now(UTC)
    cycle_end = start.date() + timedelta(days=100)
    await conn.execute("INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'RDA', $2)",
                       cast.worker.id, add_months(cycle_end, -24))

    pools = [await create_pool(settings), await create_pool(settings)]  # two service processes' pools
    try:
        async def tick(days: float) -> int:
            now = start + timedelta(days=days)
            made = await asyncio.gather(*(send_due_reminders(pool, settings, now=now) for pool in pools))
            await asyncio.gather(*(deliver_due(pool, settings) for pool in pools))
            return sum(made)

        assert await tick(0) == 0
        assert await tick(2) == 1  # the session is tomorrow
        assert await tick(2.01) == 0
        assert await tick(10) == 2  # 90 days before the cycle ends: Ana and her clinic admin
        assert await tick(10.5) == 0
        assert await tick(71) == 2  # 30 days
        assert await tick(95) == 2  # 7 days
        assert await tick(96) == 0
    finally:
        for pool in pools:
            await pool.close()

    received = Counter((m["To"], m["Subject"]) for m in inbox.received)
    assert all(n == 1 for n in received.values()), f"sent twice: {received}"
    to_ana = sorted(subject for to, subject in received if to == "ana@example.org")
    assert len(to_ana) == 4 and any(s.startswith("Training tomorrow") for s in to_ana)
    assert sum(1 for to, _ in received if to == "admin@example.org") == 3
    renewal = next(m for m in inbox.received if m["To"] == "ana@example.org" and "in 90 days" in m["Subject"])
    body = renewal.get_content()
    assert cycle_end.isoformat() in body and "more before" in body, body
    assert await conn.fetchval("SELECT count(*) FROM messages WHERE body IS NOT NULL") == 0
