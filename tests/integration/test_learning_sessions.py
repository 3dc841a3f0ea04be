"""In-person sessions: workers register within capacity, check in with the rotating code on their phone (minutes count
from arrival until they leave or the session ends), the instructor keeps the roster, and the export carries minutes."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from lms.learning import qr
from tests.helpers import csrf_from, make_user, sign_in
from tests.integration.learning_fixtures import (
    CODE,
    api_user,
    basic,
    hybrid_course,
    schedule_session,
    switch_to,
    travel,
)


async def test_an_instructor_takes_attendance_with_the_qr_code_and_the_roster_export_shows_minutes(
    client, conn, settings
):
    cast = await hybrid_course(conn)
    late = await make_user(conn, "luis@example.org", "worker", clinic="st-johns", name="Luis Ramos")
    await api_user(conn, "rosa@example.org", "worker", clinic="st-johns", name="Rosa Díaz")
    for email in ("ana@example.org", "luis@example.org", "rosa@example.org"):
        await client.post(
            "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": [email]}
        )
    # A 90-minute session that started 30 minutes ago.
    session = await schedule_session(client, cast, starts_in=timedelta(minutes=-30), minutes=90)
    for token in (cast.worker_token,):
        assert (
            await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(token))
        ).status_code == 201

    # The instructor opens the check-in code page: an inline SVG QR code that refreshes itself, no script.
    await sign_in(client, "maria@example.org")
    code_page = await client.get(f"/teach/sessions/{session['id']}/code")
    assert code_page.status_code == 200
    assert (
        "<svg" in code_page.text
        and 'data-refresh="30"' in code_page.text
        and 'http-equiv="refresh"' not in code_page.text
    )
    assert (
        "<script>" not in code_page.text and code_page.text.count("<script") == 1
    )  # one file: it renews the code in place
    token = re.search(r'data-token="([^"]+)"', code_page.text).group(1)
    # Beside the QR code, a short code to type by hand instead of a long address.
    short = re.search(r'data-short-code="([^"]+)"', code_page.text).group(1)
    assert len(short) == 6 and f"/attend/{token}" not in code_page.text

    # Ana, signed in on her phone, scans it: one tap confirms; she arrived 30 minutes late. Her minutes count from now
    # until she leaves; nothing counts before that.
    await switch_to(client, "ana@example.org")
    scanned = await client.get(f"/attend/{token}")
    assert scanned.status_code == 200 and "I am here" in scanned.text
    starts = datetime.fromisoformat(session["starts_at"]).astimezone(ZoneInfo("America/Los_Angeles"))
    when = f"{format_date(starts, 'medium', locale='en')} · {format_time(starts, 'short', locale='en')}"
    assert when in unescape(scanned.text) and starts.date().isoformat() not in scanned.text  # "Dec 7, 2026 · 2:05 PM"
    arrival = re.search(r'name="attendance_pass" value="([^"]+)"', scanned.text).group(1)
    checked_in = await client.post("/attend", data={"_csrf_token": csrf_from(scanned.text), "attendance_pass": arrival})
    assert checked_in.status_code == 200 and "You are checked in." in checked_in.text
    assert await conn.fetchval(
        "SELECT (minutes, left_at IS NULL) FROM attendance WHERE user_id = $1", cast.worker.id
    ) == (0, True)
    # Scanning again at once changes nothing: one attendance record, the first arrival stands.
    again = await client.get(f"/attend/{token}")
    twice = await client.post(
        "/attend",
        data={
            "_csrf_token": csrf_from(again.text),
            "attendance_pass": re.search(r'name="attendance_pass" value="([^"]+)"', again.text).group(1),
        },
    )
    assert "You were already checked in." in twice.text
    assert await conn.fetchval("SELECT count(*) FROM attendance") == 1
    # Luis cannot reuse Ana's arrival pass: it is bound to her.
    await switch_to(client, "luis@example.org")
    form = await client.get("/my")
    stolen = await client.post("/attend", data={"_csrf_token": csrf_from(form.text), "attendance_pass": arrival})
    assert stolen.status_code == 400 and "expired" in stolen.text

    # Luis was signed out when he scanned: he signs in first and is still checked in with his scan time.
    client.cookies.clear()
    scan = await client.get(f"/attend/{token}", follow_redirects=False)
    assert scan.status_code in (302, 303) and scan.headers["location"].startswith("/login?next=/attend/pass/")
    login = await client.get(scan.headers["location"])
    signed = await client.post(
        "/login",
        data={
            "email": "luis@example.org",
            "password": "correct horse battery",
            "next": scan.headers["location"].split("next=", 1)[1],
            "_csrf_token": csrf_from(login.text),
        },
        follow_redirects=False,
    )
    confirm = await client.get(signed.headers["location"])
    assert "I am here" in confirm.text
    done = await client.post(
        "/attend",
        data={
            "_csrf_token": csrf_from(confirm.text),
            "attendance_pass": re.search(r'name="attendance_pass" value="([^"]+)"', confirm.text).group(1),
        },
    )
    assert "You are checked in." in done.text

    # Someone not enrolled in the course is told to ask the instructor; nothing is recorded.
    await make_user(conn, "pedro@example.org", "worker", clinic="st-johns")
    await switch_to(client, "pedro@example.org")
    outsider = await client.get(f"/attend/{token}")
    refused = await client.post(
        "/attend",
        data={
            "_csrf_token": csrf_from(outsider.text),
            "attendance_pass": re.search(r'name="attendance_pass" value="([^"]+)"', outsider.text).group(1),
        },
    )
    assert refused.status_code == 403 and "not enrolled in this course" in refused.text
    assert await conn.fetchval("SELECT count(*) FROM attendance") == 2

    # A code from two minutes ago no longer works.
    stale = qr.attendance_token(settings.secret_key, uuid.UUID(session["id"]), now=time.time() - 120)
    assert (await client.get(f"/attend/{stale}")).status_code == 400

    # The session ends; the instructor adds Rosa, who came without registering, on the roster.
    await travel(conn, session["id"], 61)
    await switch_to(client, "maria@example.org")
    roster_page = await client.get(f"/teach/sessions/{session['id']}")
    assert "Ana Pérez" in roster_page.text and "Luis Ramos" in roster_page.text
    saved = await client.post(
        f"/teach/sessions/{session['id']}/roster",
        follow_redirects=False,
        data={
            "_csrf_token": csrf_from(roster_page.text),
            "present": [str(cast.worker.id), str(late.id)],
            "walk_in": "rosa@example.org",
        },
    )
    assert saved.status_code == 303, saved.text
    roster = (await client.get(f"/api/v1/sessions/{session['id']}/roster", headers=cast.instructor_headers)).json()
    by_email = {line["email"]: line for line in roster["lines"]}
    assert by_email["rosa@example.org"]["minutes"] == 90 and by_email["rosa@example.org"]["method"] == "roster"
    # Saving the roster without new times keeps what the scans recorded.
    assert by_email["ana@example.org"]["method"] == "qr" and 59 <= by_email["ana@example.org"]["minutes"] <= 60

    export = await client.get(f"/teach/sessions/{session['id']}/roster.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert {r["email"] for r in rows} == {"ana@example.org", "luis@example.org", "rosa@example.org"}
    assert all(r["session_minutes"] == "90" for r in rows)
    ana = next(r for r in rows if r["email"] == "ana@example.org")
    assert ana["minutes_attended"] in ("59", "60") and ana["method"] == "qr" and ana["registered"] == "yes"
    rosa = next(r for r in rows if r["email"] == "rosa@example.org")
    assert rosa["minutes_attended"] == "90" and rosa["registered"] == "no" and rosa["share_attended"] == "1.00"
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'attendance.exported'") == 1
    # Attendance made the in-person activity done: 60 of 60 minutes and more is over the 80% share.
    attended = await conn.fetchval("""SELECT count(*) FROM activity_progress WHERE kind = 'in_person' AND done""")
    assert attended == 3


async def test_a_session_fills_up_and_late_roster_times_count_only_the_minutes_there(client, conn):
    cast = await hybrid_course(conn, browser=False)
    others = [await api_user(conn, f"w{i}@example.org", "worker", clinic="st-johns") for i in range(2)]
    await client.post(
        "/api/v1/enrollments/bulk",
        headers=cast.instructor_headers,
        json={"code": CODE, "emails": ["ana@example.org", "w0@example.org", "w1@example.org"]},
    )
    session = await schedule_session(client, cast, starts_in=timedelta(days=2), minutes=60, capacity=2)
    from tests.helpers import token_for

    tokens = [cast.worker_token] + [(await token_for(conn, o.id))["Authorization"].split(" ", 1)[1] for o in others]
    answers = [await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(t)) for t in tokens]
    assert [a.status_code for a in answers] == [201, 201, 409]
    assert "full" in answers[2].json()["detail"]

    # Nobody can be marked present before the session has started.
    early = await client.put(
        f"/api/v1/sessions/{session['id']}/roster",
        headers=cast.instructor_headers,
        json={"marks": [{"user_id": str(cast.worker.id), "present": True}]},
    )
    assert early.status_code == 400 and early.json()["field"] == "marks[0].present"
    await travel(conn, session["id"], 2 * 24 * 60 + 90)  # the session took place

    not_enrolled = await api_user(conn, "ext@example.org", "worker", clinic="st-johns")
    refused = await client.put(
        f"/api/v1/sessions/{session['id']}/roster",
        headers=cast.instructor_headers,
        json={
            "marks": [
                {"user_id": str(cast.worker.id), "present": True},
                {"user_id": str(not_enrolled.id), "present": True},
            ]
        },
    )
    assert refused.status_code == 400 and "not enrolled" in refused.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM attendance") == 0

    starts = datetime.fromisoformat(session["starts_at"]) - timedelta(minutes=2 * 24 * 60 + 90)
    late = await client.put(
        f"/api/v1/sessions/{session['id']}/roster",
        headers=cast.instructor_headers,
        json={
            "marks": [
                {
                    "user_id": str(cast.worker.id),
                    "present": True,
                    "arrived_at": (starts + timedelta(minutes=25)).isoformat(),
                }
            ]
        },
    )
    line = late.json()["lines"][0]
    assert line["minutes"] == 35
    # 35 of 60 minutes is under the course's 80% share: the lab is not done.
    assert (
        await conn.fetchval(
            "SELECT done FROM activity_progress WHERE kind = 'in_person' AND user_id = $1", cast.worker.id
        )
        is False
    )
    fixed = await client.put(
        f"/api/v1/sessions/{session['id']}/roster",
        headers=cast.instructor_headers,
        json={
            "marks": [
                {
                    "user_id": str(cast.worker.id),
                    "present": True,
                    "arrived_at": (starts + timedelta(minutes=10)).isoformat(),
                }
            ],
            "reason": "she signed in at 9:10",
        },
    )
    assert fixed.json()["lines"][0]["minutes"] == 50
    assert (
        await conn.fetchval(
            "SELECT done FROM activity_progress WHERE kind = 'in_person' AND user_id = $1", cast.worker.id
        )
        is True
    )
    assert await conn.fetchval("SELECT count(*) FROM attendance") == 1


async def test_an_instructor_schedules_a_session_from_the_form_in_california_time(client, conn):
    await hybrid_course(conn)
    await sign_in(client, "maria@example.org")
    home = await client.get("/teach")
    assert home.status_code == 200 and "Schedule a session" in home.text
    activity = re.search(r'<option value="(DA-IC-101/1/[^"]+)"', home.text).group(1)
    bad = await client.post(
        "/teach/sessions",
        data={
            "_csrf_token": csrf_from(home.text),
            "activity": activity,
            "date": "2026-12-01",
            "starts": "10:00",
            "ends": "09:00",
            "clinic": "st-johns",
            "room": "2",
            "capacity": "8",
            "language": "es",
        },
    )
    assert bad.status_code == 400 and "end after it starts" in bad.text
    made = await client.post(
        "/teach/sessions",
        follow_redirects=False,
        data={
            "_csrf_token": csrf_from(home.text),
            "activity": activity,
            "date": "2026-12-01",
            "starts": "09:00",
            "ends": "12:30",
            "clinic": "st-johns",
            "room": "Sala 2",
            "capacity": "8",
            "language": "es",
        },
    )
    assert made.status_code == 303
    row = await conn.fetchrow("SELECT starts_at, minutes FROM inperson_sessions")
    assert row["starts_at"].isoformat().startswith("2026-12-01T17:00") and row["minutes"] == 210  # 09:00 PST
    session_page = await client.get(made.headers["location"])
    assert "Dec 1, 2026, 9:00\u202fAM" in session_page.text and "Sala 2" in session_page.text
