"""Outcome dashboards against the real PostgreSQL: a program admin's charts by track and clinic with the targets,
filters by local and language, CSV downloads; a clinic admin sees only their own clinic; the summary tables follow
every write (revocation, attendance corrections) and match a full rebuild; the audit log viewer."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from lms.accounts import queries as accounts
from lms.accounts.schemas import CurrentUser
from lms.learning.queries import enroll_self
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_clinic, make_user, publish_folder, sign_in, token_for

COURSES = {"MA": "MA-VS-101", "DA": "DA-IC-101", "CHW": "CHW-CORE-101", "EHR": "EHR-CHART-101", "CE": "CE-HIPAA-101"}


# ---------------------------------------------------------------- seeding, shared with test_reports_surveys.py


async def publish(conn: asyncpg.Connection, *tracks: str) -> None:
    for track in tracks:
        await publish_folder(conn, COURSES_DIR / COURSES[track])


async def worker(
    conn: asyncpg.Connection, email: str, clinic: str, *, language: str = "en", local: Any = None
) -> CurrentUser:
    made = await make_user(conn, email, "worker", clinic=clinic, language=language)
    if local is not None:
        await conn.execute("UPDATE users SET local_id = $2 WHERE id = $1", made.id, local.id)
    return CurrentUser(
        id=made.id,
        email=made.email,
        display_name=made.display_name,
        role="worker",
        clinic_id=made.clinic_id,
        local_id=local.id if local is not None else None,
        language=language,
    )


async def complete(
    conn: asyncpg.Connection, user: CurrentUser, track: str, *, certificate: bool = True, at: datetime | None = None
) -> Any:
    """Enrol through the learning service, record the completion as the learning feature does (every activity done is
    the learning feature's own business), and issue the certificate through the credit service."""
    from lms.credit.service import issue_certificate

    enrollment, _ = await enroll_self(conn, user=user, code=COURSES[track], version=None)
    at = at or datetime.now(UTC)
    async with conn.transaction():
        # the online part done: every lesson completed and every quiz passed
        await conn.execute(
            """WITH a AS (SELECT id, kind FROM version_activities WHERE version_id = $2 AND kind IN ('lesson', 'quiz')),
                    s AS (INSERT INTO statements (id, user_id, enrollment_id, verb, activity_iri, activity_id, timestamp, raw)
                          SELECT gen_random_uuid(), $3, $1, 'http://adlnet.gov/expapi/verbs/completed', 'urn:test:' || a.id, a.id, $4, '{}'
                          FROM a WHERE a.kind = 'lesson')
               INSERT INTO quiz_attempts (id, enrollment_id, activity_id, number, answers, score, passed, statement_id)
               SELECT gen_random_uuid(), $1, a.id, 1, '{}', 1, true, gen_random_uuid() FROM a WHERE a.kind = 'quiz'""",
            enrollment.id,
            enrollment.version_id,
            user.id,
            at,
        )
        await conn.execute(
            """WITH c AS (INSERT INTO completions (enrollment_id, user_id, version_id, statement_id, completed_at)
                          VALUES ($1, $2, $3, gen_random_uuid(), $4) RETURNING enrollment_id, completed_at)
               UPDATE enrollments e SET completed_at = c.completed_at FROM c WHERE e.id = c.enrollment_id""",
            enrollment.id,
            user.id,
            enrollment.version_id,
            at,
        )
        if certificate:
            await issue_certificate(conn, enrollment.id)
    return enrollment


async def enroll(conn: asyncpg.Connection, user: CurrentUser, track: str) -> Any:
    enrollment, _ = await enroll_self(conn, user=user, code=COURSES[track], version=None)
    return enrollment


async def program_admin(conn: asyncpg.Connection, client: Any, email: str = "pat@partnership.org") -> Any:
    admin = await make_user(conn, email, "program_admin")
    await sign_in(client, email)
    return admin


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# ---------------------------------------------------------------- the program dashboard


async def outcomes(conn: asyncpg.Connection) -> dict[str, Any]:
    """Two clinics, two locals, workers in English and Spanish, outcomes in four tracks."""
    await publish(conn, "MA", "DA", "EHR", "CE")
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "la-clinica")
    l521 = await accounts.create_local(conn, slug="seiu-521", name="SEIU 521")
    l1021 = await accounts.create_local(conn, slug="seiu-1021", name="SEIU 1021")
    ana = await worker(conn, "ana@example.org", "st-johns", language="es", local=l521)
    ben = await worker(conn, "ben@example.org", "st-johns", language="en", local=l521)
    caro = await worker(conn, "caro@example.org", "la-clinica", language="es-MX", local=l1021)
    dev = await worker(conn, "dev@example.org", "la-clinica", language="en", local=l1021)
    await complete(conn, ana, "MA")
    await complete(conn, ana, "EHR")
    await complete(conn, ben, "DA")
    await enroll(conn, ben, "EHR")
    await complete(conn, caro, "EHR")
    await complete(conn, caro, "CE")
    await enroll(conn, dev, "MA")
    return {"l521": l521, "l1021": l1021, "workers": (ana, ben, caro, dev)}


