"""A worker's enrolment after version 2 of her course is published (continue version 1, or move with the progress
that still holds), and an instructor ending a worker's enrolment: one open enrolment per worker and course, records
kept, everything audited."""

from __future__ import annotations

import asyncpg
import pytest

from tests.helpers import csrf_from, make_owner, make_user, put_draft
from tests.integration.learning_fixtures import CODE, hybrid_course, pass_quiz, switch_to
from tests.integration.test_credit import certificate_code, do_everything


async def _publish_v2(client, conn, cast, *, change_lesson: str | None) -> None:
    """María (an owner) publishes version 2, with one lesson's text rewritten when asked."""
    await make_owner(conn, CODE, cast.instructor.id)
    headers = cast.instructor_headers
    draft = (await client.get(f"/api/v1/authoring/courses/{CODE}/draft", headers=headers)).json()
    if change_lesson:
        for module in draft["modules"]:
            for activity in module["activities"]:
                if activity["key"] == change_lesson:
                    for lang in activity["body"]:
                        activity["body"][lang] += "\n\nRevised: wash for at least 20 seconds."
    saved = await put_draft(client, CODE, draft, headers)
    assert saved.status_code == 200, saved.text
    published = await client.post(f"/api/v1/authoring/courses/{CODE}/publish", headers=headers)
    assert published.status_code == 201 and published.json()["version"] == 2, published.text


