"""Messages: the outbox when nothing is configured, a real SMTP server that accepts or refuses, opt-outs, and the
procrastinate worker delivering from two processes' workers without sending anything twice."""

from __future__ import annotations

import asyncio

import pytest
from litestar.testing import AsyncTestClient

from lms.app import create_app
from lms.db.pool import create_pool
from lms.messages import queries as message_queries
from lms.messages.delivery import deliver_due
from lms.messages.service import send_message
from tests.helpers import csrf_from, make_clinic, make_user, sign_in
from tests.integration.smtp_server import smtp_server


@pytest.fixture
def mail():
    with smtp_server() as (inbox, port):
        yield inbox, port


def _with_smtp(settings, port):
    return settings.replace(
        smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", smtp_from="training@example.org"
    )


async def _certificate_notice(conn, settings, user_id, occasion="cert-1"):
    return await send_message(
        conn,
        settings,
        user_id=user_id,
        kind="certificate.issued",
        occasion=occasion,
        params={"course": "Infection Control", "code": "ABCD-EFGH", "link": "http://x/verify/ABCD-EFGH"},
    )


async def test_without_a_mail_server_messages_wait_in_the_outbox_program_admins_read(client, settings, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns", language="es")
    await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns")
    await make_user(conn, "program@example.org", "program_admin")
    assert await _certificate_notice(conn, settings, worker.id) is not None
    assert await _certificate_notice(conn, settings, worker.id) is None, "one message per occasion"

    await sign_in(client, "admin@example.org")
    assert (await client.get("/admin/outbox", headers={"accept": "text/html"})).status_code == 403
    client.cookies.clear()
    await sign_in(client, "program@example.org")
    outbox = await client.get("/admin/outbox")
    assert outbox.status_code == 200
    assert "Su certificado: Infection Control" in outbox.text and "ABCD-EFGH" in outbox.text
    assert "No mail server is configured" in outbox.text


async def test_a_refusing_smtp_server_is_retried_with_backoff_then_the_message_shows_as_failed(settings, conn, mail):
    inbox, port = mail
    settings = _with_smtp(settings, port)
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns")
    await _certificate_notice(conn, settings, worker.id)
    inbox.refuse_with = "550 mailbox unavailable"
    pool = await create_pool(settings)
    try:
        assert await deliver_due(pool, settings) == 0
        row = await conn.fetchrow("SELECT status, attempts, next_attempt_at > now() AS later, body FROM messages")
        assert row["status"] == "pending" and row["attempts"] == 1 and row["later"] and row["body"]
        assert await deliver_due(pool, settings) == 0 and inbox.tries == 1, "not tried again before its wait is over"
        for _ in range(message_queries.MAX_ATTEMPTS):
            await conn.execute("UPDATE messages SET next_attempt_at = now()")
            await deliver_due(pool, settings)
        row = await conn.fetchrow("SELECT status, attempts, last_error FROM messages")
        assert row["status"] == "failed" and row["attempts"] == message_queries.MAX_ATTEMPTS
        assert "550" in row["last_error"] and inbox.tries == message_queries.MAX_ATTEMPTS
        lines = await message_queries.outbox(conn)
        assert lines[0].status == "failed" and lines[0].body, "a failed message is kept for an admin to pass on"

        inbox.refuse_with = None
        await conn.execute("UPDATE messages SET next_attempt_at = now()")
        assert await deliver_due(pool, settings) == 0 and inbox.received == [], "a failed message is not sent later"
    finally:
        await pool.close()


async def test_a_person_who_opted_out_of_a_kind_gets_none_of_it_on_that_channel(client, settings, conn, mail):
    inbox, port = mail
    settings = _with_smtp(settings, port)
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "rosa@example.org", "worker", clinic="st-johns")
    await sign_in(client, "rosa@example.org")
    profile = await client.get("/profile")
    kept = {"wanted": ["renewal:email", "session:email"], "_csrf_token": csrf_from(profile.text)}
    assert (await client.post("/profile/messages", data=kept, follow_redirects=False)).status_code == 303
    assert await _certificate_notice(conn, settings, worker.id) is None
    assert (
        await send_message(
            conn,
            settings,
            user_id=worker.id,
            kind="session.reminder",
            occasion="s1",
            params={"course": "CPR", "starts": "9:00", "place": "Room 3"},
        )
        is not None
    )
    # a password reset is never opted out of
    assert (
        await send_message(conn, settings, user_id=worker.id, kind="password.changed", occasion="p1", params={})
        is not None
    )
    page = (await client.get("/profile")).text
    assert (
        'value="certificate:email" aria-label' in page
        and 'value="certificate:email" aria-label="Certificate notices: Email" checked' not in page
    )


async def test_workers_in_two_processes_deliver_every_message_once(settings, conn, mail):
    """Two apps with their job workers (as two `lms serve` processes), woken by the commit of new messages."""
    inbox, port = mail
    settings = _with_smtp(settings, port)
    await make_clinic(conn, "st-johns")
    people = [await make_user(conn, f"w{n}@example.org", "worker", clinic="st-johns") for n in range(12)]
    first, second = create_app(settings, jobs=True), create_app(settings, jobs=True)
    async with AsyncTestClient(app=first), AsyncTestClient(app=second):
        async with conn.transaction():
            for person in people:
                await _certificate_notice(conn, settings, person.id)
        for _ in range(700):  # a worker that missed the commit's wake-up still polls once a minute
            if len(inbox.received) >= len(people):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # room for a duplicate to arrive, if there were one
    assert sorted(m["To"] for m in inbox.received) == sorted(p.email for p in people)
    assert await conn.fetchval("SELECT count(*) FROM messages WHERE status = 'sent' AND body IS NULL") == len(people)
