"""Worker voice: a worker answers the post-course survey in Spanish, anonymously and once; results appear only for
groups of at least 5 respondents (a group of 3 shows no breakdown); free text only to program admins; program
admins write surveys in two languages and open them for a period."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.integration.test_reports import complete, program_admin, publish, rows_of, worker

LIKERT = ("relevance", "schedule", "language", "instructor")


async def answer_api(client, conn, user, scores: tuple[int, ...], comment: str | None = None, language: str = "es"):
    answers: dict = dict(zip(LIKERT, scores, strict=False))
    if comment:
        answers["next-training"] = comment
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    return await client.post(
        f"/api/v1/reports/surveys/{survey_id}/responses",
        headers=await token_for(conn, user.id),
        json={"language": language, "course": "CE-HIPAA-101", "version": 1, "answers": answers},
    )


async def test_a_worker_answers_the_post_course_survey_in_spanish_anonymously_and_once(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "st-johns")
    ana = await worker(conn, "ana@example.org", "st-johns", language="es")
    await complete(conn, ana, "CE")
    await sign_in(client, "ana@example.org")

    for place in ("/my", "/courses/CE-HIPAA-101?version=1"):  # a finished course points at its survey
        assert '<a href="/surveys/after/CE-HIPAA-101/1">' in (await client.get(place)).text, place
    waiting = await client.get("/surveys")
    assert "/surveys/after/CE-HIPAA-101/1" in waiting.text and "¿Qué le pareció este curso?" in waiting.text
    form = await client.get("/surveys/after/CE-HIPAA-101/1")
    assert form.status_code == 200
    html = form.text
    assert '<h1 lang="es">¿Qué le pareció este curso?</h1>' in html
    assert "Lo que aprendí me sirve en mi trabajo." in html and "¿Qué capacitación le gustaría tomar después?" in html
    assert "What I learned is useful" not in html
    assert "5 · Totalmente de acuerdo" in html and "Enviar mis respuestas" in html  # the interface speaks Spanish too
    assert 'name="q.relevance" value="5"' in html and "style=" not in html
    # A plain form: the only scripts are the site's own files (the offline helper), nothing inline or survey-specific.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/offline.js" defer>']

    sent = await client.post(
        "/surveys/after/CE-HIPAA-101/1",
        data={
            "_csrf_token": csrf_from(html),
            "language": "es",
            "q.relevance": "5",
            "q.schedule": "3",
            "q.language": "5",
            "q.instructor": "4",
            "q.next-training": "Facturación de Medi-Cal y manejo de la diabetes",
        },
    )
    assert sent.status_code == 200 and 'id="survey-thanks"' in sent.text

    # stored without identity: the response row has group attributes only, the marker has no time and no link
    columns = {
        r["column_name"]
        for r in await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name IN ('survey_responses', 'survey_answers')"
        )
    }
    assert not columns & {"user_id", "email", "display_name", "enrollment_id", "created_at"}
    response = await conn.fetchrow("SELECT track, clinic_id, language, submitted_on FROM survey_responses")
    assert response["track"] == "CE" and response["language"] == "es" and response["clinic_id"] == ana.clinic_id
    answers = {
        r["question_key"]: (r["score"], r["comment"])
        for r in await conn.fetch("SELECT question_key, score, comment FROM survey_answers")
    }
    assert answers["relevance"] == (5, None) and answers["next-training"][1].startswith("Facturación")
    assert await conn.fetchval("SELECT count(*) FROM survey_respondents WHERE user_id = $1", ana.id) == 1

    again = await client.post(
        "/surveys/after/CE-HIPAA-101/1", data={"_csrf_token": csrf_from(html), "language": "es", "q.relevance": "1"}
    )
    assert again.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM survey_responses") == 1
    assert "/surveys/after/CE-HIPAA-101/1" not in (await client.get("/surveys")).text
    assert "/surveys/after/CE-HIPAA-101/1" not in (await client.get("/my")).text  # answered: no more asking
    assert (await answer_api(client, conn, ana, (1, 1, 1, 1))).status_code == 409


async def test_only_workers_who_completed_the_course_answer_and_answers_are_checked(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "st-johns")
    ana = await worker(conn, "ana@example.org", "st-johns", language="es")
    not_done = await answer_api(client, conn, ana, (5, 5, 5, 5))
    assert not_done.status_code == 403 and not_done.json()["field"] == "course"
    await complete(conn, ana, "CE")
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    headers = await token_for(conn, ana.id)
    url = f"/api/v1/reports/surveys/{survey_id}/responses"
    base = {"language": "es", "course": "CE-HIPAA-101", "version": 1}
    out_of_range = await client.post(url, headers=headers, json={**base, "answers": {"relevance": 7}})
    assert out_of_range.status_code == 400 and out_of_range.json()["field"] == "answers.relevance"
    unknown = await client.post(url, headers=headers, json={**base, "answers": {"salary": 5}})
    assert unknown.status_code == 400 and unknown.json()["field"] == "answers.salary"
    empty = await client.post(url, headers=headers, json={**base, "answers": {}})
    assert empty.status_code == 400 and empty.json()["field"] == "answers"
    [waiting] = (await client.get("/api/v1/reports/surveys/pending", headers=headers)).json()
    assert waiting["course"] == "CE-HIPAA-101" and waiting["url"] == "/surveys/after/CE-HIPAA-101/1"
    assert (await client.post(url, headers=headers, json={**base, "answers": {"relevance": 4}})).status_code == 201
    assert (await client.get("/api/v1/reports/surveys/pending", headers=headers)).json() == []
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    refused = await client.post(
        url, headers=await token_for(conn, admin.id), json={**base, "answers": {"relevance": 4}}
    )
    assert refused.status_code == 403


async def respondents(conn, client, clinic: str, count: int, *, scores=(4, 4, 5, 3), prefix: str = "w") -> None:
    """``count`` workers answer in Spanish; their answers are then dated last month (results count months that have
    ended, lms.reports.anonymity)."""
    for i in range(count):
        user = await worker(conn, f"{prefix}{i}@{clinic}.org", clinic, language="es")
        await complete(conn, user, "CE", certificate=False)
        got = await answer_api(client, conn, user, scores, comment=f"Quiero aprender {clinic} {i}")
        assert got.status_code == 201, got.text
    await conn.execute(
        "UPDATE survey_responses SET submitted_on = date_trunc('month', report_day(now()))::date - 20 "
        "WHERE submitted_on >= date_trunc('month', report_day(now()))::date"
    )


async def test_a_survey_group_of_3_shows_no_breakdown(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "small-clinic")
    await make_clinic(conn, "big-clinic")
    await respondents(conn, client, "small-clinic", 3, scores=(1, 1, 1, 1))
    await respondents(conn, client, "big-clinic", 6, scores=(5, 4, 5, 4))
    small = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'small-clinic'")
    big = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'big-clinic'")
    admin = await make_user(conn, "pat@partnership.org", "program_admin")
    headers = await token_for(conn, admin.id)
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")

    results = (await client.get(f"/api/v1/reports/surveys/{survey_id}/results", headers=headers)).json()
    assert results["overall"]["respondents"] == 6  # the small clinic's 3 count nowhere, or 9 - 6 would give them away
    clinics = {g["label"]: g for g in results["breakdowns"] if g["dimension"] == "clinic"}
    assert clinics["Small Clinic"]["respondents"] is None
    assert all(
        q["mean"] is None and q["distribution"] is None and q["answers"] is None
        for q in clinics["Small Clinic"]["questions"]
    )
    assert clinics["Big Clinic"]["respondents"] == 6
    relevance = next(q for q in clinics["Big Clinic"]["questions"] if q["key"] == "relevance")
    assert relevance["mean"] == 5 and relevance["distribution"] == [0, 0, 0, 0, 6]

    only_small = (
        await client.get(f"/api/v1/reports/surveys/{survey_id}/results?clinic={small}", headers=headers)
    ).json()
    assert only_small["overall"]["respondents"] is None and only_small["breakdowns"]
    assert all(g["respondents"] is None for g in only_small["breakdowns"])
    text = next(q for q in only_small["overall"]["questions"] if q["kind"] == "text")
    assert text["comments"] is None
    only_big = (await client.get(f"/api/v1/reports/surveys/{survey_id}/results?clinic={big}", headers=headers)).json()
    comments = next(q for q in only_big["overall"]["questions"] if q["kind"] == "text")["comments"]
    assert comments == sorted(comments) and len(comments) == 6 and all("big-clinic" in c for c in comments)

    await sign_in(client, "pat@partnership.org")
    page = await client.get(f"/reports/surveys/{survey_id}?clinic={small}")
    assert page.status_code == 200 and "Fewer than 5 responses" in page.text and "Quiero aprender" not in page.text
    program = await client.get("/reports/program")
    assert "Quiero aprender big-clinic" in program.text and "Quiero aprender small-clinic" not in program.text
    assert "fewer than 5 responses" in program.text  # the small clinic's row
    csv_rows = rows_of((await client.get(f"/reports/surveys/{survey_id}/results.csv")).text)
    small_rows = [r for r in csv_rows if r[1] == "Small Clinic"]
    assert small_rows == [["clinic", "Small Clinic", "fewer than 5", "", "", "", "", "", "", "", ""]]
    assert not any("Quiero" in cell for row in csv_rows for cell in row)


async def test_clinic_admins_see_their_clinic_survey_averages_but_never_free_text(client, conn):
    await publish(conn, "CE")
    await make_clinic(conn, "big-clinic")
    await respondents(conn, client, "big-clinic", 5)
    big = await conn.fetchval("SELECT id FROM clinics WHERE slug = 'big-clinic'")
    kim = await make_user(conn, "kim@big.org", "clinic_admin", clinic="big-clinic")
    await sign_in(client, "kim@big.org")
    page = await client.get(f"/reports/clinics/{big}")
    assert page.status_code == 200 and "5 responses." in page.text and "Quiero aprender" not in page.text
    survey_id = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    assert (
        await client.get(f"/api/v1/reports/surveys/{survey_id}/results", headers=await token_for(conn, kim.id))
    ).status_code == 403
    board = (await client.get(f"/api/v1/reports/clinics/{big}", headers=await token_for(conn, kim.id))).json()
    assert board["survey"]["overall"]["respondents"] == 5
    assert all(q.get("comments") is None for q in board["survey"]["overall"]["questions"])


async def test_a_program_admin_opens_a_survey_in_two_languages_for_a_period(client, conn):
    await make_clinic(conn, "st-johns")
    await worker(conn, "ana@example.org", "st-johns", language="es")
    await worker(conn, "ben@example.org", "st-johns")
    await program_admin(conn, client)
    blank = await client.get("/reports/surveys/new")
    assert blank.status_code == 200
    today = datetime.now(UTC).date()
    form = {
        "_csrf_token": csrf_from(blank.text),
        "kind": "on_demand",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=14)).isoformat(),
        "title.en": "Training schedule survey",
        "title.es": "Encuesta sobre horarios de capacitación",
        "q0.kind": "likert",
        "q0.en": "Evening sessions would suit me.",
        "q0.es": "",
        "q1.kind": "text",
        "q1.en": "Which days work best?",
        "q1.es": "¿Qué días le convienen más?",
    }
    missing = await client.post("/reports/surveys/new", data=form)
    assert missing.status_code == 400 and "questions[0].prompt.es" in missing.text
    assert 'value="Which days work best?"' in missing.text  # what was typed is kept
    created = await client.post(
        "/reports/surveys/new",
        data={**form, "q0.es": "Las sesiones por la tarde me convendrían."},
        follow_redirects=False,
    )
    assert created.status_code == 303
    survey_id = created.headers["location"].split("/")[-1].split("?")[0]
    stored = await conn.fetchrow("SELECT kind, languages, questions FROM surveys WHERE id = $1::uuid", survey_id)
    assert stored["kind"] == "on_demand" and stored["languages"] == ["en", "es"]
    assert [q["kind"] for q in stored["questions"]] == ["likert", "text"]
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'survey.created'") == 1
    listing = await client.get("/reports/surveys")
    assert "Training schedule survey" in listing.text and "No responses yet" in listing.text

    client.cookies.clear()
    await sign_in(client, "ana@example.org")
    assert f"/surveys/{survey_id}" in (await client.get("/surveys")).text
    page = await client.get(f"/surveys/{survey_id}")
    assert "Las sesiones por la tarde me convendrían." in page.text
    key = stored["questions"][0]["key"]
    sent = await client.post(
        f"/surveys/{survey_id}", data={"_csrf_token": csrf_from(page.text), "language": "es", f"q.{key}": "4"}
    )
    assert sent.status_code == 200
    assert await conn.fetchval("SELECT language FROM survey_responses WHERE survey_id = $1::uuid", survey_id) == "es"

    # once answered, questions keep their kinds; closed surveys take no answers
    await conn.execute(
        "UPDATE surveys SET closes_at = now() - interval '1 minute', opens_at = now() - interval '2 days' WHERE id = $1::uuid",
        survey_id,
    )
    assert 'id="survey-answered"' in (await client.get(f"/surveys/{survey_id}")).text
    client.cookies.clear()
    await sign_in(client, "ben@example.org")
    assert 'id="survey-closed"' in (await client.get(f"/surveys/{survey_id}")).text
    assert f"/surveys/{survey_id}" not in (await client.get("/surveys")).text
    client.cookies.clear()
    await sign_in(client, "pat@partnership.org")
    edit = await client.get(f"/reports/surveys/{survey_id}")
    changed = await client.post(
        f"/reports/surveys/{survey_id}",
        data={
            **form,
            "_csrf_token": csrf_from(edit.text),
            "q0.key": key,
            "q0.kind": "text",
            "q0.es": "Las sesiones por la tarde.",
            "q1.key": stored["questions"][1]["key"],
        },
    )
    assert changed.status_code == 409 and "questions" in changed.text


async def test_survey_pages_need_the_right_role(client, conn):
    await make_clinic(conn, "st-johns")
    kim = await make_user(conn, "kim@stjohns.org", "clinic_admin", clinic="st-johns")
    headers = await token_for(conn, kim.id)
    assert (await client.get("/api/v1/reports/surveys", headers=headers)).status_code == 403
    assert (await client.post("/api/v1/reports/surveys", headers=headers, json={})).status_code in (400, 403)
    await sign_in(client, "kim@stjohns.org")
    assert (await client.get("/reports/surveys")).status_code == 403