async def _mark_done(client, key: str, version: int = 1) -> None:
    lesson = await client.get(f"/courses/{CODE}/v/{version}/{key}")
    import re

    statement_id = re.search(r'name="statement_id" value="([^"]+)"', lesson.text).group(1)
    done = await client.post(
        f"/learn/{CODE}/v/{version}/{key}/done",
        data={"_csrf_token": csrf_from(lesson.text), "statement_id": statement_id},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text


async def test_a_worker_in_version_1_continues_it_or_moves_to_version_2_with_the_progress_that_still_holds(
    client, conn
):
    cast = await hybrid_course(conn)
    lessons = [a["key"] for a in cast.activities if a["kind"] == "lesson"]
    quiz = next(a for a in cast.activities if a["kind"] == "quiz")
    await switch_to(client, "ana@example.org")
    course = await client.get(f"/courses/{CODE}")
    enrolled = await client.post(
        f"/courses/{CODE}/v/1/enroll", data={"_csrf_token": csrf_from(course.text)}, follow_redirects=False
    )
    assert enrolled.status_code == 303
    await _mark_done(client, lessons[0])
    await _mark_done(client, lessons[1])
    await pass_quiz(client, quiz["key"], quiz["answer_key"])

    await _publish_v2(client, conn, cast, change_lesson=lessons[1])

    page = await client.get(f"/courses/{CODE}")
    assert "Version 2" in page.text
    assert "Enrol in this course" not in page.text
    assert "You are enrolled in version 1 of this course." in page.text
    assert f'href="/courses/{CODE}?version=1"' in page.text and "Continue version 1" in page.text
    assert "Move to version 2" in page.text

    # The old "Enrol" form, posted anyway (an old tab): refused, and still one enrolment.
    again = await client.post(
        f"/courses/{CODE}/v/2/enroll", data={"_csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert again.status_code == 409 and "version 1" in again.text
    assert await conn.fetchval("SELECT count(*) FROM enrollments WHERE user_id = $1", cast.worker.id) == 1

    # Version 1's page offers the move too, and continuing there still works.
    v1 = await client.get(f"/courses/{CODE}?version=1")
    assert "Version 2 of this course is out." in v1.text and "3 of" in v1.text

    moved = await client.post(
        f"/courses/{CODE}/move", data={"_csrf_token": csrf_from(page.text), "version": "2"}, follow_redirects=False
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"/courses/{CODE}?version=2"
    twice = await client.post(
        f"/courses/{CODE}/move", data={"_csrf_token": csrf_from(page.text), "version": "2"}, follow_redirects=False
    )
    assert twice.status_code == 303, "a double tap changes nothing"

    rows = await conn.fetch(
        """SELECT e.id, v.version, e.ended_at IS NOT NULL AS ended, e.end_kind, e.moved_to FROM enrollments e
           JOIN course_versions v ON v.id = e.version_id WHERE e.user_id = $1 ORDER BY v.version""",
        cast.worker.id,
    )
    assert [(r["version"], r["ended"], r["end_kind"]) for r in rows] == [(1, True, "moved"), (2, False, None)]
    assert rows[0]["moved_to"] == rows[1]["id"]
    done = {
        r["activity_key"]
        for r in await conn.fetch(
            "SELECT activity_key FROM activity_progress WHERE enrollment_id = $1 AND done", rows[1]["id"]
        )
    }
    assert done == {lessons[0], quiz["key"]}, "the unchanged lesson and the quiz carried; the rewritten lesson did not"
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE enrollment_id = $1", rows[0]["id"]) >= 2, (
        "records kept"
    )
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'enrollment.moved'")
    assert audit["actor_id"] == cast.worker.id and audit["detail"]["carried"] == 2
    assert (audit["detail"]["from_version"], audit["detail"]["to_version"]) == (1, 2)

    after = await client.get(f"/courses/{CODE}")
    assert "2 of" in after.text and "Move to version" not in after.text
    mine = await client.get("/my")
    assert mine.text.count(f"/courses/{CODE}?version=") <= 2 and "v1" not in mine.text.replace(f"{CODE} v1", "")
    # Version 1 is hers no longer: the lesson there cannot be marked done.
    old_lesson = await client.get(f"/courses/{CODE}/v/1/{lessons[1]}")
    assert f"/learn/{CODE}/v/1/{lessons[1]}/done" not in old_lesson.text


async def test_one_open_enrolment_per_worker_and_course_is_a_constraint(client, conn):
    cast = await hybrid_course(conn, browser=False)
    await _publish_v2(client, conn, cast, change_lesson=None)
    versions = {
        r["version"]: r["id"]
        for r in await conn.fetch(
            "SELECT v.version, v.id FROM course_versions v JOIN courses c ON c.id = v.course_id WHERE c.code = $1", CODE
        )
    }
    first = await client.post(
        "/api/v1/enrollments",
        json={"code": CODE, "version": 1},
        headers={"Authorization": f"Bearer {cast.worker_token}"},
    )
    assert first.status_code == 201
    second = await client.post(
        "/api/v1/enrollments",
        json={"code": CODE, "version": 2},
        headers={"Authorization": f"Bearer {cast.worker_token}"},
    )
    assert second.status_code == 409 and "version 1" in second.json()["detail"]
    latest = await client.post(
        "/api/v1/enrollments", json={"code": CODE}, headers={"Authorization": f"Bearer {cast.worker_token}"}
    )
    assert latest.status_code == 200 and latest.json()["version"] == 1, (
        "enrolling in 'the course' gives back her enrolment"
    )
    # What two racing requests would do, one statement each: the database refuses the second.
    with pytest.raises(asyncpg.UniqueViolationError):
        await conn.execute("INSERT INTO enrollments (user_id, version_id) VALUES ($1, $2)", cast.worker.id, versions[2])
    bulk = await client.post(
        "/api/v1/enrollments/bulk",
        json={"code": CODE, "version": 2, "user_ids": [str(cast.worker.id)]},
        headers=cast.instructor_headers,
    )
    assert bulk.status_code == 200 and bulk.json()["enrolled"] == 0
    assert await conn.fetchval("SELECT count(*) FROM enrollments WHERE user_id = $1", cast.worker.id) == 1


async def test_moving_after_completing_keeps_the_certificate_valid_and_starts_afresh(client, conn):
    cast = await hybrid_course(conn)
    version_1 = await conn.fetchval(
        "SELECT v.id FROM course_versions v JOIN courses c ON c.id = v.course_id WHERE c.code = $1", CODE
    )
    enrollment = await do_everything(
        conn, user_id=cast.worker.id, version_id=version_1, instructor_id=cast.instructor.id
    )
    code = await certificate_code(conn, enrollment)
    await _publish_v2(client, conn, cast, change_lesson=None)
    await switch_to(client, "ana@example.org")
    page = await client.get(f"/courses/{CODE}?version=1")
    assert "You completed the earlier version" in page.text
    moved = await client.post(
        f"/courses/{CODE}/move", data={"_csrf_token": csrf_from(page.text), "version": "2"}, follow_redirects=False
    )
    assert moved.status_code == 303
    certificate = await client.get(f"/api/v1/certificates/{code}")
    assert certificate.status_code == 200 and certificate.json()["status"] == "valid"
    v2 = await client.get(f"/courses/{CODE}")
    assert "0 of" in v2.text
    mine = await client.get("/my")
    assert "Completed" in mine.text or "completed" in mine.text, "the completed version stays on her record"


async def test_an_instructor_of_the_course_unenrols_a_worker_with_a_reason_and_her_records_stay(client, conn):
    cast = await hybrid_course(conn)
    lessons = [a["key"] for a in cast.activities if a["kind"] == "lesson"]
    await switch_to(client, "ana@example.org")
    course = await client.get(f"/courses/{CODE}")
    await client.post(f"/courses/{CODE}/v/1/enroll", data={"_csrf_token": csrf_from(course.text)})
    await _mark_done(client, lessons[0])
    enrollment = await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", cast.worker.id)
    action = f"/teach/enrollments/{enrollment}/unenrol"

    await switch_to(client, "maria@example.org")
    learners = await client.get(f"/teach/courses/{CODE}/v/1")
    csrf = csrf_from(learners.text)
    not_hers = await client.post(
        action, data={"reason": "Left the clinic", "_csrf_token": csrf}, follow_redirects=False
    )
    assert not_hers.status_code == 404, "María neither owns the course nor runs a session Ana is in"
    assert await conn.fetchval("SELECT ended_at FROM enrollments WHERE id = $1", enrollment) is None

    await make_owner(conn, CODE, cast.instructor.id)
    learners = await client.get(f"/teach/courses/{CODE}/v/1")
    assert action in learners.text and "Ana Pérez" in learners.text
    no_reason = await client.post(action, data={"reason": " ", "_csrf_token": csrf}, follow_redirects=False)
    assert no_reason.status_code == 400 and "reason" in no_reason.text.lower()
    done = await client.post(
        action,
        data={"reason": "Left the clinic", "next": f"/teach/courses/{CODE}/v/1", "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = await client.get(done.headers["location"])
    assert "Ana Pérez" not in shown.text and "Unenrolled." in shown.text
    row = await conn.fetchrow("SELECT ended_by, end_kind, end_reason FROM enrollments WHERE id = $1", enrollment)
    assert (row["ended_by"], row["end_kind"], row["end_reason"]) == (
        cast.instructor.id,
        "unenrolled",
        "Left the clinic",
    )
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'enrollment.unenrolled'")
    assert audit["actor_id"] == cast.instructor.id and audit["detail"]["reason"] == "Left the clinic"
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE enrollment_id = $1", enrollment) >= 1

    await switch_to(client, "ana@example.org")
    assert CODE not in (await client.get("/my")).text
    course = await client.get(f"/courses/{CODE}")
    assert "Enrol in this course" in course.text
    back = await client.post(
        f"/courses/{CODE}/v/1/enroll", data={"_csrf_token": csrf_from(course.text)}, follow_redirects=False
    )
    assert back.status_code == 303
    assert await conn.fetchval("SELECT count(*) FROM enrollments WHERE user_id = $1", cast.worker.id) == 1
    assert "1 of" in (await client.get(f"/courses/{CODE}")).text, (
        "enrolling again opens her enrolment with its progress"
    )


async def test_the_instructor_of_a_session_she_is_in_may_unenrol_her(client, conn):
    from datetime import timedelta

    from tests.integration.learning_fixtures import basic, schedule_session

    cast = await hybrid_course(conn, browser=False)
    other = await make_user(conn, "luis@example.org", "instructor")
    await client.post("/api/v1/enrollments", json={"code": CODE}, headers=basic(cast.worker_token))
    session = await schedule_session(client, cast, starts_in=timedelta(days=2), minutes=60)
    registered = await client.post(f"/api/v1/sessions/{session['id']}/registrations", headers=basic(cast.worker_token))
    assert registered.status_code == 201
    enrollment = await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", cast.worker.id)
    from lms.accounts.schemas import CurrentUser
    from lms.errors import NotFound
    from lms.learning.lifecycle import unenrol

    def as_user(u):
        return CurrentUser(
            id=u.id,
            email=u.email,
            display_name=u.display_name,
            role=u.role,
            clinic_id=None,
            local_id=None,
            language="en",
        )

    with pytest.raises(NotFound):
        await unenrol(conn, actor=as_user(other), enrollment_id=enrollment, reason="Moved away")
    await unenrol(conn, actor=as_user(cast.instructor), enrollment_id=enrollment, reason="Moved away")
    assert await conn.fetchval("SELECT end_kind FROM enrollments WHERE id = $1", enrollment) == "unenrolled"
