"""Outside records of one course with overlapping dates are refused (one at a time and in a CSV import), the clinic
dashboard's "due for renewal" counts approved outside records as the worker's own renewal view does, and a clinic admin
records a licence's first issue date on the credit page (the RDA's first renewal is then exempt)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date

from lms.clinic_time import today as clinic_today
from tests.helpers import csrf_from, sign_in
from tests.integration.test_outside_records import CSV_HEAD, course, renewal, world

pytestmark = pytest.mark.usefixtures("settings")


async def test_a_record_overlapping_the_same_course_is_a_conflict_naming_it(client, conn):
    w = await world(conn)
    ana = w.headers["ana@example.org"]
    first_day = clinic_today() - timedelta(days=40)
    two_days = course(started_on=first_day.isoformat(), ended_on=(first_day + timedelta(days=1)).isoformat())
    assert (await client.post("/api/v1/me/outside-records", headers=ana, json=two_days)).status_code == 201

    # Its second day again, under the same approval number, or retyped under another number with the same title.
    second_day = (first_day + timedelta(days=1)).isoformat()
    for changes in ({}, {"approval_number": "CDA-9999"}):
        again = await client.post(
            "/api/v1/me/outside-records",
            headers=ana,
            json=course(started_on=second_day, ended_on=second_day, **changes),
        )
        assert again.status_code == 409 and again.json()["field"] == "started_on", again.text
        # the day as English writes it ("Oct 29, 2026"), as every other language writes it in its own way
        written = format_date(first_day, "medium", locale="en")
        assert "Infection control" in again.json()["detail"] and written in again.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 1

    # Another course of the same provider on those days, or the same course later, is fine.
    other = course(approval_number="CDA-5678", title="Dental Practice Act", category="dental_practice_act")
    other.update(started_on=second_day, ended_on=second_day)
    assert (await client.post("/api/v1/me/outside-records", headers=ana, json=other)).status_code == 201
    later = (clinic_today() - timedelta(days=5)).isoformat()
    assert (
        await client.post("/api/v1/me/outside-records", headers=ana, json=course(started_on=later, ended_on=later))
    ).status_code == 201


async def test_an_import_names_lines_that_overlap_a_record_or_each_other(client, conn):
    w = await world(conn)
    admin = w.headers["admin@example.org"]
    d1, d2, d3 = ((clinic_today() - timedelta(days=n)).isoformat() for n in (30, 29, 10))
    on_record = await client.post(
        "/api/v1/clinic/outside-records",
        headers=admin,
        json={**course(started_on=d1, ended_on=d2), "user_id": str(w.ana.id)},
    )
    assert on_record.status_code == 201, on_record.text
    lines = [
        f"ana@example.org,California Dental Association,CDA-1234,Infection control,{d2},{d2},60,in_person,DBC,",
        f"ana@example.org,CDA,C-7,Ergonomics,{d3},{d3},60,in_person,DBC,",
        f"ana@example.org,cda,C-8,ergonomics,{d3},{d3},60,in_person,DBC,",
    ]
    refused = await client.post(
        "/api/v1/clinic/outside-records/import", headers=admin, json={"csv": CSV_HEAD + "\n".join(lines) + "\n"}
    )
    assert refused.status_code == 400
    problems = [(p["line"], p["field"]) for p in refused.json()["problems"]]
    assert problems == [(2, "started_on"), (4, "started_on")]
    assert "line 3" in refused.json()["problems"][1]["message"]
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 1


async def test_renewals_due_on_the_clinic_dashboard_count_approved_outside_records(client, conn):
    w = await world(conn)
    # Ana's two-year RDA cycle ends in a month: she is due.
    await conn.execute(
        "UPDATE worker_credentials SET cycle_start = $1 WHERE user_id = $2",
        clinic_today() - timedelta(days=700),
        w.ana.id,
    )
    admin = w.headers["admin@example.org"]

    async def due() -> dict:
        board = await client.get(f"/api/v1/reports/clinics/{w.ana.clinic_id}", headers=admin)
        assert board.status_code == 200, board.text
        return next(r for r in board.json()["renewals"] if r["user_id"] == str(w.ana.id))

    before = await due()
    assert before["counted"] == 0 and before["still_needed"] == 25
    made = await client.post("/api/v1/me/outside-records", headers=w.headers["ana@example.org"], json=course())
    assert (await due())["counted"] == 0  # waiting for review counts nothing
    reviewed = await client.post(
        f"/api/v1/clinic/outside-records/{made.json()['id']}/review", headers=admin, json={"decision": "approve"}
    )
    assert reviewed.status_code == 200
    after = await due()
    assert after["counted"] == 2 and after["still_needed"] == 23
    # The same figure as her own renewal view.
    assert (await renewal(client, w))["renewals"][0]["counted"] == after["counted"]


async def test_a_clinic_admin_records_the_licence_date_on_the_credit_page(client, conn):
    w = await world(conn)
    await sign_in(client, "admin@example.org")
    credit = await client.get("/clinic/credit")
    assert credit.status_code == 200 and 'name="licensed_on"' in credit.text
    form = {
        "_csrf_token": csrf_from(credit.text),
        "user_id": str(w.ana.id),
        "credential": "RDA",
        "cycle_start": (clinic_today() - timedelta(days=365)).isoformat(),
    }
    future = await client.post(
        "/clinic/credit/credentials", data={**form, "licensed_on": (clinic_today() + timedelta(days=2)).isoformat()}
    )
    assert future.status_code == 400 and "cannot be in the future" in future.text
    garbled = await client.post("/clinic/credit/credentials", data={**form, "licensed_on": "last spring"})
    assert garbled.status_code == 400 and "first issued" in garbled.text
    assert await conn.fetchval("SELECT licensed_on FROM worker_credentials WHERE user_id = $1", w.ana.id) is None

    licensed = (clinic_today() - timedelta(days=300)).isoformat()
    saved = await client.post(
        "/clinic/credit/credentials", data={**form, "licensed_on": licensed}, follow_redirects=False
    )
    assert saved.status_code == 303
    assert (
        await conn.fetchval("SELECT licensed_on FROM worker_credentials WHERE user_id = $1", w.ana.id)
    ).isoformat() == licensed
    assert "first renewal: exempt" in (await client.get("/clinic/credit")).text
    assert (await renewal(client, w))["renewals"][0]["exempt"]
    audit = await conn.fetchval("SELECT detail FROM audit_log WHERE action = 'clinic.worker_credential'")
    assert audit["licensed_on"] == licensed

    # Saving the cycle again without a date keeps the recorded one.
    again = await client.post("/clinic/credit/credentials", data=form, follow_redirects=False)
    assert again.status_code == 303
    assert (await renewal(client, w))["renewals"][0]["exempt"]
