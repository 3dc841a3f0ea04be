"""A clinic admin verifies their own workers' credit against renewal requirements stored as data."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from babel.dates import format_date

from lms.clinic_time import today as clinic_today
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.integration.test_credit import do_everything, make_course


def as_shown(iso_day: str) -> str:
    """A day as an English page writes it (Babel's medium date, e.g. Dec 7, 2026)."""
    return format_date(date.fromisoformat(iso_day), "medium", locale="en")


DBC = "DBC"


async def _dental_clinic(conn):
    """St. John's: three dental assistants holding the RDA permit and a CHW; Baywell: one worker of its own."""
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    instructor = await make_user(conn, "maria@example.org", "instructor")
    people = {
        key: await make_user(conn, f"{key}@example.org", "worker", clinic="st-johns", name=name)
        for key, name in (
            ("dora", "Dora Díaz"),
            ("eva", "Eva Estrada"),
            ("flor", "Flor Fuentes"),
            ("chema", "Chema Cruz"),
        )
    }
    people["bea"] = await make_user(conn, "bea@example.org", "worker", clinic="baywell", name="Bea Baywell")
    approved = {"provider_number": "RP-5621", "approved_from": "2020-01-01"}
    ic = await make_course(
        conn,
        "DA-IC-TEST",
        [("ic", "lesson", 60), ("ic-lab", "in_person", 60)],
        [{"body": DBC, "category": "infection_control", **approved}],
    )
    dpa = await make_course(
        conn, "DA-DPA-TEST", [("dpa", "lesson", 120)], [{"body": DBC, "category": "dental_practice_act", **approved}]
    )
    bls = await make_course(
        conn,
        "DA-BLS-TEST",
        [("bls", "lesson", 120), ("bls-skills", "checkoff", 120)],
        [{"body": DBC, "category": "bls", **approved}],
    )
    general = await make_course(
        conn,
        "DA-GEN-TEST",
        [("reading", "lesson", 300), ("clinic-days", "in_person", 960)],
        [{"body": DBC, **approved}],
    )
    chw = await make_course(
        conn,
        "CHW-TEST",
        [("chw", "lesson", 240)],
        [{"body": "DHCS_CHW", "provider_number": "CHW-1", "approved_from": "2020-01-01"}],
        track="CHW",
    )

    async def complete(person, version_id):
        await do_everything(conn, user_id=people[person].id, version_id=version_id, instructor_id=instructor.id)

    for version_id in (ic, dpa, bls, general):  # Dora: everything -> meets
        await complete("dora", version_id)
    for version_id in (ic, general):  # Eva: no Dental Practice Act, no BLS
        await complete("eva", version_id)
    await complete("chema", chw)  # Chema: 4 of 6 CHW hours
    await complete("bea", general)  # another clinic's worker
    return people


async def test_a_clinic_admin_sees_which_dental_assistants_are_short_of_mandatory_units(client, conn):
    people = await _dental_clinic(conn)
    admin = await make_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    headers = await token_for(conn, admin.id)
    cycle_start = (clinic_today() - timedelta(days=200)).isoformat()
    for person, credential in (("dora", "RDA"), ("eva", "RDA"), ("flor", "RDA"), ("chema", "CHW")):
        saved = await client.put(
            f"/api/v1/clinic/workers/{people[person].id}/credentials",
            json={"credential": credential, "cycle_start": cycle_start},
            headers=headers,
        )
        assert saved.status_code == 200, saved.text
    elsewhere = await client.put(
        f"/api/v1/clinic/workers/{people['bea'].id}/credentials",
        json={"credential": "RDA", "cycle_start": cycle_start},
        headers=headers,
    )
    assert elsewhere.status_code == 404  # not a worker of this clinic
    unknown = await client.put(
        f"/api/v1/clinic/workers/{people['dora'].id}/credentials",
        json={"credential": "NOPE", "cycle_start": cycle_start},
        headers=headers,
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "credential"

    report = (await client.get("/api/v1/clinic/credit", headers=headers)).json()
    workers = {w["name"]: w for w in report["workers"]}
    assert set(workers) == {"Dora Díaz", "Eva Estrada", "Flor Fuentes", "Chema Cruz"}  # never Baywell's worker

    dora = workers["Dora Díaz"]["credentials"][0]
    assert dora["credential"] == "RDA" and dora["meets"] and dora["shortfalls"] == []
    assert workers["Dora Díaz"]["credit_by_body"][0]["credit"] == dora["earned"] == 29  # 2 + 2 + 4 + 21

    eva = workers["Eva Estrada"]["credentials"][0]
    assert not eva["meets"] and eva["counted"] == 23
    assert {(s["kind"], s["category"]) for s in eva["shortfalls"]} == {
        ("units", None),
        ("category", "dental_practice_act"),
        ("category", "bls"),
    }
    flor = workers["Flor Fuentes"]["credentials"][0]
    assert not flor["meets"] and flor["counted"] == 0
    chema = workers["Chema Cruz"]["credentials"][0]
    assert (chema["credential"], chema["required"], chema["counted"], chema["meets"]) == ("CHW", 6, 4, False)

    await sign_in(client, "cleo@example.org")
    page = await client.get("/clinic/credit", params={"short": "true"})
    assert page.status_code == 200
    assert "Eva Estrada" in page.text and "Flor Fuentes" in page.text and "Chema Cruz" in page.text
    assert "Dora Díaz" not in page.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "California Dental Practice Act" in page.text and "Bea Baywell" not in page.text

    rows = list(csv.DictReader(io.StringIO((await client.get("/clinic/credit.csv")).text.lstrip("\ufeff"))))
    assert {(r["worker"], r["credential"], r["meets"]) for r in rows} == {
        ("Dora Díaz", "RDA", "yes"),
        ("Eva Estrada", "RDA", "no"),
        ("Flor Fuentes", "RDA", "no"),
        ("Chema Cruz", "CHW", "no"),
    }

    lookups = await conn.fetch(
        "SELECT actor_id, subject, detail FROM audit_log WHERE action = 'clinic.credit_lookup' ORDER BY at"
    )
    assert [r["detail"]["format"] for r in lookups] == ["json", "html", "csv"]
    assert all(r["actor_id"] == admin.id and r["subject"] == str(admin.clinic_id) for r in lookups)


async def test_a_clinic_admin_records_a_credential_from_the_page(client, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "dora@example.org", "worker", clinic="st-johns", name="Dora Díaz")
    await make_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    await sign_in(client, "cleo@example.org")
    page = await client.get("/clinic/credit")
    cycle_start = (clinic_today() - timedelta(days=100)).isoformat()
    saved = await client.post(
        "/clinic/credit/credentials",
        data={
            "user_id": str(worker.id),
            "credential": "RDA",
            "cycle_start": cycle_start,
            "_csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = await client.get("/clinic/credit")
    assert "Registered Dental Assistant (RDA)" in page.text and as_shown(cycle_start) in page.text


async def test_only_admins_see_clinic_credit_and_program_admins_name_the_clinic(client, conn):
    await _dental_clinic(conn)
    worker_headers = await token_for(
        conn, (await conn.fetchrow("SELECT id FROM users WHERE email = 'dora@example.org'"))["id"]
    )
    assert (await client.get("/api/v1/clinic/credit", headers=worker_headers)).status_code == 403
    assert (await client.get("/api/v1/clinic/credit")).status_code == 401
    program = await token_for(conn, (await make_user(conn, "pat@example.org", "program_admin")).id)
    assert (await client.get("/api/v1/clinic/credit", headers=program)).status_code == 400
    baywell = (await client.get("/api/v1/clinic/credit", params={"clinic": "baywell"}, headers=program)).json()
    assert [w["name"] for w in baywell["workers"]] == ["Bea Baywell"]
    assert (await client.get("/api/v1/clinic/credit", params={"clinic": "nowhere"}, headers=program)).status_code == 404


async def test_a_big_clinic_is_shown_fifty_workers_a_page_and_only_those_are_audited(client, conn):
    clinic_id = (await make_clinic(conn, "la-clinica")).id
    await conn.execute(
        """INSERT INTO users (email, display_name, role, clinic_id)
           SELECT 'w' || n || '@example.org', 'Worker ' || lpad(n::text, 3, '0'), 'worker', $1 FROM generate_series(1, 52) n""",
        clinic_id,
    )
    await make_user(conn, "cleo@example.org", "clinic_admin", clinic="la-clinica")
    await sign_in(client, "cleo@example.org")

    first = await client.get("/clinic/credit")
    body = first.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Worker 001" in body and "Worker 050" in body and "Worker 051" not in body
    assert "Workers 1 to 50 of 52" in first.text and 'href="/clinic/credit?page=2"' in first.text
    second = await client.get("/clinic/credit", params={"page": "2"})
    body = second.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "Worker 051" in body and "Worker 052" in body and "Worker 050" not in body
    assert "Workers 51 to 52 of 52" in second.text and 'href="/clinic/credit?page=1"' in second.text
    assert (await client.get("/clinic/credit", params={"page": "0"})).status_code == 400

    shown = [
        r["detail"]["workers"]
        for r in await conn.fetch("SELECT detail FROM audit_log WHERE action = 'clinic.credit_lookup' ORDER BY at")
    ]
    assert shown == [50, 2]  # each lookup records the workers it showed
    csv_rows = list(csv.DictReader(io.StringIO((await client.get("/clinic/credit.csv")).text.lstrip("\ufeff"))))
    assert len({r["worker"] for r in csv_rows}) == 52  # the export has everyone


async def test_every_viewing_of_a_clinic_view_is_scoped_and_audited_and_own_changes_show_at_once(client, conn):
    people = await _dental_clinic(conn)
    st_johns = (await conn.fetchrow("SELECT clinic_id FROM users WHERE email = 'dora@example.org'"))["clinic_id"]
    await make_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    await make_user(conn, "bert@example.org", "clinic_admin", clinic="baywell")
    await sign_in(client, "cleo@example.org")

    # Seen twice, audited both times.
    first, again = await client.get("/clinic/credit"), await client.get("/clinic/credit")
    assert "Dora Díaz" in first.text and "Dora Díaz" in again.text and "Bea Baywell" not in again.text
    shown = [
        r["detail"]["worker_ids"]
        for r in await conn.fetch("SELECT detail FROM audit_log WHERE action = 'clinic.credit_lookup' ORDER BY at")
    ]
    assert len(shown) == 2 and shown[0] == shown[1] and str(people["dora"].id) in shown[0]
    for _ in range(2):
        report = await client.get(f"/reports/clinics/{st_johns}")
        assert report.status_code == 200 and "Dora Díaz" in report.text
    viewed = await conn.fetch("SELECT detail FROM audit_log WHERE action = 'report.clinic_viewed'")
    assert len(viewed) == 2 and viewed[0]["detail"]["workers"] == viewed[1]["detail"]["workers"]

    # A credential recorded from the page shows at once.
    cycle_start = (clinic_today() - timedelta(days=30)).isoformat()
    saved = await client.post(
        "/clinic/credit/credentials",
        data={
            "user_id": str(people["eva"].id),
            "credential": "RDA",
            "cycle_start": cycle_start,
            "_csrf_token": csrf_from(again.text),
        },
    )
    assert saved.status_code == 200 and "Saved." in saved.text and as_shown(cycle_start) in saved.text
    assert as_shown(cycle_start) in (await client.get("/clinic/credit")).text

    # Another clinic's admin gets their own clinic, never St. John's.
    await client.post("/logout", data={"_csrf_token": csrf_from(saved.text)})
    await sign_in(client, "bert@example.org")
    theirs = await client.get("/clinic/credit")
    assert "Bea Baywell" in theirs.text and "Dora Díaz" not in theirs.text
    assert (await client.get(f"/reports/clinics/{st_johns}")).status_code == 403


async def test_a_clinic_page_never_carries_one_admins_request_to_the_next(client, conn):
    """Two admins of one clinic open the same views, one after the other, with the same filters written differently:
    each page has its own query string (the language switch returns to it) and its own CSRF token."""
    await _dental_clinic(conn)
    st_johns = (await conn.fetchrow("SELECT clinic_id FROM users WHERE email = 'dora@example.org'"))["clinic_id"]
    await make_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    await make_user(conn, "clara@example.org", "clinic_admin", clinic="st-johns")
    views = {
        "cleo@example.org": ("/clinic/credit?months=24&short=false", f"/reports/clinics/{st_johns}?track=&start="),
        "clara@example.org": ("/clinic/credit?short=false&months=24", f"/reports/clinics/{st_johns}?start=&track="),
    }
    tokens = []
    for email, paths in views.items():
        client.cookies.clear()
        await sign_in(client, email)
        for path in paths:
            shown = await client.get(path)
            assert shown.status_code == 200 and "Dora Díaz" in shown.text
            own_query = path.split("?")[1].replace("&", "&amp;")
            assert f'name="next" value="{path.split("?")[0]}?{own_query}"' in shown.text
            for other_email, other_paths in views.items():
                if other_email != email:
                    assert all(p.split("?")[1].replace("&", "&amp;") not in shown.text for p in other_paths)
            tokens.append(csrf_from(shown.text))
    assert len(set(tokens[:2]) & set(tokens[2:])) == 0
