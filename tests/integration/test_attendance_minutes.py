"""Attendance is minutes present, and certificates follow corrections of it.

A scan opens a record that counts nothing until it is closed: by a second scan, the instructor closing the roster, or
the session's end. The instructor's corrections (late, left early, absent, added) need a reason, are audit-logged with
before and after, and the certificate follows them in the same transaction: superseded when still earned with other
figures, revoked "record corrected" when no longer earned.

`travel` (learning_fixtures) moves a session and its attendance into the past, as if that many minutes had gone by.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from lms.learning import qr
from lms.learning.attendance import close_all_ended
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.integration.learning_fixtures import travel
from tests.integration.test_credit import make_course

pytestmark = pytest.mark.usefixtures("settings")


class World:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


async def lab_world(conn, client) -> World:
    """A course that is one 60-minute in-person lab (80 % attendance needed), approved by IACET, with two workers."""
    await make_clinic(conn, "st-johns")
    instructor = await make_user(conn, "maria@example.org", "instructor", name="María López")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Pérez")
    luis = await make_user(conn, "luis@example.org", "worker", clinic="st-johns", name="Luis Ramos")
    version_id = await make_course(
        conn,
        "LAB-TEST-101",
        [("lab", "in_person", 60)],
        [{"body": "IACET", "provider_number": "P-1", "approved_from": "2020-01-01"}],
    )
    enrollments = {}
    for w in (ana, luis):
        enrollments[w.email] = await conn.fetchval(
            "INSERT INTO enrollments (user_id, version_id, clinic_id) VALUES ($1, $2, $3) RETURNING id",
            w.id,
            version_id,
            w.clinic_id,
        )
    headers = {u.email: await token_for(conn, u.id) for u in (instructor, ana, luis)}
    starts = datetime.now(UTC) - timedelta(minutes=5)
    made = await client.post(
        "/api/v1/sessions",
        headers=headers["maria@example.org"],
        json={
            "code": "LAB-TEST-101",
            "version": 1,
            "activity_key": "lab",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(minutes=60)).isoformat(),
            "clinic": "st-johns",
            "room": "2",
            "capacity": 10,
            "language": "en",
        },
    )
    assert made.status_code == 201, made.text
    return World(
        instructor=instructor,
        ana=ana,
        luis=luis,
        headers=headers,
        session=made.json()["id"],
        enrollments=enrollments,
        version_id=version_id,
    )


async def scan(client, settings, w: World, email: str) -> Any:
    token = qr.attendance_token(settings.secret_key, UUID(w.session))
    return await client.post("/api/v1/sessions/attendance", headers=w.headers[email], json={"token": token})


async def test_an_early_scan_counts_nothing_until_she_leaves_and_then_only_the_minutes_she_was_there(
    client, conn, settings
):
    w = await lab_world(conn, client)
    # Minute 5 of 60: she is checked in, and nothing is credited or completed yet.
    first = await scan(client, settings, w, "ana@example.org")
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "arrived" and first.json()["final"] is False and first.json()["left_at"] is None
    assert (
        await conn.fetchval("SELECT completed_at FROM enrollments WHERE id = $1", w.enrollments["ana@example.org"])
        is None
    )
    assert await conn.fetchval("SELECT count(*) FROM certificates") == 0
    # A double tap is the same arrival, not a check-out.
    again = await scan(client, settings, w, "ana@example.org")
    assert again.json()["state"] == "already" and again.json()["final"] is False
    # Twenty minutes later she scans again: checked out with 20 minutes, under the 48 the lab needs.
    await travel(conn, w.session, 20)
    out = await scan(client, settings, w, "ana@example.org")
    assert out.json()["state"] == "left" and out.json()["final"] is True and out.json()["minutes"] == 20
    assert await conn.fetchval("SELECT count(*) FROM certificates") == 0
    assert await conn.fetchval("SELECT count(*) FROM completions") == 0


async def test_two_scans_at_once_record_one_arrival_and_neither_is_refused(client, conn, settings):
    w = await lab_world(conn, client)
    answers = await asyncio.gather(*[scan(client, settings, w, "luis@example.org") for _ in range(6)])
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    assert sorted(a.json()["state"] for a in answers) == ["already"] * 5 + ["arrived"]
    assert await conn.fetchval("SELECT count(*) FROM attendance") == 1


async def test_the_session_end_closes_open_records_and_corrections_supersede_or_revoke_the_certificate(
    client, conn, settings
):
    w = await lab_world(conn, client)
    assert (await scan(client, settings, w, "luis@example.org")).json()["state"] == "arrived"  # minute 5
    await travel(conn, w.session, 70)  # the session ended
    roster = await client.get(f"/api/v1/sessions/{w.session}/roster", headers=w.headers["maria@example.org"])
    line = roster.json()["lines"][0]
    assert (
        line["minutes"] in (54, 55) and line["left_at"] is not None
    )  # from the scan (a few seconds after minute 5) to the end
    old = await conn.fetchrow(
        "SELECT code, facts FROM certificates WHERE enrollment_id = $1", w.enrollments["luis@example.org"]
    )
    assert old["facts"]["live_minutes"] == line["minutes"]

    starts = datetime.fromisoformat(roster.json()["session"]["starts_at"])
    put = f"/api/v1/sessions/{w.session}/roster"
    mark = {
        "user_id": str(w.luis.id),
        "present": True,
        "arrived_at": (starts + timedelta(minutes=5)).isoformat(),
        "left_at": (starts + timedelta(minutes=15)).isoformat(),
    }
    # A correction needs a reason; without one nothing changes.
    refused = await client.put(put, headers=w.headers["maria@example.org"], json={"marks": [mark]})
    assert refused.status_code == 400 and "reason" in refused.json()["detail"]
    assert await conn.fetchval("SELECT minutes FROM attendance") == line["minutes"]
    # Bad times are named and change nothing: leaving before arriving, a time that has not happened.
    backwards = {**mark, "left_at": (starts + timedelta(minutes=1)).isoformat()}
    bad = await client.put(put, headers=w.headers["maria@example.org"], json={"marks": [backwards], "reason": "sheet"})
    assert bad.status_code == 400 and bad.json()["field"] == "marks[0].left_at"
    future = {**mark, "left_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}
    bad = await client.put(put, headers=w.headers["maria@example.org"], json={"marks": [future], "reason": "sheet"})
    assert bad.status_code == 400 and "not happened" in bad.json()["detail"]

    # He left after 10 minutes: no longer earned, revoked "record corrected", in the same request.
    left_early = await client.put(
        put, headers=w.headers["maria@example.org"], json={"marks": [mark], "reason": "sign-out sheet shows 9:15"}
    )
    assert left_early.status_code == 200, left_early.text
    revoked = await client.get(f"/api/v1/certificates/{old['code']}")
    assert revoked.json()["status"] == "revoked" and revoked.json()["revoked_reason"] == "record_corrected"
    assert (
        await conn.fetchval("SELECT completed_at FROM enrollments WHERE id = $1", w.enrollments["luis@example.org"])
        is None
    )
    entry = await conn.fetchrow(
        "SELECT actor_id, detail FROM audit_log WHERE action = 'attendance.corrected' ORDER BY at DESC LIMIT 1"
    )
    assert entry["actor_id"] == w.instructor.id and entry["detail"]["kind"] == "left_early"
    assert (
        entry["detail"]["reason"] == "sign-out sheet shows 9:15"
        and entry["detail"]["before"]["minutes"] == line["minutes"]
    )
    # The completion's statement is voided, so xAPI readers see the correction too.
    assert (
        await conn.fetchval("SELECT count(*) FROM statements WHERE verb = 'http://adlnet.gov/expapi/verbs/voided'") == 1
    )

    # The sheet was misread: he stayed to minute 58. Earned again: a new certificate, the revoked one stays revoked.
    stayed = {**mark, "left_at": (starts + timedelta(minutes=58)).isoformat()}
    assert (
        await client.put(put, headers=w.headers["maria@example.org"], json={"marks": [stayed], "reason": "re-read"})
    ).status_code == 200
    second = await conn.fetchrow(
        "SELECT code, facts FROM certificates WHERE enrollment_id = $1 AND revoked_at IS NULL",
        w.enrollments["luis@example.org"],
    )
    assert second["facts"]["live_minutes"] == 53
    # Then: he arrived at minute 9, still over 48 minutes: the certificate is superseded by one with 49 minutes.
    late = {**stayed, "arrived_at": (starts + timedelta(minutes=9)).isoformat()}
    assert (
        await client.put(put, headers=w.headers["maria@example.org"], json={"marks": [late], "reason": "came late"})
    ).status_code == 200
    third = await conn.fetchrow(
        "SELECT code, facts FROM certificates WHERE enrollment_id = $1 AND revoked_at IS NULL",
        w.enrollments["luis@example.org"],
    )
    assert third["facts"]["live_minutes"] == 49 and third["code"] != second["code"]
    superseded = (await client.get(f"/api/v1/certificates/{second['code']}")).json()
    assert superseded["status"] == "superseded" and superseded["superseded_by"].replace("-", "") == third["code"]
    page = await client.get(f"/verify/{second['code']}")
    assert "Superseded" in page.text and third["code"][:4] in page.text
    # One standing certificate, and the worker sees what changed and why.
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM certificates WHERE enrollment_id = $1 AND revoked_at IS NULL",
            w.enrollments["luis@example.org"],
        )
        == 1
    )
    changes = await conn.fetch("SELECT outcome, reason, changes FROM certificate_corrections ORDER BY corrected_at")
    assert [c["outcome"] for c in changes] == ["withdrawn", "superseded"]
    assert changes[1]["reason"] == "came late" and changes[1]["changes"]["live_minutes"] == [53, 49]
    await sign_in(client, "luis@example.org")
    transcript = await client.get("/my/certificates")
    assert "came late" in transcript.text and "53" in transcript.text and "49" in transcript.text


async def test_closing_the_roster_checks_everyone_out_and_refuses_later_scans(client, conn, settings):
    w = await lab_world(conn, client)
    assert (await scan(client, settings, w, "ana@example.org")).status_code == 200
    await travel(conn, w.session, 52)  # minute 57
    closed = await client.post(f"/api/v1/sessions/{w.session}/close", headers=w.headers["maria@example.org"])
    assert closed.status_code == 200, closed.text
    assert closed.json()["lines"][0]["minutes"] in (51, 52)
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM certificates WHERE enrollment_id = $1", w.enrollments["ana@example.org"]
        )
        == 1
    )
    late = await scan(client, settings, w, "luis@example.org")
    assert late.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'attendance.roster_closed'") == 1


async def test_a_worker_checks_in_by_typing_the_short_code_on_her_phone(client, conn, settings):
    w = await lab_world(conn, client)
    shown = await client.get(f"/api/v1/sessions/{w.session}/code", headers=w.headers["maria@example.org"])
    short = shown.json()["short_code"]
    assert len(short) == 6 and not set(short) & set("01OIL")
    # The same code all through the check-in window (it does not rotate like the QR code).
    assert (await client.get(f"/api/v1/sessions/{w.session}/code", headers=w.headers["maria@example.org"])).json()[
        "short_code"
    ] == short
    await sign_in(client, "ana@example.org")
    form = await client.get("/attend")
    assert form.status_code == 200 and 'name="code"' in form.text
    typed = f"{short[:3].lower()} {short[3:].lower()}"
    done = await client.post("/attend/code", data={"_csrf_token": csrf_from(form.text), "code": typed})
    assert done.status_code == 200 and "You are checked in." in done.text
    assert await conn.fetchval("SELECT method FROM attendance WHERE user_id = $1", w.ana.id) == "code"
    wrong = await client.post(
        "/attend/code", data={"_csrf_token": csrf_from(form.text), "code": "ZZZZZZ" if short != "ZZZZZZ" else "YYYYYY"}
    )
    assert wrong.status_code == 400 and "not valid" in wrong.text
    by_api = await client.post(
        "/api/v1/sessions/attendance", headers=w.headers["luis@example.org"], json={"code": "22"}
    )
    assert by_api.status_code == 400
    # After the session the code no longer works.
    await travel(conn, w.session, 70)
    over = await client.post("/api/v1/sessions/attendance", headers=w.headers["luis@example.org"], json={"code": short})
    assert over.status_code == 400 and over.json()["field"] == "code"


async def test_two_instructors_signing_off_the_same_skill_at_once_make_one_signature(client, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    teachers = [await make_user(conn, f"t{i}@example.org", "instructor") for i in range(2)]
    version_id = await make_course(
        conn,
        "SKILL-TEST-1",
        [("bp", "checkoff", 30)],
        [{"body": "IACET", "provider_number": "P-1", "approved_from": "2020-01-01"}],
    )
    enrollment_id = await conn.fetchval(
        "INSERT INTO enrollments (user_id, version_id) VALUES ($1, $2) RETURNING id", worker.id, version_id
    )
    headers = [await token_for(conn, t.id) for t in teachers]
    answers = await asyncio.gather(
        *[
            client.post(
                "/api/v1/checkoffs", headers=h, json={"enrollment_id": str(enrollment_id), "activity_key": "bp"}
            )
            for h in headers * 3
        ]
    )
    assert all(a.status_code in (200, 201) for a in answers), [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE enrollment_id = $1", enrollment_id) == 1


async def test_the_periodic_job_closes_an_ended_session_and_issues_the_certificate_without_any_page_view(
    client, conn, settings
):
    from lms.db.pool import create_pool
    from lms.jobs.queue import jobs

    w = await lab_world(conn, client)
    assert (await scan(client, settings, w, "luis@example.org")).json()["state"] == "arrived"  # minute 5
    pool = await create_pool(settings)
    try:
        # While the session runs, the job closes nothing.
        assert await close_all_ended(pool, base_url=settings.public_base_url) == 0
        assert await conn.fetchval("SELECT left_at FROM attendance") is None
        await travel(conn, w.session, 70)  # it has ended
        # Two workers' ticks at once close it once: one attended record, one certificate.
        closed = await asyncio.gather(*(close_all_ended(pool, base_url=settings.public_base_url) for _ in range(2)))
        assert sorted(closed) == [0, 1]
    finally:
        await pool.close()
    record = await conn.fetchrow("SELECT left_at, minutes FROM attendance")
    ends = await conn.fetchval("SELECT ends_at FROM inperson_sessions WHERE id = $1", UUID(w.session))
    assert record["left_at"] == ends and record["minutes"] in (54, 55)
    cert = await conn.fetchrow(
        "SELECT code, facts FROM certificates WHERE enrollment_id = $1", w.enrollments["luis@example.org"]
    )
    assert cert is not None and cert["facts"]["live_minutes"] == record["minutes"]
    assert await conn.fetchval("SELECT count(*) FROM certificates") == 1
    # The job is registered to run every minute.
    periodic = {p.periodic_id: (p.cron, p.task.name) for p in jobs.periodic_registry.periodic_tasks.values()}
    assert periodic.get("sessions-every-minute") == ("* * * * *", "lms:close_ended_sessions")
