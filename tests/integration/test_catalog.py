"""The catalogue in two languages, versions that stay put, and authoring through the API."""

from __future__ import annotations

import msgspec

from lms.catalog.course_file import read_course_folder
from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, make_clinic, make_owner, make_user, publish_folder, put_draft, sign_in, token_for


async def _publish_starters(conn) -> None:
    for code in ("DA-IC-101", "MA-VS-101", "CHW-CORE-101", "EHR-CHART-101"):
        await publish_folder(conn, COURSES_DIR / code)


async def test_the_catalogue_shows_the_four_tracks_in_english_and_in_spanish(client, conn):
    await _publish_starters(conn)
    english = await client.get("/", headers={"accept-language": "en-US"})
    for heading in ("Medical Assistant", "Dental Assistant", "Community Health Worker", "Electronic Health Records"):
        assert heading in english.text
    assert "Infection Control for Dental Assistants" in english.text

    spanish = await client.get("/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in spanish.text
    for heading in (
        "Asistente médico",
        "Asistente dental",
        "Trabajador comunitario de salud",
        "Expedientes médicos electrónicos",
    ):
        assert heading in spanish.text

    listed = (await client.get("/api/v1/courses", params={"lang": "es"})).json()
    assert {c["track"] for c in listed} == {"MA", "DA", "CHW", "EHR"}
    dental = next(c for c in listed if c["code"] == "DA-IC-101")
    assert dental["language"] == "es" and not dental["fallback"] and dental["contact_minutes"] == 120
    assert dental["languages"] == ["en", "es"] and dental["version"] == 1


async def test_a_worker_switching_to_spanish_mid_lesson_stays_on_that_lesson(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    await sign_in(client, "ana@example.org")
    lesson_path = "/courses/DA-IC-101/v/1/hand-hygiene"
    lesson = await client.get(lesson_path)
    assert lesson.status_code == 200 and '<html lang="en">' in lesson.text

    switched = await client.post(
        "/language",
        data={"language": "es", "next": lesson_path, "_csrf_token": csrf_from(lesson.text)},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == lesson_path
    again = await client.get(lesson_path)
    assert '<html lang="es">' in again.text and 'lang="es"' in again.text.split("<article")[1][:40]


async def test_a_lesson_page_is_small_and_has_no_scripts_or_outside_resources(client, conn):
    await publish_folder(conn, COURSES_DIR / "MA-VS-101")
    detail = (await client.get("/api/v1/courses/MA-VS-101")).json()
    key = detail["modules"][0]["activities"][0]["key"]
    lesson = await client.get(f"/courses/MA-VS-101/v/1/{key}", headers={"accept-language": "es"})
    assert lesson.status_code == 200
    assert len(lesson.content) < 50_000
    assert "<script" not in lesson.text.lower() and "https://" not in lesson.text.split("<article")[0]


async def test_quiz_answers_never_reach_the_learners_page_or_the_public_api(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    doc = read_course_folder(COURSES_DIR / "DA-IC-101")
    quiz = next(a for m in doc.modules for a in m.activities if type(a).__name__ == "Quiz")
    page = await client.get(f"/courses/DA-IC-101/v/1/{quiz.key}")
    api = (await client.get("/api/v1/courses/DA-IC-101")).text
    for question in quiz.questions:
        for choice in question.choices:
            for text in choice.feedback.values():
                assert text not in page.text and text not in api
    assert '"correct"' not in api


async def test_an_instructor_publishes_version_2_while_version_1_stays_readable(client, conn):
    instructor = await make_user(conn, "maria@example.org", "instructor")
    headers = await token_for(conn, instructor.id)
    await publish_folder(conn, COURSES_DIR / "CHW-CORE-101")
    await make_owner(conn, "CHW-CORE-101", instructor.id)

    draft = (await client.get("/api/v1/authoring/courses/CHW-CORE-101/draft", headers=headers)).json()
    draft["title"]["es"] = ""
    draft["title"]["en"] = "CHW Core Skills, revised"
    saved = await put_draft(client, "CHW-CORE-101", draft, headers)
    assert saved.status_code == 200
    assert saved.json()["complete"] is False and saved.json()["missing"]["es"] == ["the course title"]

    refused = await client.post("/api/v1/authoring/courses/CHW-CORE-101/publish", headers=headers)
    assert refused.status_code == 400 and "title" in refused.json()["detail"]

    draft["title"]["es"] = "Habilidades básicas del CHW, revisado"
    assert (await put_draft(client, "CHW-CORE-101", draft, headers)).status_code == 200
    published = await client.post("/api/v1/authoring/courses/CHW-CORE-101/publish", headers=headers)
    assert published.status_code == 201 and published.json()["version"] == 2

    v1 = (await client.get("/api/v1/courses/CHW-CORE-101", params={"version": 1})).json()
    latest = (await client.get("/api/v1/courses/CHW-CORE-101")).json()
    assert v1["version"] == 1 and v1["title"]["en"] != "CHW Core Skills, revised"
    assert latest["version"] == 2 and latest["title"]["en"] == "CHW Core Skills, revised"
    old_page = await client.get("/courses/CHW-CORE-101", params={"version": 1})
    assert "newest version is 2" in old_page.text


async def test_a_published_version_cannot_be_changed_in_the_database(conn):
    import asyncpg
    import pytest

    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await conn.execute("UPDATE course_versions SET title = '{}'::jsonb")


async def test_workers_may_not_author(client, conn):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "w@example.org", "worker", clinic="st-johns")
    headers = await token_for(conn, worker.id)
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    assert (await client.get("/api/v1/authoring/courses/CE-HIPAA-101/draft", headers=headers)).status_code == 403
    assert (await client.post("/api/v1/authoring/courses/CE-HIPAA-101/publish", headers=headers)).status_code == 403


async def test_a_draft_with_an_unknown_field_is_refused_naming_it(client, conn):
    instructor = await make_user(conn, "maria@example.org", "instructor")
    headers = await token_for(conn, instructor.id)
    doc = msgspec.to_builtins(read_course_folder(COURSES_DIR / "CE-HIPAA-101"))
    doc["modules"][0]["activities"][0]["colour"] = "red"
    refused = await client.put("/api/v1/authoring/courses/CE-HIPAA-101/draft", json=doc, headers=headers)
    assert refused.status_code == 400 and "colour" in refused.json()["detail"]
    assert await conn.fetchval("SELECT count(*) FROM courses") == 0


async def test_an_unknown_course_is_404(client):
    assert (await client.get("/api/v1/courses/NOPE-101")).status_code == 404
    assert (await client.get("/courses/NOPE-101", headers={"accept": "text/html"})).status_code == 404
