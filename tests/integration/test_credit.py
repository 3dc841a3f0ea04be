"""Certificates: issued once on completion with frozen facts, verified by anyone with the code, signed as Open Badges
3.0 credentials, revoked by a program admin, and listed on the worker's transcript."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from lms.catalog import queries as catalog
from lms.credit.codes import check_character
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_clinic, make_user, publish_folder, sign_in, token_for

BASE = "http://127.0.0.1:8000"  # the test settings' public_base_url


# ---------------------------------------------------------------- helpers (also used by test_credit_clinic.py)


async def make_course(
    conn: asyncpg.Connection,
    code: str,
    activities: list[tuple[str, str, int]],
    approvals: list[dict[str, Any]],
    track: str = "DA",
) -> UUID:
    """A published version with these (key, kind, minutes) activities and credit approvals."""
    course_id, version = await catalog.lock_course(conn, code=code, track=track, draft={})
    title = {"en": f"{code} course", "es": f"Curso {code}"}
    return await catalog.insert_version(
        conn,
        course_id=course_id,
        version=version,
        languages=["en", "es"],
        title=title,
        summary=title,
        total_minutes=sum(m for _k, _kind, m in activities),
        min_attendance_share=0.8,
        content={},
        published_by=None,
        modules=[{"position": 0, "key": "m1", "title": title}],
        activities=[
            {
                "module_key": "m1",
                "position": i,
                "key": k,
                "kind": kind,
                "minutes": m,
                "title": {"en": k, "es": f"{k} (es)"},
                "body_html": {},
                "learner": {},
                "answer_key": None,
            }
            for i, (k, kind, m) in enumerate(activities)
        ],
        approvals=[{"approved_until": None, "category": None, **a} for a in approvals],
    )


async def do_everything(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    version_id: UUID,
    instructor_id: UUID,
    attended: dict[str, int] | None = None,
    enrolled_at: datetime | None = None,
) -> UUID:
    """Enrol, do every activity (attending in-person ones for `attended[key]` minutes, default all), and complete
    through the learning feature, whose completion listeners issue the certificate."""
    from lms.learning.completion import complete_if_done

    attended = attended or {}
    enrollment_id = await conn.fetchval(
        """INSERT INTO enrollments (user_id, version_id, clinic_id, enrolled_at)
           SELECT id, $2, clinic_id, coalesce($3, now()) FROM users WHERE id = $1 RETURNING id""",
        user_id,
        version_id,
        enrolled_at,
    )
    activities = await conn.fetch(
        "SELECT id, key, kind, minutes FROM version_activities WHERE version_id = $1", version_id
    )
    for a in activities:
        if a["kind"] == "lesson":
            await conn.execute(
                """INSERT INTO statements (id, user_id, enrollment_id, verb, activity_iri, activity_id, timestamp, raw)
                   VALUES (gen_random_uuid(), $1, $2, 'http://adlnet.gov/expapi/verbs/completed', 'urn:test:' || $3, $4, now(), '{}')""",
                user_id,
                enrollment_id,
                a["key"],
                a["id"],
            )
        elif a["kind"] == "quiz":
            await conn.execute(
                """INSERT INTO quiz_attempts (id, enrollment_id, activity_id, number, answers, score, passed, statement_id)
                   VALUES (gen_random_uuid(), $1, $2, 1, '{}', 1, true, gen_random_uuid())""",
                enrollment_id,
                a["id"],
            )
        elif a["kind"] == "in_person":
            minutes = attended.get(a["key"], a["minutes"])
            await conn.execute(
                """WITH s AS (
                       INSERT INTO inperson_sessions (activity_id, starts_at, ends_at, clinic_id, room, capacity, language, instructor_id)
                       SELECT $1, now() - make_interval(mins => $3), now(), u.clinic_id, 'Room 1', 10, 'en', $4
                       FROM users u WHERE u.id = $2 RETURNING id, starts_at)
                   INSERT INTO attendance (session_id, user_id, enrollment_id, arrived_at, left_at, minutes, recorded_by, method)
                   SELECT s.id, $2, $5, s.starts_at, s.starts_at + make_interval(mins => $6), $6, $4, 'roster' FROM s""",
                a["id"],
                user_id,
                a["minutes"],
                instructor_id,
                enrollment_id,
                minutes,
            )
        elif a["kind"] == "checkoff":
            await conn.execute(
                "INSERT INTO checkoffs (enrollment_id, activity_id, instructor_id) VALUES ($1, $2, $3)",
                enrollment_id,
                a["id"],
                instructor_id,
            )
    async with conn.transaction():
        await complete_if_done(conn, [enrollment_id], base_url=BASE)
    return enrollment_id


async def certificate_code(conn: asyncpg.Connection, enrollment_id: UUID) -> str:
    code = await conn.fetchval("SELECT code FROM certificates WHERE enrollment_id = $1", enrollment_id)
    assert code, "no certificate was issued"
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


async def dental_worker_with_certificate(conn: asyncpg.Connection, *, language: str = "es") -> tuple[Any, Any, str]:
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", language=language, name="Ana Pérez")
    instructor = await make_user(conn, "maria@example.org", "instructor", name="María López")
    published = await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    enrollment_id = await do_everything(
        conn, user_id=worker.id, version_id=published.version_id, instructor_id=instructor.id
    )
    return worker, instructor, await certificate_code(conn, enrollment_id)


# ---------------------------------------------------------------- tests


async def test_completing_a_course_issues_a_certificate_whose_code_verifies_without_login(client, conn):
    worker, _instructor, code = await dental_worker_with_certificate(conn)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}", code)

    page = await client.get(f"/verify/{code.lower()}", headers={"accept-language": "en"})
    assert page.status_code == 200
    text = page.text
    assert '<html lang="es">' in text  # the certificate's language, whatever the browser asks
    for shown in (
        "Ana Pérez",
        "Control de infecciones para asistentes dentales",
        "DA-IC-101",
        "Versión 1",
        "Dental Board of California",
        "RP-5621",
        "IACET-4471",
        "Control de infecciones",
        "María López",
        "Taller práctico de control de infecciones",
        "31 dic 2027",
        "<svg",
    ):
        assert shown in text, shown
    assert "ana@example.org" not in text and str(worker.id) not in text
    assert len(page.content) < 50_000

    english = await client.get(f"/verify/{code}", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Valid" in english.text
    assert "Control de infecciones para asistentes dentales" in english.text  # frozen facts stay as issued

    api = (await client.get(f"/api/v1/certificates/{code.replace('-', '')}")).json()
    facts = api["facts"]
    assert api["status"] == "valid" and api["code"] == code and api["verify_url"] == f"{BASE}/verify/{code}"
    assert (facts["worker_name"], facts["language"], facts["course_code"], facts["course_version"]) == (
        "Ana Pérez",
        "es",
        "DA-IC-101",
        1,
    )
    # 50 online minutes (lessons + quizzes) and 70 live (60 lab + 10 checkoff) = 120 minutes
    assert (facts["self_paced_minutes"], facts["live_minutes"], facts["contact_hours"]) == (50, 70, 2)
    credit = {c["body"]: c for c in facts["credits"]}
    assert (credit["DBC"]["credit"], credit["DBC"]["live_credit"], credit["DBC"]["non_live_credit"]) == (2, 1.1, 0.9)
    assert credit["DBC"]["provider_number"] == "RP-5621" and credit["DBC"]["approval_category"] == "infection_control"
    assert credit["IACET"]["credit"] == 0.2
    assert {(p["kind"], p["instructor"], p["minutes"]) for p in facts["in_person"]} == {
        ("in_person", "María López", 60),
        ("checkoff", "María López", 10),
    }
    assert set(api) == {
        "code",
        "status",
        "status_checked_at",
        "revoked_at",
        "revoked_reason",
        "verify_url",
        "facts",
        "superseded_by",
    }


async def test_certificate_facts_are_frozen_when_issued(client, conn):
    worker, _instructor, code = await dental_worker_with_certificate(conn)
    await conn.execute("UPDATE users SET display_name = 'Ana P. Renamed' WHERE id = $1", worker.id)
    await conn.execute("UPDATE version_approvals SET provider_number = 'RP-9999'")
    facts = (await client.get(f"/api/v1/certificates/{code}")).json()["facts"]
    assert facts["worker_name"] == "Ana Pérez" and "RP-9999" not in json.dumps(facts)
    with pytest.raises(asyncpg.RaiseError):
        await conn.execute("UPDATE certificates SET facts = jsonb_set(facts, '{worker_name}', '\"X\"')")
    with pytest.raises(asyncpg.RaiseError):
        await conn.execute("DELETE FROM certificates")


async def test_fifty_concurrent_issues_for_one_enrolment_make_one_certificate(settings, conn):
    from lms.credit.service import issue_certificate

    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    version_id = await make_course(
        conn,
        "CE-TEST-101",
        [("intro", "lesson", 60)],
        [{"body": "IACET", "provider_number": "P-1", "approved_from": "2020-01-01"}],
    )
    enrollment_id = await conn.fetchval(
        "INSERT INTO enrollments (user_id, version_id) VALUES ($1, $2) RETURNING id", worker.id, version_id
    )
    await conn.execute(
        "INSERT INTO completions (enrollment_id, user_id, version_id, statement_id) VALUES ($1, $2, $3, gen_random_uuid())",
        enrollment_id,
        worker.id,
        version_id,
    )
    pool = await asyncpg.create_pool(settings.database_url, min_size=10, max_size=25, init=_init)
    try:

        async def issue() -> str:
            async with pool.acquire() as c, c.transaction():
                return (await issue_certificate(c, enrollment_id)).code

        issued = await asyncio.gather(*[issue() for _ in range(50)])
    finally:
        await pool.close()
    assert len(set(issued)) == 1
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE enrollment_id = $1", enrollment_id) == 1


async def _init(c):
    from lms.db.pool import init_connection

    await init_connection(c)


async def test_unknown_codes_are_404_without_a_hint_and_lookups_are_rate_limited(client, conn):
    _worker, _instructor, code = await dental_worker_with_certificate(conn)
    last = code[-1]
    typo = code[:-1] + ("2" if last != "2" else "3")  # fails the check character
    unknown = "2222-2222-2" + check_character("222222222")  # well-formed, but no certificate has it
    answers = [await client.get(f"/api/v1/certificates/{c}") for c in (typo, unknown, "nonsense")]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert len({a.json()["detail"] for a in answers}) == 1
    assert (await client.get(f"/verify/{unknown}")).status_code == 404

    statuses = [(await client.get(f"/api/v1/certificates/{code}")).status_code for _ in range(40)]
    assert statuses[0] == 200 and 429 in statuses
    limited = await client.get(f"/verify/{code}")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


async def test_the_downloaded_credential_verifies_and_fails_after_one_changed_character(client, conn):
    worker, _instructor, code = await dental_worker_with_certificate(conn)
    headers = await token_for(conn, worker.id)
    download = await client.get(f"/api/v1/me/certificates/{code}/credential", headers=headers)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    credential = download.json()
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["statusListCredential"] == f"{BASE}/credentials/status/1"
    assert (
        await client.get(f"/api/v1/me/certificates/{code}/credential", headers=headers)
    ).json() == credential  # signed once

    did = (await client.get("/.well-known/did.json")).json()
    assert did["id"] == "did:web:127.0.0.1%3A8000"
    assert credential["proof"]["verificationMethod"] in did["assertionMethod"]
    assert did["verificationMethod"][0]["type"] == "Multikey" and did["verificationMethod"][0][
        "publicKeyMultibase"
    ].startswith("z6Mk")

    verified = (await client.post("/api/v1/credentials/verify", json=credential)).json()
    assert verified == {
        "verified": True,
        "status": "valid",
        "checks": {"schema": True, "proof": True, "status": True, "validity": True},
        "errors": [],
        "code": code,
    }

    text = download.text
    at = text.index("Ana P") + 4
    tampered = json.loads(text[:at] + ("Q" if text[at] != "Q" else "R") + text[at + 1 :])
    result = (await client.post("/api/v1/credentials/verify", json=tampered)).json()
    assert result["verified"] is False and result["checks"]["proof"] is False and result["errors"]

    other = await make_user(conn, "luis@example.org", "worker", clinic="st-johns")
    assert (
        await client.get(f"/api/v1/me/certificates/{code}/credential", headers=await token_for(conn, other.id))
    ).status_code == 404


async def test_a_program_admin_revokes_with_a_reason_and_everything_shows_it_at_once(client, conn):
    worker, _instructor, code = await dental_worker_with_certificate(conn, language="en")
    credential = (
        await client.get(f"/api/v1/me/certificates/{code}/credential", headers=await token_for(conn, worker.id))
    ).json()
    admin = await make_user(conn, "pat@example.org", "program_admin")
    clinic_admin = await make_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    assert (
        await client.post(
            f"/api/v1/certificates/{code}/revoke",
            json={"reason": "issued_in_error", "note": "nope"},
            headers=await token_for(conn, clinic_admin.id),
        )
    ).status_code == 403
    free_text = await client.post(
        f"/api/v1/certificates/{code}/revoke",
        json={"reason": "She cheated", "note": "typed"},
        headers=await token_for(conn, admin.id),
    )
    assert free_text.status_code == 400 and "reason" in free_text.text  # public reasons come from the list only
    assert (
        await client.post(
            f"/api/v1/certificates/{code}/revoke",
            json={"reason": "issued_in_error", "note": ""},
            headers=await token_for(conn, admin.id),
        )
    ).status_code == 400

    await sign_in(client, "pat@example.org")
    page = await client.get(f"/verify/{code}")
    assert '<option value="issued_in_error">Issued in error</option>' in page.text
    revoked = await client.post(
        f"/verify/{code}/revoke",
        data={
            "reason": "issued_in_error",
            "note": "Attendance record was entered in error",
            "_csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    client.cookies.clear()

    page = await client.get(f"/verify/{code}")
    assert "Revoked" in page.text and "Reason: Issued in error" in page.text
    assert "Attendance record" not in page.text  # the note is internal
    spanish = await client.get(f"/verify/{code}?lang=es")
    assert "Motivo: Emitido por error" in spanish.text
    api = (await client.get(f"/api/v1/certificates/{code}")).json()
    assert (
        api["status"] == "revoked"
        and api["revoked_reason"] == "issued_in_error"
        and "Attendance record" not in str(api)
    )
    result = (await client.post("/api/v1/credentials/verify", json=credential)).json()
    assert (result["verified"], result["status"], result["checks"]["proof"], result["checks"]["status"]) == (
        False,
        "revoked",
        True,
        False,
    )

    from lms.credit import status_list

    listed = (await client.get("/credentials/status/1")).json()
    index = int(credential["credentialStatus"]["statusListIndex"])
    assert status_list.bit(status_list.decode(listed["credentialSubject"]["encodedList"]), index)
    audit = await conn.fetchrow("SELECT actor_id, subject, detail FROM audit_log WHERE action = 'certificate.revoke'")
    assert audit["actor_id"] == admin.id and audit["subject"] == code.replace("-", "")
    assert (
        audit["detail"]["reason"] == "issued_in_error"
        and audit["detail"]["note"] == "Attendance record was entered in error"
    )
    admin_audit = (
        await client.get("/api/v1/reports/audit?action=certificate.revoke", headers=await token_for(conn, admin.id))
    ).json()
    assert (
        admin_audit["entries"][0]["detail"]["note"] == "Attendance record was entered in error"
    )  # program admins see it
    again = await client.post(
        f"/api/v1/certificates/{code}/revoke",
        json={"reason": "replaced", "note": "twice"},
        headers=await token_for(conn, admin.id),
    )
    assert again.status_code == 409


async def test_rotating_the_key_keeps_old_credentials_verifying(client, conn, settings):
    from lms.credit import keys

    worker, _instructor, code = await dental_worker_with_certificate(conn)
    headers = await token_for(conn, worker.id)
    old = (await client.get(f"/api/v1/me/certificates/{code}/credential", headers=headers)).json()
    async with conn.transaction():
        retired, new = await keys.rotate(conn, secret_key=settings.secret_key)
    assert retired == old["proof"]["verificationMethod"].split("#")[1] and new != retired
    did = (await client.get("/.well-known/did.json")).json()
    assert {m["publicKeyMultibase"] for m in did["verificationMethod"]} == {retired, new}
    assert (await client.post("/api/v1/credentials/verify", json=old)).json()["verified"] is True
    stored_key = await conn.fetchval("SELECT private_key_encrypted FROM signing_keys WHERE id = $1", new)
    assert len(stored_key) == 12 + 32 + 16  # nonce, encrypted key, tag: never the key in the clear


async def test_the_worker_transcript_lists_certificates_credit_and_hours_and_downloads_as_csv(client, conn):
    worker, instructor, code = await dental_worker_with_certificate(conn, language="en")
    version_id = await make_course(
        conn,
        "CHW-TEST-101",
        [("intro", "lesson", 90), ("visit", "in_person", 120)],
        [
            {"body": "DHCS_CHW", "provider_number": "CHW-1", "approved_from": "2020-01-01"},
            {"body": "IACET", "provider_number": "IACET-4471", "approved_from": "2020-01-01"},
        ],
        track="CHW",
    )
    await do_everything(
        conn, user_id=worker.id, version_id=version_id, instructor_id=instructor.id, attended={"visit": 100}
    )
    headers = await token_for(conn, worker.id)
    transcript = (await client.get("/api/v1/me/transcript", headers=headers)).json()
    assert transcript["worker_name"] == "Ana Pérez" and len(transcript["certificates"]) == 2
    assert transcript["contact_hours"] == pytest.approx((120 + 190) / 60, abs=0.01)
    totals = {t["body"]: t["credit"] for t in transcript["totals"]}
    assert totals == {"DBC": 2, "IACET": 0.5, "DHCS_CHW": 3.1}  # 0.2 + 0.3 CEU; 190 minutes = 3.1 hours

    csv_text = (await client.get("/api/v1/me/transcript.csv", headers=headers)).text.lstrip(
        "\ufeff"
    )  # BOM: accents in spreadsheets
    assert csv_text.splitlines()[0].startswith("code,status,course_code")
    assert code in csv_text and "CHW-TEST-101" in csv_text and "RP-5621" in csv_text

    await sign_in(client, "ana@example.org")
    page = await client.get("/my/certificates")
    assert page.status_code == 200 and code in page.text and f"/api/v1/me/certificates/{code}/credential" in page.text
    assert (await client.get("/my/certificates.csv")).headers["content-type"].startswith("text/csv")


async def test_the_printable_certificate_is_in_the_learners_language_with_a_qr_code(client, conn):
    _worker, _instructor, code = await dental_worker_with_certificate(conn)
    printable = await client.get(f"/certificates/{code}/print")
    assert printable.status_code == 200
    assert '<html lang="es">' in printable.text and "Control de infecciones para asistentes dentales" in printable.text
    assert (
        "/static/certificate.css" in printable.text
        and "<svg" in printable.text
        and f"{BASE}/verify/{code}" in printable.text
    )
    assert "<script" not in printable.text.lower() and " style=" not in printable.text
    css = await client.get("/static/certificate.css")
    assert css.status_code == 200 and "@media print" in css.text


async def test_a_certificate_missed_at_completion_is_issued_when_the_worker_opens_the_transcript(client, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    version_id = await make_course(conn, "CE-TEST-102", [("intro", "lesson", 30)], [])
    enrollment_id = await conn.fetchval(
        "INSERT INTO enrollments (user_id, version_id, completed_at) VALUES ($1, $2, now() - interval '1 day') RETURNING id",
        worker.id,
        version_id,
    )
    transcript = (await client.get("/api/v1/me/transcript", headers=await token_for(conn, worker.id))).json()
    assert len(transcript["certificates"]) == 1 and transcript["certificates"][0]["facts"]["credits"] == []
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE enrollment_id = $1", enrollment_id) == 1


async def test_keys_rotate_from_the_command_line_and_old_keys_stay_published(settings, client, conn):
    import anyio
    from click.testing import CliRunner

    from lms.cli import main

    env = {
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_DATA_DIR": str(settings.data_dir),
        "LMS_SECRET_KEY": settings.secret_key,
    }

    def run(*args: str):
        return anyio.to_thread.run_sync(lambda: CliRunner().invoke(main, list(args), env=env, catch_exceptions=False))

    first = (await client.get("/.well-known/did.json")).json()["verificationMethod"][0]["publicKeyMultibase"]
    rotated = await run("keys", "rotate")
    assert rotated.exit_code == 0 and f"Retired {first}" in rotated.output
    listed = await run("keys", "list")
    assert listed.exit_code == 0 and first in listed.output and listed.output.count("active") == 1
    assert len((await client.get("/.well-known/did.json")).json()["verificationMethod"]) == 2
