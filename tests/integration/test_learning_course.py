"""A worker takes a hybrid course from enrolment to completion, part of it offline on a phone."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

from lms.learning import completion
from tests.helpers import csrf_from, sign_in
from tests.integration.learning_fixtures import (
    CODE,
    XAPI,
    api_user,
    basic,
    hybrid_course,
    pass_quiz,
    queued_statement,
    schedule_session,
    travel,
)

COURSE_IRI = f"http://127.0.0.1:8000/activities/{CODE}/v1"


async def test_a_worker_completes_a_course_partly_offline_and_the_progress_arrives_once(client, conn):
    cast = await hybrid_course(conn)
    calls: list[uuid.UUID] = []

    async def issue_certificate(c, enrollment_id):
        assert await c.fetchval("SELECT completed_at FROM enrollments WHERE id = $1", enrollment_id) is not None
        calls.append(enrollment_id)

    completion.on_completed.append(issue_certificate)
    try:
        await sign_in(client, "ana@example.org")
        course = await client.get(f"/courses/{CODE}")
        assert "Enrol in this course" in course.text
        enrolled = await client.post(
            f"/courses/{CODE}/v/1/enroll", data={"_csrf_token": csrf_from(course.text)}, follow_redirects=False
        )
        assert enrolled.status_code == 303
        registration = await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", cast.worker.id)

        lessons = [a for a in cast.activities if a["kind"] == "lesson"]
        # The first lesson online, without JavaScript: the form post writes the statement on the server.
        first = await client.get(f"/courses/{CODE}/v/1/{lessons[0]['key']}")
        assert '<script src="/static/player.js" defer></script>' in first.text
        statement_id = re.search(r'name="statement_id" value="([^"]+)"', first.text).group(1)
        done = await client.post(
            f"/learn/{CODE}/v/1/{lessons[0]['key']}/done",
            follow_redirects=False,
            data={"_csrf_token": csrf_from(first.text), "statement_id": statement_id, "next": ""},
        )
        assert done.status_code == 303 and done.headers["location"] == f"/courses/{CODE}/v/1/{lessons[1]['key']}"
        # A double tap posts the same form again: it counts once, and the worker goes on to the next lesson as before.
        again = await client.post(
            f"/learn/{CODE}/v/1/{lessons[0]['key']}/done",
            follow_redirects=False,
            data={"_csrf_token": csrf_from(first.text), "statement_id": statement_id, "next": ""},
        )
        assert again.status_code == 303 and again.headers["location"] == done.headers["location"]

        # The rest offline: the player queues each page's statement with the phone's time...
        queue = []
        for i, lesson in enumerate(lessons[1:]):
            page = await client.get(f"/courses/{CODE}/v/1/{lesson['key']}")
            statement = queued_statement(page.text)
            assert statement["actor"]["account"]["name"] == str(cast.worker.id)
            assert statement["context"]["registration"] == str(registration)
            statement["timestamp"] = (datetime.now(UTC) - timedelta(hours=2, minutes=-i)).isoformat()
            queue.append(statement)
        # ...and when the connection comes back sends it shuffled; the first answer is lost, so it sends it all again.
        shuffled = random.Random(5).sample(queue, len(queue))
        # player.js sends the page's CSRF token with the session cookie; without it the cookie alone is refused
        refused = await client.post("/xapi/statements", json=shuffled, headers=XAPI)
        assert refused.status_code == 403
        sent = {**XAPI, "x-csrftoken": csrf_from(page.text)}
        first_try = await client.post("/xapi/statements", json=shuffled[: len(shuffled) // 2 + 1], headers=sent)
        assert first_try.status_code == 200, first_try.text
        again = await client.post("/xapi/statements", json=shuffled[::-1] + shuffled[:2], headers=sent)
        assert again.status_code == 200, again.text
        assert sorted(again.json()) == sorted(s["id"] for s in queue)

        # Progress comes from the server: every lesson done once, nothing counted twice.
        assert await conn.fetchval(
            "SELECT count(*) FROM statements WHERE enrollment_id = $1 AND verb LIKE '%completed'", registration
        ) == len(lessons)
        my = await client.get("/my")
        assert f"{len(lessons)} of {len(cast.activities)} activities done" in my.text

        # Quizzes through the quiz page, graded on the server.
        for quiz in [a for a in cast.activities if a["kind"] == "quiz"]:
            assert "You passed." in await pass_quiz(client, quiz["key"], quiz["answer_key"])

        # The in-person lab: registration on the activity page, attendance on the instructor's roster.
        session = await schedule_session(client, cast, starts_in=timedelta(hours=1), minutes=60)
        lab = next(a for a in cast.activities if a["kind"] == "in_person")
        registered = await client.post(
            "/api/v1/sessions/" + session["id"] + "/registrations", headers=basic(cast.worker_token)
        )
        assert registered.status_code == 201, registered.text
        page = await client.get(f"/courses/{CODE}/v/1/{lab['key']}")
        assert "You are registered" in page.text
        await travel(conn, session["id"], 120)  # the session took place
        roster = await client.put(
            f"/api/v1/sessions/{session['id']}/roster",
            headers=cast.instructor_headers,
            json={"marks": [{"user_id": str(cast.worker.id), "present": True}]},
        )
        assert roster.status_code == 200 and roster.json()["lines"][0]["minutes"] == 60
        assert await conn.fetchval("SELECT completed_at FROM enrollments WHERE id = $1", registration) is None

        # The skills checkoff, signed by the instructor, is the last requirement: the course completes.
        checkoff = next(a for a in cast.activities if a["kind"] == "checkoff")
        signed = await client.post(
            "/api/v1/checkoffs",
            headers=cast.instructor_headers,
            json={
                "enrollment_id": str(registration),
                "activity_key": checkoff["key"],
                "note": "Gloves, mask and eyewear in order",
            },
        )
        assert signed.status_code == 201
        again = await client.post(
            "/api/v1/checkoffs",
            headers=cast.instructor_headers,
            json={"enrollment_id": str(registration), "activity_key": checkoff["key"], "note": "twice"},
        )
        assert again.status_code == 200 and again.json()["note"] == "Gloves, mask and eyewear in order"

        assert await conn.fetchval("SELECT count(*) FROM completions WHERE enrollment_id = $1", registration) == 1
        assert calls == [registration]
        completed = await conn.fetch(
            "SELECT raw FROM statements WHERE enrollment_id = $1 AND activity_iri = $2", registration, COURSE_IRI
        )
        assert len(completed) == 1 and completed[0]["raw"]["verb"]["id"].endswith("/completed")
        my = await client.get("/my")
        assert "Completed on" in my.text
        progress = (
            await client.get(f"/api/v1/enrollments/{registration}/progress", headers=basic(cast.worker_token))
        ).json()
        assert progress["done"] == progress["total"] == len(cast.activities) and progress["enrollment"]["completed_at"]
    finally:
        completion.on_completed.remove(issue_certificate)


async def test_quiz_answers_stay_on_the_server_and_attempts_are_limited(client, conn):
    cast = await hybrid_course(conn)
    await sign_in(client, "ana@example.org")
    quiz = next(a for a in cast.activities if a["kind"] == "quiz")
    not_enrolled = await client.get(f"/quiz/{CODE}/v/1/{quiz['key']}")
    assert "Enrol in this course" in not_enrolled.text and 'name="attempt_id"' not in not_enrolled.text
    await client.post("/api/v1/enrollments", json={"code": CODE}, headers=basic(cast.worker_token))

    form = await client.get(f"/quiz/{CODE}/v/1/{quiz['key']}")
    for spec in quiz["answer_key"].values():
        for feedback in spec["feedback"].values():
            assert feedback["es"] not in form.text and feedback["en"] not in form.text
    attempts = await conn.fetchval(
        "SELECT (learner ->> 'max_attempts')::int FROM version_activities WHERE key = $1", quiz["key"]
    )
    wrong = {q: ["zz"] for q in quiz["answer_key"]}
    bad = await client.post(
        f"/api/v1/enrollments/{await _registration(conn, cast)}/quizzes/{quiz['key']}/attempts",
        headers=basic(cast.worker_token),
        json={"attempt_id": str(uuid.uuid4()), "answers": wrong},
    )
    assert bad.status_code == 400 and "no choice" in bad.json()["detail"]

    registration = await _registration(conn, cast)
    first_question = next(iter(quiz["answer_key"]))
    wrong_choice = next(c for c in ("a", "b", "c", "d") if c not in quiz["answer_key"][first_question]["correct"])
    results = []
    for _ in range(attempts):
        attempt_id = str(uuid.uuid4())
        body = {"attempt_id": attempt_id, "answers": {first_question: [wrong_choice]}}
        graded = await client.post(
            f"/api/v1/enrollments/{registration}/quizzes/{quiz['key']}/attempts",
            headers=basic(cast.worker_token),
            json=body,
        )
        repeat = await client.post(
            f"/api/v1/enrollments/{registration}/quizzes/{quiz['key']}/attempts",
            headers=basic(cast.worker_token),
            json=body,
        )
        assert graded.status_code == repeat.status_code == 200 and graded.json()["number"] == repeat.json()["number"]
        results.append(graded.json())
    assert [r["passed"] for r in results] == [False] * attempts and results[-1]["attempts_left"] == 0
    assert results[0]["questions"][0]["feedback"][wrong_choice]["en"]  # feedback after submission
    over = await client.post(
        f"/api/v1/enrollments/{registration}/quizzes/{quiz['key']}/attempts",
        headers=basic(cast.worker_token),
        json={"attempt_id": str(uuid.uuid4()), "answers": right_answers_of(quiz)},
    )
    assert over.status_code == 409 and "no attempts left" in over.json()["detail"].lower()
    assert await conn.fetchval("SELECT count(*) FROM quiz_attempts") == attempts
    failed = await conn.fetchval("SELECT count(*) FROM statements WHERE verb = 'http://adlnet.gov/expapi/verbs/failed'")
    assert failed == attempts
    page = await client.get(f"/quiz/{CODE}/v/1/{quiz['key']}")
    assert 'name="attempt_id"' not in page.text


def right_answers_of(quiz):
    return {q: spec["correct"] for q, spec in quiz["answer_key"].items()}


async def _registration(conn, cast):
    return await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", cast.worker.id)


async def test_instructors_and_clinic_admins_enrol_workers_in_bulk_within_their_reach(client, conn):
    cast = await hybrid_course(conn)
    from tests.helpers import make_clinic

    await make_clinic(conn, "la-clinica")
    await api_user(conn, "luis@example.org", "worker", clinic="st-johns")
    await api_user(conn, "rosa@example.org", "worker", clinic="la-clinica")
    admin = await api_user(conn, "coord@example.org", "clinic_admin", clinic="st-johns")
    from tests.helpers import token_for

    admin_headers = await token_for(conn, admin.id)
    emails = ["ana@example.org", "luis@example.org", "rosa@example.org", "nobody@example.org"]
    by_admin = await client.post(
        "/api/v1/enrollments/bulk", headers=admin_headers, json={"code": CODE, "emails": emails}
    )
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["enrolled"] == 2 and sorted(by_admin.json()["refused"]) == [
        "nobody@example.org",
        "rosa@example.org",
    ]
    clinics = await conn.fetch("SELECT DISTINCT clinic_id FROM enrollments")
    assert len(clinics) == 1

    by_instructor = await client.post(
        "/api/v1/enrollments/bulk", headers=cast.instructor_headers, json={"code": CODE, "emails": emails}
    )
    assert by_instructor.json()["enrolled"] == 1 and by_instructor.json()["already_enrolled"] == 2
    worker_try = await client.post(
        "/api/v1/enrollments/bulk", headers=basic(cast.worker_token), json={"code": CODE, "emails": emails}
    )
    assert worker_try.status_code == 403

    # The clinic admin sees only their clinic's learners; the instructor sees all three.
    mine = (await client.get(f"/api/v1/learners/{CODE}/1", headers=admin_headers)).json()
    assert sorted(x["email"] for x in mine) == ["ana@example.org", "luis@example.org"]
    everyone = (await client.get(f"/api/v1/learners/{CODE}/1", headers=cast.instructor_headers)).json()
    assert len(everyone) == 3
    await sign_in(client, "maria@example.org")
    learners = await client.get(f"/teach/courses/{CODE}/v/1")
    assert learners.status_code == 200 and "rosa@example.org" in learners.text and "Sign off" in learners.text