async def test_a_program_admin_sees_outcomes_by_track_and_clinic_with_targets(client, conn):
    await outcomes(conn)
    await program_admin(conn, client)

    page = await client.get("/reports/program")
    assert page.status_code == 200
    html = page.text
    assert "<script" not in html and "style=" not in html
    assert (
        html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 9
    )  # targets, funder (by target, clinic, local, month, quarter), trend, track, clinic
    assert "Fewer than 5 responses" in html  # no survey answers yet: no survey chart
    assert 'role="img"' in html and '<title id="by-track-title">Outcomes by track</title>' in html
    assert '<title id="by-clinic-title">Outcomes by clinic</title>' in html
    assert "La Clinica" in html and "St Johns" in html
    assert "Industry credentials" in html and "Workers in professional development" in html
    # a desk page: 50 kB before the funder's month and quarter charts and tables, which add about 18 kB
    assert len(page.content) < 70_000

    board = (await client.get("/api/v1/reports/program")).json()
    assert (
        board["totals"]["enrolled"] == 7 and board["totals"]["completed"] == 5 and board["totals"]["certificates"] == 5
    )
    assert board["totals"]["ehr_participants"] == 3  # ana, ben, caro began EHR training
    assert board["totals"]["credit_hours"] > 0
    by_track = {g["key"]: g["figures"] for g in board["by_track"]}
    assert by_track["EHR"]["enrolled"] == 3 and by_track["EHR"]["completed"] == 2 and by_track["MA"]["completed"] == 1
    by_clinic = {g["label"]: g["figures"] for g in board["by_clinic"]}
    assert by_clinic["St Johns"]["enrolled"] == 4 and by_clinic["La Clinica"]["completed"] == 2
    targets = {t["key"]: t for t in board["targets"]}
    assert (
        targets["industry_credentials"]["target"] == 400 and targets["industry_credentials"]["achieved"] == 2
    )  # MA + DA
    assert targets["ce_and_ehr"]["target"] == 900 and targets["ce_and_ehr"]["achieved"] == 3  # ana, ben, caro
    assert (
        targets["professional_development"]["target"] == 1800 and targets["professional_development"]["achieved"] == 4
    )


