"""Live online as a delivery of its own: a scheduled webinar with attendance minutes the instructor records, counted as
live where the body counts live (the Dental Board's non-live limit) but never as the in-person skills part BLS needs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.clinic_time import today as clinic_today
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.integration.test_credit import make_course

pytestmark = pytest.mark.usefixtures("settings")
JOIN = "https://meet.example.org/bls-webinar"


async def test_a_webinar_counts_as_live_but_not_in_person(client, conn):
    await make_clinic(conn, "st-johns")
    instructor = await make_user(conn, "maria@example.org", "instructor", name="María López")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Pérez")
    luis = await make_user(conn, "luis@example.org", "worker", clinic="st-johns", name="Luis Ramos")
    version_id = await make_course(
        conn,
        "BLS-TEST-101",
        [("skills", "in_person", 60)],
        [{"body": "DBC", "provider_number": "RP-1", "approved_from": "2020-01-01", "category": "bls"}],
    )
    enrollments = {}
    for w in (ana, luis):
        enrollments[w.id] = await conn.fetchval(
            "INSERT INTO enrollments (user_id, version_id, clinic_id) VALUES ($1, $2, $3) RETURNING id",
            w.id,
            version_id,
            w.clinic_id,
        )
        await conn.execute(
            "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'RDA', $2)",
            w.id,
            clinic_today() - timedelta(days=200),
        )
    headers = {u.email: await token_for(conn, u.id) for u in (instructor, ana, luis)}
    starts = datetime.now(UTC) - timedelta(minutes=90)
    session = {
        "code": "BLS-TEST-101",
        "version": 1,
        "activity_key": "skills",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=60)).isoformat(),
        "clinic": "st-johns",
        "room": "Online",
        "capacity": 50,
        "language": "en",
    }
    maria = headers["maria@example.org"]
    # A webinar needs its https link; an in-person session has none.
    for bad in (
        {"delivery": "live_online"},
        {"join_url": JOIN},
        {"delivery": "live_online", "join_url": "http://insecure.example.org/x"},
    ):
        refused = await client.post("/api/v1/sessions", headers=maria, json={**session, **bad})
        assert refused.status_code == 400 and "join_url" in refused.text, refused.text
    webinar = await client.post(
        "/api/v1/sessions", headers=maria, json={**session, "delivery": "live_online", "join_url": JOIN}
    )
    assert (
        webinar.status_code == 201
        and webinar.json()["delivery"] == "live_online"
        and webinar.json()["join_url"] == JOIN
    )
    in_room = await client.post("/api/v1/sessions", headers=maria, json={**session, "room": "2"})
    assert in_room.status_code == 201 and in_room.json()["delivery"] == "in_person"

    # The instructor records who joined and left: Ana in the webinar, Luis in the room, the whole hour each.
    for session_id, who in ((webinar.json()["id"], ana), (in_room.json()["id"], luis)):
        marked = await client.put(
            f"/api/v1/sessions/{session_id}/roster",
            headers=maria,
            json={"marks": [{"user_id": str(who.id), "present": True}], "reason": "attendance sheet"},
        )
        assert marked.status_code == 200, marked.text
    facts = {r["user_id"]: r["facts"] for r in await conn.fetch("SELECT user_id, facts FROM certificates")}
    assert (
        facts[ana.id]["live_minutes"],
        facts[ana.id]["in_person_minutes"],
        facts[ana.id]["in_person"][0]["delivery"],
    ) == (60, 0, "live_online")
    assert (facts[luis.id]["live_minutes"], facts[luis.id]["in_person_minutes"]) == (60, 60)
    assert facts[ana.id]["credits"][0]["live_credit"] == 1  # live for the Dental Board

    renewals = {}
    for who in ("ana@example.org", "luis@example.org"):
        renewals[who] = (await client.get("/api/v1/me/transcript", headers=headers[who])).json()["renewals"][0]
    bls = {who: next(c for c in r["categories"] if c["category"] == "bls") for who, r in renewals.items()}
    assert not bls["ana@example.org"]["met"] and bls["luis@example.org"]["met"]
    assert any(s["kind"] == "live" and s["category"] == "bls" for s in renewals["ana@example.org"]["shortfalls"])
    # BLS counts only with an in-person part: Ana's webinar earns nothing toward the RDA's 25 units, Luis's hour does.
    assert renewals["ana@example.org"]["counted"] == 0 and renewals["luis@example.org"]["counted"] == 1
    # The instructor's roster shows the webinar with its link.
    roster = await client.get(f"/api/v1/sessions/{webinar.json()['id']}/roster", headers=maria)
    assert roster.status_code == 200 and roster.json()["session"]["join_url"] == JOIN


async def test_a_webinar_scheduled_on_the_teach_form_counts_as_live_online(client, conn):
    await make_clinic(conn, "st-johns")
    maria = await make_user(conn, "maria@example.org", "instructor")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    version_id = await make_course(
        conn,
        "DA-WEB-101",
        [("talk", "in_person", 60)],
        [{"body": "DBC", "provider_number": "RP-1", "approved_from": "2020-01-01"}],
    )
    await conn.execute(
        "INSERT INTO enrollments (user_id, version_id, clinic_id) VALUES ($1, $2, $3)",
        ana.id,
        version_id,
        ana.clinic_id,
    )
    await sign_in(client, "maria@example.org")
    home = await client.get("/teach")
    assert "Live online (webinar)" in home.text and 'name="join_url"' in home.text
    form = {
        "_csrf_token": csrf_from(home.text),
        "activity": "DA-WEB-101/1/talk",
        "date": "2026-12-01",
        "starts": "18:00",
        "ends": "19:00",
        "clinic": "st-johns",
        "room": "Zoom",
        "capacity": "40",
        "language": "en",
        "delivery": "live_online",
    }
    for bad in ({}, {"join_url": "http://meet.example.org/x"}, {"join_url": "meet.example.org"}):
        refused = await client.post("/teach/sessions", data={**form, **bad})
        assert refused.status_code == 400 and "needs the link workers join by, starting with https://" in refused.text
    odd = await client.post("/teach/sessions", data={**form, "delivery": "by post", "join_url": JOIN})
    assert odd.status_code == 400 and "in person or live online" in odd.text
    assert await conn.fetchval("SELECT count(*) FROM inperson_sessions") == 0

    made = await client.post("/teach/sessions", data={**form, "join_url": JOIN}, follow_redirects=False)
    assert made.status_code == 303, made.text
    row = await conn.fetchrow("SELECT id, delivery, join_url FROM inperson_sessions")
    assert (row["delivery"], row["join_url"]) == ("live_online", JOIN)
    listed = await client.get("/teach")
    assert "Zoom" not in listed.text and "Live online (webinar)" in listed.text.split('id="schedule"')[0]

    # The webinar took place (its hour moved into the past) and Ana attended all of it: live minutes, not in person.
    await conn.execute(
        "UPDATE inperson_sessions SET starts_at = now() - interval '90 minutes', ends_at = now() - interval '30 minutes'"
    )
    marked = await client.put(
        f"/api/v1/sessions/{row['id']}/roster",
        headers=await token_for(conn, maria.id),
        json={"marks": [{"user_id": str(ana.id), "present": True}], "reason": "webinar log"},
    )
    assert marked.status_code == 200, marked.text
    facts = await conn.fetchval("SELECT facts FROM certificates WHERE user_id = $1", ana.id)
    assert (facts["live_minutes"], facts["in_person_minutes"], facts["in_person"][0]["delivery"]) == (
        60,
        0,
        "live_online",
    )
