"""Training done elsewhere: a worker records an outside course with its certificate file; a clinic admin of her clinic
approves or rejects it; approved records count toward her renewal as outside records (never as certificates of this
service); a clinic imports back records from CSV (dry run first, every bad line named, nothing stored on an error)."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
from typing import Any

import pytest

from lms.clinic_time import today as clinic_today
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for

pytestmark = pytest.mark.usefixtures("settings")
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


class World:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)


async def world(conn) -> World:
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    ana = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", name="Ana Pérez")
    luis = await make_user(conn, "luis@example.org", "worker", clinic="baywell", name="Luis Ramos")
    admin = await make_user(conn, "admin@example.org", "clinic_admin", clinic="st-johns", name="Rosa Admin")
    other_admin = await make_user(conn, "other@example.org", "clinic_admin", clinic="baywell", name="Other Admin")
    # Ana holds the RDA; her 2-year cycle started a year ago.
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'RDA', $2)",
        ana.id,
        clinic_today() - timedelta(days=365),
    )
    headers = {u.email: await token_for(conn, u.id) for u in (ana, luis, admin, other_admin)}
    return World(ana=ana, luis=luis, admin=admin, other_admin=other_admin, headers=headers)


def course(**changes: Any) -> dict[str, Any]:
    day = (clinic_today() - timedelta(days=30)).isoformat()
    return {
        "provider": "California Dental Association",
        "approval_number": "CDA-1234",
        "title": "Infection control",
        "started_on": day,
        "ended_on": day,
        "minutes": 120,
        "delivery": "in_person",
        "body": "DBC",
        "category": "infection_control",
        **changes,
    }


def pdf_file(content: bytes = PDF, name: str = "certificate.pdf") -> dict[str, str]:
    return {"filename": name, "content_type": "application/pdf", "data_base64": base64.b64encode(content).decode()}


async def renewal(client, w: World) -> dict[str, Any]:
    transcript = await client.get("/api/v1/me/transcript", headers=w.headers["ana@example.org"])
    assert transcript.status_code == 200, transcript.text
    return transcript.json()


async def test_an_outside_record_counts_toward_renewal_once_her_clinic_approves_it(client, conn, app):
    w = await world(conn)
    ana = w.headers["ana@example.org"]
    made = await client.post("/api/v1/me/outside-records", headers=ana, json={**course(), "certificate": pdf_file()})
    assert made.status_code == 201, made.text
    record = made.json()
    assert record["status"] == "pending" and record["has_certificate"] and record["source"] == "worker"
    # The file is in the store, typed by its bytes, and only she and her clinic's admin get it.
    key, content_type = await conn.fetchrow("SELECT certificate_key, certificate_type FROM outside_records")
    assert content_type == "application/pdf" and await app.state.storage.read(key) == PDF
    link = await client.get(f"/api/v1/outside-records/{record['id']}/certificate", headers=ana, follow_redirects=False)
    assert link.status_code == 303 and key in link.headers["location"]
    for stranger in ("luis@example.org", "other@example.org"):
        refused = await client.get(f"/api/v1/outside-records/{record['id']}/certificate", headers=w.headers[stranger])
        assert refused.status_code in (403, 404)

    # Waiting for review: no credit yet, and no certificate of this service.
    before = await renewal(client, w)
    ic = next(c for c in before["renewals"][0]["categories"] if c["category"] == "infection_control")
    assert ic["have"] == 0 and before["certificates"] == []

    # Another clinic's admin cannot review it; her own clinic's admin approves it, once.
    other = await client.post(
        f"/api/v1/clinic/outside-records/{record['id']}/review",
        headers=w.headers["other@example.org"],
        json={"decision": "approve"},
    )
    assert other.status_code == 404
    queue = await client.get("/api/v1/clinic/outside-records?status=pending", headers=w.headers["admin@example.org"])
    assert [r["id"] for r in queue.json()] == [record["id"]]
    approve = client.post(
        f"/api/v1/clinic/outside-records/{record['id']}/review",
        headers=w.headers["admin@example.org"],
        json={"decision": "approve"},
    )
    reject = client.post(
        f"/api/v1/clinic/outside-records/{record['id']}/review",
        headers=w.headers["admin@example.org"],
        json={"decision": "reject", "reason": "no certificate"},
    )
    answers = await asyncio.gather(approve, reject)
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    final = await conn.fetchval("SELECT status FROM outside_records")
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action LIKE 'outside_record.%ed' AND action <> 'outside_record.recorded'"
        )
        == 1
    )
    if final == "approved":
        after = await renewal(client, w)
        ic = next(c for c in after["renewals"][0]["categories"] if c["category"] == "infection_control")
        assert ic["have"] == 2 and ic["met"] and after["certificates"] == []  # an outside record, not a certificate
        assert after["renewals"][0]["counted"] == 2


async def test_a_rejected_record_needs_a_reason_and_counts_nothing(client, conn):
    w = await world(conn)
    made = await client.post(
        "/api/v1/clinic/outside-records",
        headers=w.headers["admin@example.org"],
        json={**course(minutes=600, category=None), "user_id": str(w.ana.id)},
    )
    assert made.status_code == 201 and made.json()["source"] == "clinic"
    url = f"/api/v1/clinic/outside-records/{made.json()['id']}/review"
    bare = await client.post(url, headers=w.headers["admin@example.org"], json={"decision": "reject"})
    assert bare.status_code == 400 and bare.json()["field"] == "reason"
    done = await client.post(
        url,
        headers=w.headers["admin@example.org"],
        json={"decision": "reject", "reason": "dates do not match the certificate"},
    )
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert (await renewal(client, w))["renewals"][0]["counted"] == 0
    entry = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'outside_record.rejected'")
    assert entry["actor_id"] == w.admin.id and entry["detail"]["reason"] == "dates do not match the certificate"
    again = await client.post(url, headers=w.headers["admin@example.org"], json={"decision": "approve"})
    assert again.status_code == 409
    # Her clinic's admin cannot record for another clinic's worker.
    stranger = await client.post(
        "/api/v1/clinic/outside-records",
        headers=w.headers["admin@example.org"],
        json={**course(), "user_id": str(w.luis.id)},
    )
    assert stranger.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"minutes": -30}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 3000}, "minutes"),  # more than one day holds
        ({"ended_on": (clinic_today() + timedelta(days=2)).isoformat()}, "ended_on"),
        ({"body": "NOT_A_BODY"}, "body"),
        ({"category": "hipaa"}, "category"),  # a CCBMA category, not the Dental Board's
        ({"delivery": "carrier_pigeon"}, "delivery"),
        ({"certificate": pdf_file(b"<html><script>alert(1)</script></html>", "cert.pdf")}, "certificate"),
        ({"certificate": pdf_file(b"PK\x03\x04 a zip", "cert.pdf")}, "certificate"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_nothing_is_stored(client, conn, app, changes, field):
    w = await world(conn)
    answer = await client.post(
        "/api/v1/me/outside-records", headers=w.headers["ana@example.org"], json=course(**changes)
    )
    assert answer.status_code == 400, answer.text
    assert field in (answer.json().get("field") or "") + str(answer.json().get("errors", "")), answer.json()
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 0
    assert await app.state.storage.list_keys(f"outside/{w.ana.id}/") == []


async def test_the_same_course_twice_is_a_conflict(client, conn):
    w = await world(conn)
    first = await client.post("/api/v1/me/outside-records", headers=w.headers["ana@example.org"], json=course())
    again = await client.post(
        "/api/v1/me/outside-records", headers=w.headers["ana@example.org"], json=course(title="Same, retyped")
    )
    assert first.status_code == 201 and again.status_code == 409 and again.json()["field"] == "approval_number"


CSV_HEAD = "email,provider,approval_number,title,started_on,ended_on,minutes,delivery,body,category\n"


async def test_a_clinic_imports_back_records_dry_run_first_and_nothing_on_any_bad_line(client, conn):
    w = await world(conn)
    admin = w.headers["admin@example.org"]
    d1, d2, d3 = ((clinic_today() - timedelta(days=n)).isoformat() for n in (90, 80, 60))
    good = [
        f"ana@example.org,CDA,C-1,Infection control,{d1},{d1},120,in_person,DBC,infection_control",
        f"ana@example.org,CDA,C-2,Dental Practice Act,{d2},{d2},120,live_online,DBC,dental_practice_act",
        f"ana@example.org,Home study co,H-1,Radiography review,{d2},{d3},900,home_study,DBC,",
    ]
    bad = good + [
        "luis@example.org,CDA,C-3,Not her clinic's worker,2025-09-01,2025-09-01,60,in_person,DBC,",
        "ana@example.org,CDA,C-4,Negative,2025-09-01,2025-09-01,-60,in_person,DBC,",
        f"ana@example.org,CDA,C-5,Future,{(clinic_today() + timedelta(days=5)).isoformat()},{(clinic_today() + timedelta(days=5)).isoformat()},60,in_person,DBC,",
        "ana@example.org,CDA,C-6,Unknown category,2025-09-01,2025-09-01,60,in_person,DBC,radiography",
    ]
    refused = await client.post(
        "/api/v1/clinic/outside-records/import",
        headers=admin,
        json={"csv": CSV_HEAD + "\n".join(bad) + "\n", "dry_run": False},
    )
    assert refused.status_code == 400
    assert [(p["line"], p["field"]) for p in refused.json()["problems"]] == [
        (5, "email"),
        (6, "minutes"),
        (7, "started_on"),
        (8, "category"),
    ]
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 0

    text = CSV_HEAD + "\n".join(good) + "\n"
    dry = await client.post("/api/v1/clinic/outside-records/import", headers=admin, json={"csv": text})
    assert dry.status_code == 200 and dry.json() == {"dry_run": True, "lines": 3, "stored": 0, "problems": []}
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 0
    done = await client.post(
        "/api/v1/clinic/outside-records/import", headers=admin, json={"csv": text, "dry_run": False}
    )
    assert done.status_code == 200 and done.json()["stored"] == 3
    rows = await conn.fetch("SELECT status, source, reviewed_by FROM outside_records")
    assert {(r["status"], r["source"], r["reviewed_by"]) for r in rows} == {("approved", "import", w.admin.id)}
    # Imported back records count: IC 2 and DPA 2 met (the webinar is live); 15 home-study units, of which only 12.5
    # (half of 25) count: 16.5.
    status = (await renewal(client, w))["renewals"][0]
    assert {c["category"]: c["met"] for c in status["categories"]}["dental_practice_act"]
    assert status["counted"] == 16.5 and status["live"] == 4 and status["non_live"] == 15
    # Importing the same file again names every line as already on record.
    twice = await client.post("/api/v1/clinic/outside-records/import", headers=admin, json={"csv": text})
    assert twice.status_code == 400 and [p["line"] for p in twice.json()["problems"]] == [2, 3, 4]
    # Another clinic's admin sees none of it.
    assert (await client.get("/api/v1/clinic/outside-records", headers=w.headers["other@example.org"])).json() == []


async def test_the_pages_record_review_and_import_in_spanish_too(client, conn):
    await world(conn)
    await conn.execute("UPDATE users SET language = 'es' WHERE email = 'admin@example.org'")
    await sign_in(client, "ana@example.org")
    form = await client.get("/my/outside-records")
    assert form.status_code == 200 and "Training done elsewhere" in form.text
    fields = {k: str(v) for k, v in course(category="").items()} | {
        "_csrf_token": csrf_from(form.text),
        "body_approved": "yes",
    }
    bad = await client.post(
        "/my/outside-records", data=fields, files={"certificate": ("cert.pdf", b"GIF89a not a pdf", "application/pdf")}
    )
    assert (
        bad.status_code == 400
        and "GIF" in bad.text
        and await conn.fetchval("SELECT count(*) FROM outside_records") == 0
    )
    saved = await client.post(
        "/my/outside-records",
        data=fields,
        files={"certificate": ("cert.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    mine = await client.get("/my/outside-records")
    assert "Outside record" in mine.text and "Waiting for review" in mine.text and "CDA-1234" in mine.text
    await client.post("/logout", data={"_csrf_token": csrf_from(mine.text)})

    await sign_in(client, "admin@example.org")
    queue = await client.get("/clinic/outside-records")
    assert queue.status_code == 200 and "Ana Pérez" in queue.text and "Registros externos" in queue.text
    record_id = await conn.fetchval("SELECT id FROM outside_records")
    token = csrf_from(queue.text)
    reject = await client.post(
        f"/clinic/outside-records/{record_id}/review", data={"decision": "reject", "_csrf_token": token}
    )
    assert reject.status_code == 400 and await conn.fetchval("SELECT status FROM outside_records") == "pending"
    approve = await client.post(
        f"/clinic/outside-records/{record_id}/review",
        data={"decision": "approve", "_csrf_token": token},
        follow_redirects=False,
    )
    assert approve.status_code == 303 and await conn.fetchval("SELECT status FROM outside_records") == "approved"
    csv_bad = CSV_HEAD + "ana@example.org,CDA,C-9,Practice act,2025-09-02,2025-09-02,abc,in_person,DBC,\n"
    checked = await client.post(
        "/clinic/outside-records/import",
        data={"_csrf_token": token},
        files={"file": ("back.csv", csv_bad.encode(), "text/csv")},
    )
    assert checked.status_code == 400 and "Línea 2, minutes" in checked.text
    csv_good = csv_bad.replace(",abc,", ",120,")
    checked = await client.post(
        "/clinic/outside-records/import",
        data={"_csrf_token": token},
        files={"file": ("back.csv", csv_good.encode(), "text/csv")},
    )
    assert checked.status_code == 200 and 'name="confirm"' in checked.text
    assert await conn.fetchval("SELECT count(*) FROM outside_records") == 1
    confirmed = await client.post(
        "/clinic/outside-records/import", data={"_csrf_token": token, "confirm": "1", "csv": csv_good}
    )
    assert confirmed.status_code == 200 and await conn.fetchval("SELECT count(*) FROM outside_records") == 2