async def test_a_program_admin_filters_by_local_and_language(client, conn):
    seeded = await outcomes(conn)
    await program_admin(conn, client)

    spanish_1021 = (await client.get(f"/api/v1/reports/program?local={seeded['l1021'].id}&language=es")).json()
    assert spanish_1021["totals"]["enrolled"] == 2 and spanish_1021["totals"]["completed"] == 2  # caro (es-MX) only
    assert [g["label"] for g in spanish_1021["by_clinic"]] == ["La Clinica"]
    english = (await client.get("/api/v1/reports/program?language=en")).json()
    assert english["totals"]["enrolled"] == 3 and english["totals"]["completed"] == 1  # ben and dev
    local_521 = (await client.get(f"/api/v1/reports/program?local={seeded['l521'].id}")).json()
    assert local_521["totals"]["enrolled"] == 4 and {g["label"] for g in local_521["by_clinic"]} == {"St Johns"}

    page = await client.get(f"/reports/program?local={seeded['l1021'].id}&language=es&track=&clinic=")
    assert page.status_code == 200
    assert f'<option value="{seeded["l1021"].id}" selected>SEIU 1021</option>' in page.text
    assert '<option value="es" selected>' in page.text
    assert "St Johns</th>" not in page.text and "La Clinica</th>" in page.text

    bad = await client.get("/api/v1/reports/program?local=not-a-uuid")
    assert bad.status_code == 400 and bad.json()["field"] == "local"
    backwards = await client.get("/api/v1/reports/program?start=2026-05-01&end=2026-04-01")
    assert backwards.status_code == 400 and backwards.json()["field"] == "end"


async def test_the_program_admin_downloads_each_table_as_csv_and_the_download_is_audited(client, conn):
    await outcomes(conn)
    admin = await program_admin(conn, client)

    by_clinic = await client.get("/reports/program/export/by_clinic.csv?language=es")
    assert by_clinic.status_code == 200
    assert (
        by_clinic.headers["content-type"] == "text/csv; charset=utf-8"
    )  # once: Excel and LibreOffice read it as UTF-8
    assert "attachment" in by_clinic.headers["content-disposition"]
    table = rows_of(by_clinic.text)
    assert table[0] == [
        "clinic",
        "enrolled",
        "completed",
        "certificates",
        "credit_hours",
        "ehr_participants",
        "inperson_hours",
    ]
    assert {r[0]: r[1] for r in table[1:]} == {"La Clinica": "2", "St Johns": "2"}
    for name in ("targets", "trend", "by_track", "survey"):
        got = await client.get(f"/reports/program/export/{name}.csv")
        assert got.status_code == 200 and len(rows_of(got.text)) >= 1, name
    targets = rows_of((await client.get("/reports/program/export/targets.csv")).text)
    assert [targets[1][0], targets[1][7]] == ["industry_credentials", "400"]
    assert (await client.get("/reports/program/export/secrets.csv")).status_code == 404

    audited = await conn.fetch(
        "SELECT actor_id, subject, detail FROM audit_log WHERE action = 'report.exported' ORDER BY id"
    )
    assert len(audited) == 6 and all(a["actor_id"] == admin.id for a in audited)
    assert audited[0]["subject"] == "program:all:by_clinic" and audited[0]["detail"]["filters"]["language"] == "es"


async def test_the_trend_fills_every_month_and_counts_events_in_their_month(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "st-johns")
    ana = await worker(conn, "ana@example.org", "st-johns")
    ben = await worker(conn, "ben@example.org", "st-johns")
    await complete(conn, ana, "CE", at=datetime(2026, 3, 10, 18, tzinfo=UTC), certificate=False)
    await complete(conn, ben, "CE", at=datetime(2026, 6, 2, 18, tzinfo=UTC), certificate=False)
    await program_admin(conn, client)
    board = (await client.get("/api/v1/reports/program?start=2026-01-01&end=2026-11-30")).json()
    assert board["bucket"] == "month"
    completed = {p["period"]: p["completed"] for p in board["trend"]}
    assert (
        len(completed) == 11
        and completed["2026-03-01"] == 1
        and completed["2026-06-01"] == 1
        and completed["2026-04-01"] == 0
    )
    march = (await client.get("/api/v1/reports/program?start=2026-03-01&end=2026-03-31")).json()
    assert march["bucket"] == "day" and march["totals"]["completed"] == 1


# ---------------------------------------------------------------- a clinic's dashboard


