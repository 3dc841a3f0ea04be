"""An instructor in the browser: languages side by side, what is untranslated, preview, publish, retire."""

from __future__ import annotations

from tests.conftest import COURSES_DIR
from tests.helpers import csrf_from, draft_form, make_clinic, make_user, publish_folder, publish_in_browser, sign_in


async def _instructor(client, conn):
    """María, owner of every course published so far (the tests publish first)."""
    maria = await make_user(conn, "maria@example.org", "instructor")
    await conn.execute("INSERT INTO course_owners (course_id, user_id) SELECT id, $1 FROM courses", maria.id)
    await sign_in(client, "maria@example.org")


async def test_an_instructor_edits_a_draft_sees_what_is_untranslated_and_publishes_version_2(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    await _instructor(client, conn)
    editor = await client.get("/author/DA-IC-101/activities/hand-hygiene")
    assert editor.status_code == 200
    assert 'name="title.en"' in editor.text and 'name="title.es"' in editor.text and 'name="body.es"' in editor.text

    saved = await client.post(
        "/author/DA-IC-101/activities/hand-hygiene",
        data={
            **draft_form(editor.text),
            "minutes": "7",
            "title.en": "Hand hygiene, revised",
            "title.es": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    overview = await client.get("/author/DA-IC-101")
    assert "activity &#39;hand-hygiene&#39; title" in overview.text or "activity 'hand-hygiene' title" in overview.text
    assert "Publishing needs every translation." in overview.text
    assert 'name="fingerprint"' not in (await client.get("/author/DA-IC-101/publish")).text  # nothing to confirm yet

    editor = await client.get("/author/DA-IC-101/activities/hand-hygiene")
    await client.post(
        "/author/DA-IC-101/activities/hand-hygiene",
        data={
            **draft_form(editor.text),
            "title.es": "Higiene de manos, revisada",
        },
    )
    preview = await client.get("/author/DA-IC-101/preview/hand-hygiene", params={"lang": "es"})
    assert "Higiene de manos, revisada" in preview.text and 'lang="es"' in preview.text

    published = await publish_in_browser(client, "DA-IC-101")
    assert published.status_code == 303 and published.headers["location"].endswith("published=2")

    v1 = await client.get("/courses/DA-IC-101/v/1/hand-hygiene")
    v2 = await client.get("/courses/DA-IC-101/v/2/hand-hygiene")
    assert "Hand hygiene, revised" not in v1.text and "Hand hygiene, revised" in v2.text
    assert "7 minutes" in v2.text
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'course.published'") == 2


async def test_a_quiz_edit_can_change_the_correct_answer(client, conn):
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await _instructor(client, conn)
    draft = (await client.get("/api/v1/authoring/courses/CE-HIPAA-101/draft")).json()
    quiz = next(a for m in draft["modules"] for a in m["activities"] if a["kind"] == "quiz")
    editor = await client.get(f"/author/CE-HIPAA-101/activities/{quiz['key']}")
    first = quiz["questions"][0]
    assert f'name="q.{first["key"]}.prompt.es"' in editor.text and "Quiz" in editor.text
    assert f'name="q.{first["key"]}.c.{first["choices"][0]["key"]}.correct"' in editor.text
    form = {**draft_form(editor.text), "pass_mark": "60", "max_attempts": ""}
    for question in quiz["questions"]:  # unticked boxes are not posted: only the last choice stays correct
        form[f"q.{question['key']}.c.{question['choices'][-1]['key']}.correct"] = "on"
    await client.post(f"/author/CE-HIPAA-101/activities/{quiz['key']}", data=form)
    after = (await client.get("/api/v1/authoring/courses/CE-HIPAA-101/draft")).json()
    edited = next(a for m in after["modules"] for a in m["activities"] if a["key"] == quiz["key"])
    assert edited["pass_mark"] == 0.6 and edited["max_attempts"] is None
    assert all(
        [c["correct"] for c in q["choices"]] == [False] * (len(q["choices"]) - 1) + [True] for q in edited["questions"]
    )


async def test_a_bad_number_in_the_form_is_a_clear_error_and_nothing_is_saved(client, conn):
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await _instructor(client, conn)
    draft = (await client.get("/api/v1/authoring/courses/CE-HIPAA-101/draft")).json()
    key = draft["modules"][0]["activities"][0]["key"]
    editor = await client.get(f"/author/CE-HIPAA-101/activities/{key}")
    refused = await client.post(
        f"/author/CE-HIPAA-101/activities/{key}", data={**draft_form(editor.text), "minutes": "lots"}
    )
    assert refused.status_code == 400 and "Give a whole number of minutes from 0 to 6000." in refused.text
    assert 'aria-invalid="true" aria-describedby="err-minutes"' in refused.text and 'value="lots"' in refused.text
    assert (await client.get("/api/v1/authoring/courses/CE-HIPAA-101/draft")).json() == draft


async def test_retiring_a_version_keeps_it_readable_but_not_current(client, conn):
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await _instructor(client, conn)
    overview = await client.get("/author/CE-HIPAA-101")
    await client.post(
        "/author/CE-HIPAA-101/versions/2/retire", data={"_csrf_token": csrf_from(overview.text), "reason": "typo"}
    )
    assert (await client.get("/api/v1/courses/CE-HIPAA-101")).json()["version"] == 1
    assert (await client.get("/api/v1/courses/CE-HIPAA-101", params={"version": 2})).json()["status"] == "retired"


async def test_workers_and_clinic_admins_cannot_open_authoring(client, conn):
    await make_clinic(conn, "st-johns")
    await make_user(conn, "w@example.org", "worker", clinic="st-johns")
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    await sign_in(client, "w@example.org")
    assert (await client.get("/author/CE-HIPAA-101", headers={"accept": "text/html"})).status_code == 403
