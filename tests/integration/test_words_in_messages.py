"""The words inside a message are in the reader's language too: a date as her language writes it (not ISO's
2026-03-31), a status by the name the page gives it, the reasons a credential does not verify (beside a stable code
for programs) and the 431 a too-large header gets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date

from lms.clinic_time import today as clinic_today
from lms.i18n import LANGUAGE_COOKIE
from tests.helpers import make_user, token_for
from tests.integration.programs_world import post_form
from tests.integration.test_credit import dental_worker_with_certificate
from tests.integration.test_outside_records import course
from tests.integration.test_outside_records import world as outside_world
from tests.integration.test_programs_apprenticeship import monday, start, world  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("settings")


async def test_a_spanish_apprentice_reads_the_week_as_a_spanish_date_and_her_mentor_the_status_in_chinese(
    client,
    conn,
    world,  # noqa: F811
):
    await start(client, world)
    week = {"week_start": monday(1).isoformat(), "wp-outreach": "10"}
    assert (await post_form(client, "/programs/apprenticeship/weeks", world["ana"], week)).status_code == 303
    client.cookies.set(LANGUAGE_COOKIE, "es")
    again = await post_form(client, "/programs/apprenticeship/weeks", world["ana"], week)
    assert again.status_code == 409
    spanish_day = format_date(monday(1), "medium", locale="es")  # "30 nov 2026"
    assert f"la semana del {spanish_day} ya está registrada" in again.text
    assert f"la semana del {monday(1).isoformat()}" not in again.text  # (the form keeps the ISO date she typed)

    week_id = await conn.fetchval("SELECT id FROM ojt_weeks WHERE week_start = $1", monday(1))
    url = f"/programs/weeks/{week_id}/decision"
    assert (await post_form(client, url, world["mentor"], {"decision": "approve"})).status_code == 303
    client.cookies.set(LANGUAGE_COOKIE, "zh-Hant")
    twice = await post_form(client, url, world["mentor"], {"decision": "approve"})
    assert twice.status_code == 409
    assert "這一週已經有決定了：已核准" in twice.text and "approved" not in twice.text


async def test_an_outside_record_for_a_future_day_names_the_day_in_vietnamese(client, conn):
    w = await outside_world(conn)
    tomorrow = clinic_today() + timedelta(days=1)
    ana = w.headers["ana@example.org"]
    client.cookies.set(LANGUAGE_COOKIE, "vi")
    answer = await client.post(
        "/api/v1/me/outside-records",
        headers=ana,
        json=course(started_on=tomorrow.isoformat(), ended_on=tomorrow.isoformat()),
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "started_on"
    assert format_date(tomorrow, "medium", locale="vi") in answer.json()["detail"]
    assert tomorrow.isoformat() not in answer.json()["detail"]


@pytest.mark.parametrize(
    ("language", "revoked", "not_a_credential"),
    [
        ("es", "El certificado fue revocado.", "Esto no es una credencial de Open Badges 3.0"),
        ("zh-Hant", "此證書已被撤銷。", "這不是 Open Badges 3.0 憑證"),
    ],
)
async def test_the_verify_api_says_why_in_the_callers_language_beside_a_stable_code(
    client, conn, language, revoked, not_a_credential
):
    worker, _instructor, code = await dental_worker_with_certificate(conn, language="en")
    credential = (
        await client.get(f"/api/v1/me/certificates/{code}/credential", headers=await token_for(conn, worker.id))
    ).json()
    admin = await make_user(conn, "pat@example.org", "program_admin")
    revoking = await client.post(
        f"/api/v1/certificates/{code}/revoke",
        json={"reason": "issued_in_error", "note": "entered in error"},
        headers=await token_for(conn, admin.id),
    )
    assert revoking.status_code == 200, revoking.text

    header = {"accept-language": f"{language},en;q=0.5"}
    result = (await client.post("/api/v1/credentials/verify", json=credential, headers=header)).json()
    assert result["verified"] is False and result["status"] == "revoked"
    assert result["errors"] == [{"code": "revoked", "message": revoked}]

    english = (await client.post("/api/v1/credentials/verify", json=credential)).json()
    assert english["errors"] == [{"code": "revoked", "message": "The certificate was revoked."}]

    junk = (await client.post("/api/v1/credentials/verify", json={"id": "x"}, headers=header)).json()
    assert junk["verified"] is False and {e["code"] for e in junk["errors"]} == {"not_a_credential"}
    assert all(e["message"].startswith(not_a_credential) for e in junk["errors"])


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("es", "El encabezado x-padding de la solicitud es demasiado grande"), ("zh-Hant", "請求標頭 x-padding 太大")],
)
async def test_a_too_large_header_is_refused_in_the_callers_language(client, language, sentence):
    answer = await client.get("/api/v1/courses", headers={"accept-language": language, "x-padding": "a" * (64 * 1024)})
    assert answer.status_code == 431
    assert answer.json()["field"] == "x-padding" and answer.json()["detail"].startswith(sentence)