async def test_a_clinic_admin_sees_only_their_clinic(client, conn):
    seeded = await outcomes(conn)
    ana = seeded["workers"][0]
    await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    other = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'la-clinica'")
    mine = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'st-johns'")
    # ana's RDA renewal cycle ends within 90 days; ben's CHW cycle ends much later
    today = datetime.now(UTC).date()
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'RDA', $2)",
        ana.id,
        date(today.year - 2, today.month, 1) + timedelta(days=40),
    )
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'CHW', $2)",
        seeded["workers"][1].id,
        today - timedelta(days=10),
    )
    await sign_in(client, "kim@stjohns.org")

    landing = await client.get("/reports", follow_redirects=True)
    assert landing.status_code == 200 and str(landing.url).endswith(f"/reports/clinics/{mine}")
    html = landing.text
    assert "ana@example.org" in html and "ben@example.org" in html
    assert "caro@example.org" not in html and "dev@example.org" not in html and "La Clinica" not in html
    assert "Registered Dental Assistant (RDA)" in html and "Community Health Worker (Medi-Cal)" not in html
    assert "<script" not in html and "style=" not in html

    for url in (
        f"/reports/clinics/{other}",
        f"/reports/clinics/{other}/export/workers.csv",
        f"/api/v1/reports/clinics/{other}",
    ):
        refused = await client.get(url)
        assert refused.status_code == 403, url
    assert (await client.get("/reports/program")).status_code == 403
    assert (await client.get("/api/v1/reports/program")).status_code == 403

    board = (await client.get(f"/api/v1/reports/clinics/{mine}")).json()
    assert board["totals"]["enrolled"] == 4 and board["totals"]["completed"] == 3
    assert {w["email"] for w in board["workers"]} == {"ana@example.org", "ben@example.org"}
    [due] = board["renewals"]
    assert due["credential"] == "RDA" and due["required"] == 25 and due["still_needed"] > 0 and not due["meets"]

    # a name a spreadsheet would run as a formula is written as text
    await conn.execute("UPDATE users SET display_name = '=HYPERLINK(\"http://x\")' WHERE email = 'ben@example.org'")
    workers_csv = rows_of((await client.get(f"/reports/clinics/{mine}/export/workers.csv")).text)
    assert workers_csv[0][:6] == ["name", "email", "enrolled", "completed", "certificates", "contact_hours"]
    assert sorted(r[1] for r in workers_csv[1:]) == ["ana@example.org", "ben@example.org"]
    assert '\'=HYPERLINK("http://x")' in [r[0] for r in workers_csv[1:]]
    renewals_csv = rows_of((await client.get(f"/reports/clinics/{mine}/export/renewals.csv")).text)
    assert renewals_csv[1][1] == "RDA"
    lookups = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'report.clinic_viewed' AND subject = $1", str(mine)
    )
    exported = await conn.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'report.exported' AND subject LIKE 'clinic:%'"
    )
    assert lookups >= 2 and exported == 2


async def test_workers_of_a_big_clinic_come_in_pages(client, conn):
    await make_clinic(conn, "st-johns")
    clinic = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'st-johns'")
    await conn.execute(
        """INSERT INTO users (email, display_name, role, clinic_id)
           SELECT 'w' || g || '@example.org', 'Worker ' || lpad(g::text, 3, '0'), 'worker', $1 FROM generate_series(1, 120) g""",
        clinic,
    )
    await program_admin(conn, client)
    first = (await client.get(f"/api/v1/reports/clinics/{clinic}")).json()
    assert len(first["workers"]) == 50 and first["workers"][0]["name"] == "Worker 001"
    second = (await client.get(f"/api/v1/reports/clinics/{clinic}?after={first['next_after']}")).json()
    assert second["workers"][0]["name"] == "Worker 051"
    third = (await client.get(f"/api/v1/reports/clinics/{clinic}?after={second['next_after']}")).json()
    assert len(third["workers"]) == 20 and third["next_after"] is None
    page = await client.get(f"/reports/clinics/{clinic}")
    assert f"after={first['next_after']}" in page.text
    chooser = await client.get("/reports/clinic")
    assert f"/reports/clinics/{clinic}" in chooser.text


# ---------------------------------------------------------------- the summary tables


async def _daily(conn: asyncpg.Connection) -> list[tuple]:
    rows = await conn.fetch(
        """SELECT day, track, clinic_id, local_id, language, enrolled, new_participants, completed, certificates, revoked,
                  credit_minutes, inperson_minutes
           FROM report_daily
           WHERE (enrolled, new_participants, completed, certificates, revoked, credit_minutes, inperson_minutes) <> (0, 0, 0, 0, 0, 0, 0)
           ORDER BY day, track, clinic_id::text, local_id::text, language"""
    )
    return [tuple(r) for r in rows]


async def test_summaries_follow_revocation_and_attendance_corrections_and_match_a_rebuild(client, conn):
    from lms.credit.service import revoke
    from lms.reports.queries import refresh_summaries

    seeded = await outcomes(conn)
    ana, dev = seeded["workers"][0], seeded["workers"][3]
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    code = await conn.fetchval("SELECT code FROM certificates WHERE user_id = $1 ORDER BY issued_at LIMIT 1", ana.id)
    before = await conn.fetchrow(
        "SELECT sum(certificates) AS n, sum(credit_minutes) AS m, sum(revoked) AS r FROM report_daily"
    )
    await revoke(
        conn,
        typed_code=code,
        actor=CurrentUser(
            id=admin.id,
            email=admin.email,
            display_name="Pat",
            role="program_admin",
            clinic_id=None,
            local_id=None,
            language="en",
        ),
        reason="issued_in_error",
        note="issued in error",
    )
    after = await conn.fetchrow(
        "SELECT sum(certificates) AS n, sum(credit_minutes) AS m, sum(revoked) AS r FROM report_daily"
    )
    assert after["n"] == before["n"] - 1 and after["r"] == before["r"] + 1 and after["m"] < before["m"]

    # in-person attendance: recorded, corrected by a roster save, removed when marked absent
    instructor = await make_user(conn, "ivy@example.org", "instructor")
    activity = await conn.fetchval(
        """SELECT a.id FROM version_activities a JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
           WHERE c.code = 'MA-VS-101' AND a.kind = 'in_person' LIMIT 1"""
    )
    assert activity is not None
    clinic = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'st-johns'")
    session = await conn.fetchval(
        """INSERT INTO inperson_sessions (activity_id, starts_at, ends_at, clinic_id, room, capacity, language, instructor_id)
           VALUES ($1, now() - interval '3 hours', now() - interval '1 hour', $2, 'Room 1', 10, 'es', $3) RETURNING id""",
        activity,
        clinic,
        instructor.id,
    )
    enrollments = {
        r["user_id"]: r["id"]
        for r in await conn.fetch(
            "SELECT e.id, e.user_id FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id WHERE c.code = 'MA-VS-101'"
        )
    }

    async def inperson() -> int:
        return await conn.fetchval("SELECT coalesce(sum(inperson_minutes), 0) FROM report_daily")

    await conn.execute(
        """INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
           VALUES ($1, $2, $3, now() - interval '3 hours', now() - interval '1 hour', 120, $5, 'qr'),
                  ($1, $4, $6, now() - interval '2 hours', now() - interval '1 hour', 60, $5, 'qr')""",
        session,
        ana.id,
        enrollments[ana.id],
        dev.id,
        instructor.id,
        enrollments[dev.id],
    )
    assert await inperson() == 180
    await conn.execute("UPDATE attendance SET minutes = 90 WHERE session_id = $1 AND user_id = $2", session, dev.id)
    assert await inperson() == 210
    await conn.execute("DELETE FROM attendance WHERE session_id = $1 AND user_id = $2", session, ana.id)
    assert await inperson() == 90

    incremental = await _daily(conn)
    await conn.execute("TRUNCATE report_daily, report_worker_tracks")
    daily, worker_tracks = await refresh_summaries(conn)  # `lms reports refresh`
    assert await _daily(conn) == incremental and daily > 0 and worker_tracks == 7


async def test_the_renewal_cycle_end_in_sql_matches_the_credit_rules(conn):
    from lms.credit.renewal import current_cycle

    cases = [
        (date(2024, 1, 31), 12, date(2025, 1, 30)),
        (date(2024, 1, 31), 12, date(2025, 1, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 24, date(2026, 2, 27)),
        (date(2027, 5, 1), 24, date(2026, 11, 1)),
        (date(2021, 8, 31), 60, date(2026, 8, 30)),
        (date(2020, 3, 15), 60, date(2026, 11, 22)),
        (date(2025, 12, 31), 1, date(2026, 2, 28)),
    ]
    for start, months, today in cases:
        sql = await conn.fetchval("SELECT renewal_cycle_end($1, $2, $3)", start, months, today)
        assert sql == current_cycle(start, months, today)[1], (start, months, today)


# ---------------------------------------------------------------- the audit log viewer


async def test_the_audit_log_viewer_filters_by_action_actor_and_period_in_keyset_pages(client, conn):
    admin = await program_admin(conn, client)
    other = await make_user(conn, "olga@partnership.org", "program_admin")
    await conn.execute(
        """INSERT INTO audit_log (actor_id, action, subject, at)
           SELECT CASE WHEN g % 2 = 0 THEN $1::uuid ELSE $2::uuid END, CASE WHEN g % 3 = 0 THEN 'certificate.revoke' ELSE 'course.publish' END,
                  'item-' || g, now() - make_interval(days => 130 - g)
           FROM generate_series(1, 130) g""",
        admin.id,
        other.id,
    )
    first = (await client.get("/api/v1/reports/audit?action=certificate.revoke&limit=20")).json()
    assert len(first["entries"]) == 20 and {e["action"] for e in first["entries"]} == {"certificate.revoke"}
    assert first["entries"][0]["subject"] == "item-129" and "course.publish" in first["actions"]
    second = (
        await client.get(f"/api/v1/reports/audit?action=certificate.revoke&limit=20&before={first['next_before']}")
    ).json()
    assert second["entries"][0]["subject"] == "item-69" and len(second["entries"]) == 20
    third = (
        await client.get(f"/api/v1/reports/audit?action=certificate.revoke&limit=20&before={second['next_before']}")
    ).json()
    assert len(third["entries"]) == 3 and third["next_before"] is None
    by_actor = (await client.get("/api/v1/reports/audit?actor=olga@partnership.org&limit=500")).json()
    assert len(by_actor["entries"]) == 65 and {e["actor_email"] for e in by_actor["entries"]} == {
        "olga@partnership.org"
    }
    day = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    recent = (await client.get(f"/api/v1/reports/audit?start={day}&limit=500")).json()
    assert 9 <= len([e for e in recent["entries"] if e["subject"].startswith("item-")]) <= 12
    assert all(e["at"][:10] >= day for e in recent["entries"])

    page = await client.get("/reports/audit?action=course.publish")
    assert page.status_code == 200 and "item-130" in page.text and "item-129" not in page.text
    older = page.text.split('href="/reports/audit?')[-1].split('"')[0].replace("&amp;", "&")
    assert "before=" in older
    assert "item-" in (await client.get(f"/reports/audit?{older}")).text


async def test_only_program_admins_read_the_audit_log(client, conn):
    await make_clinic(conn, "st-johns")
    kim = await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    headers = await token_for(conn, kim.id)
    assert (await client.get("/api/v1/reports/audit", headers=headers)).status_code == 403
    await sign_in(client, "kim@stjohns.org")
    assert (await client.get("/reports/audit")).status_code == 403


async def test_targets_are_data_a_program_admin_can_change(client, conn):
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    headers = await token_for(conn, admin.id)
    changed = await client.put(
        "/api/v1/reports/targets/industry_credentials",
        headers=headers,
        json={"target": 450, "period_end": "2029-06-30"},
    )
    assert changed.status_code == 200
    target = next(t for t in changed.json() if t["key"] == "industry_credentials")
    assert target["target"] == 450 and target["period_end"] == "2029-06-30" and target["tracks"] == ["MA", "DA", "CHW"]
    assert (
        await conn.fetchval("SELECT detail ->> 'target' FROM audit_log WHERE action = 'report.target_changed'") == "450"
    )
    assert (
        await client.put("/api/v1/reports/targets/no_such_target", headers=headers, json={"target": 5})
    ).status_code == 404
    backwards = await client.put(
        "/api/v1/reports/targets/ce_and_ehr", headers=headers, json={"target": 5, "period_end": "2020-01-01"}
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "period_end"
    assert (
        await client.put("/api/v1/reports/targets/ce_and_ehr", headers=headers, json={"target": 0})
    ).status_code == 400


async def test_the_program_dashboard_stays_light_with_twenty_clinics(client, conn):
    await publish(conn, "CE")
    version = await conn.fetchval("SELECT id FROM course_versions")
    await conn.execute(
        """WITH k AS (INSERT INTO clinics (slug, name)
                      SELECT 'clinic-' || g, 'Community Health Center of the Valley, site ' || g FROM generate_series(1, 20) g
                      RETURNING id),
                u AS (INSERT INTO users (email, display_name, role, clinic_id, language)
                      SELECT 'w' || n || '-' || k.id || '@example.org', 'Worker', 'worker', k.id, 'es'
                      FROM k, generate_series(1, 3) n RETURNING id, clinic_id)
           INSERT INTO enrollments (user_id, version_id, clinic_id) SELECT id, $1, clinic_id FROM u""",
        version,
    )
    await program_admin(conn, client)
    page = await client.get("/reports/program")
    assert page.status_code == 200 and page.text.count("Community Health Center of the Valley") >= 20
    # the funder's report by clinic adds a chart and a table with a row per clinic (about 6 kB for twenty); its month and
    # quarter charts and tables about 18 kB more, whatever the number of clinics
    assert len(page.content) < 85_000, len(page.content)


async def test_report_planning_setting_ends_with_its_transaction(conn):
    """Pooled connections go back without a reset: the reports' planning setting must not follow them to hot paths."""
    import pytest

    from lms.reports.queries import plan_each_time

    with pytest.raises(RuntimeError, match="transaction"):
        await plan_each_time(conn)
    async with conn.transaction():
        await plan_each_time(conn)
        assert await conn.fetchval("SHOW plan_cache_mode") == "force_custom_plan"
    assert await conn.fetchval("SHOW plan_cache_mode") == "auto"


async def test_a_worker_who_left_is_counted_as_left_and_her_training_stays_in_the_clinic_report(client, conn):
    seeded = await outcomes(conn)
    await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    mine = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'st-johns'")
    await sign_in(client, "kim@stjohns.org")
    people = await client.get("/people")
    left = await client.post(
        f"/people/{seeded['workers'][1].id}/deactivate",
        data={"_csrf_token": csrf_from(people.text)},
        follow_redirects=False,
    )
    assert left.status_code == 303

    page = (await client.get(f"/reports/clinics/{mine}")).text
    assert "1 active worker · 1 left" in page
    assert "ben@example.org" in page and "Left " in page, "she is still listed, marked as left"
    board = (await client.get(f"/api/v1/reports/clinics/{mine}")).json()
    assert (board["workers_active"], board["workers_left"]) == (1, 1)
    ben = next(w for w in board["workers"] if w["email"] == "ben@example.org")
    assert ben["left_at"] is not None and ben["completed"] >= 1, "her records are kept"
    assert board["totals"]["enrolled"] == 4, "what she did at the clinic still counts"
    workers_csv = rows_of((await client.get(f"/reports/clinics/{mine}/export/workers.csv")).text)
    status = {r[1]: (r[6], r[7]) for r in workers_csv[1:]}
    assert workers_csv[0][6:8] == ["status", "left_on"]
    assert (
        status["ana@example.org"] == ("active", "")
        and status["ben@example.org"][0] == "left"
        and status["ben@example.org"][1]
    )
