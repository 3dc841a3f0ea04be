"""A learner's enrolment over time, in a real browser at phone width:
- a worker who used every quiz attempt gets them back from her instructor (with a reason) and passes;
- a worker enrolled in version 1 opens the course after version 2 is published, continues or moves, and keeps the
  progress of the lessons that did not change.
"""

from __future__ import annotations

import re

import msgspec
import pytest

from lms.app import create_app
from lms.catalog.content import Lesson
from lms.catalog.course_file import read_course_folder
from lms.catalog.service import publish
from lms.embedded.ports import free_port
from tests.browser.conftest import ARTIFACTS, PHONE, sign_in, sql, wait_for
from tests.conftest import COURSES_DIR
from tests.helpers import make_owner, make_user
from tests.integration.learning_fixtures import CODE, hybrid_course
from tests.integration.test_offline_soak import ServerThread


@pytest.fixture
async def world(conn):
    """DA-IC-101 version 1, and version 2 whose second lesson was rewritten; Bea used her three quiz attempts in
    version 1; Ana is not enrolled yet."""
    cast = await hybrid_course(conn)
    await make_owner(conn, CODE, cast.instructor.id)
    doc = read_course_folder(COURSES_DIR / CODE)
    lessons = [a.key for m in doc.modules for a in m.activities if isinstance(a, Lesson)]
    revised = msgspec.structs.replace(
        doc,
        modules=[
            msgspec.structs.replace(
                m,
                activities=[
                    msgspec.structs.replace(a, body={k: v + "\n\nRevised in version 2." for k, v in a.body.items()})
                    if a.key == lessons[1]
                    else a
                    for a in m.activities
                ],
            )
            for m in doc.modules
        ],
    )
    async with conn.transaction():
        await publish(conn, revised, actor_id=cast.instructor.id)

    bea = await make_user(conn, "bea@example.org", "worker", clinic="st-johns", name="Bea Ramos")
    quiz = next(a for a in cast.activities if a["kind"] == "quiz")
    enrollment = await conn.fetchval(
        """INSERT INTO enrollments (user_id, version_id, clinic_id)
           SELECT $1, v.id, u.clinic_id FROM course_versions v JOIN courses c ON c.id = v.course_id, users u
           WHERE c.code = $2 AND v.version = 1 AND u.id = $1 RETURNING id""",
        bea.id,
        CODE,
    )
    await conn.execute(
        """INSERT INTO quiz_attempts (id, enrollment_id, activity_id, number, answers, score, passed, statement_id)
           SELECT gen_random_uuid(), $1, a.id, n, '{}', 0, false, gen_random_uuid()
           FROM version_activities a JOIN enrollments e ON e.version_id = a.version_id, generate_series(1, 3) n
           WHERE e.id = $1 AND a.key = $2""",
        enrollment,
        quiz["key"],
    )
    return {"lessons": lessons, "quiz": quiz, "bea_enrollment": enrollment}


@pytest.fixture
def live(settings, world):
    port = free_port()
    served = settings.replace(public_base_url=f"http://127.0.0.1:{port}")
    with ServerThread(create_app(served), port):
        yield {"base": served.public_base_url, "settings": served, **world}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_instructor_gives_a_worker_her_quiz_attempts_back_and_she_passes(in_browser, live):
    base, quiz, enrollment = live["base"], live["quiz"], live["bea_enrollment"]
    quiz_url = f"{base}/quiz/{CODE}/v/1/{quiz['key']}"

    def journey(browser) -> None:
        bea = browser.new_context(viewport=PHONE).new_page()
        sign_in(bea, base, "bea@example.org")
        bea.goto(quiz_url)
        assert "You have used every attempt" in bea.content()
        assert bea.locator("form[action*='/quiz/'] button[type=submit]").count() == 0

        maria = browser.new_context(viewport=PHONE).new_page()
        sign_in(maria, base, "maria@example.org")
        maria.goto(f"{base}/teach/courses/{CODE}/v/1")
        reset = maria.locator(f"form[action='/teach/enrollments/{enrollment}/quizzes/{quiz['key']}/reset']")
        reset.locator("input[name=reason]").fill("Her phone died during the quiz")
        shot(maria, "instructor-gives-attempts-back")
        reset.locator("button[type=submit]").click()
        maria.wait_for_load_state()
        assert "/teach/courses/" in maria.url

        bea.goto(f"{base}/courses/{CODE}/v/1/{quiz['key']}")
        assert bea.locator(f"a[href='/quiz/{CODE}/v/1/{quiz['key']}']").count() == 1, (
            "the activity page offers the quiz again"
        )
        bea.goto(quiz_url)
        for question, spec in quiz["answer_key"].items():
            for choice in spec["correct"]:
                bea.check(f"input[name='q.{question}'][value='{choice}']")
        bea.click("form[action*='/quiz/'] button[type=submit]")
        bea.wait_for_load_state()
        assert "You passed." in bea.content()
        shot(bea, "worker-passes-after-reset")

    in_browser(journey)
    settings = live["settings"]
    assert sql(settings, "SELECT count(*) FROM quiz_attempts WHERE enrollment_id = $1", enrollment) == 4, (
        "the used attempts stay"
    )
    assert (
        sql(settings, "SELECT detail ->> 'reason' FROM audit_log WHERE action = 'quiz.attempts_reset'")
        == "Her phone died during the quiz"
    )


def test_a_worker_in_version_1_moves_to_version_2_and_keeps_what_did_not_change(in_browser, live):
    base, lessons = live["base"], live["lessons"]

    def journey(browser) -> None:
        ana = browser.new_context(viewport=PHONE).new_page()
        sign_in(ana, base, "ana@example.org")
        ana.goto(f"{base}/courses/{CODE}?version=1")
        ana.click(f"form[action='/courses/{CODE}/v/1/enroll'] button")
        ana.wait_for_load_state()
        for key in lessons[:2]:
            lesson = f"{base}/courses/{CODE}/v/1/{key}"
            ana.goto(lesson)
            ana.click(f"form[action='/learn/{CODE}/v/1/{key}/done'] button")
            ana.wait_for_url(lambda url, here=lesson: url != here)  # the player sends it, then goes on
        wait_for(
            lambda: (
                sql(
                    live["settings"],
                    """SELECT count(DISTINCT activity_id) FROM statements
                                                   WHERE verb LIKE '%completed' AND activity_id IS NOT NULL""",
                )
                == 2
            ),
            "both lessons recorded",
        )

        ana.goto(f"{base}/courses/{CODE}")  # the newest version: 2
        page = ana.content()
        assert "Enrol in this course" not in page
        assert "You are enrolled in version 1 of this course." in page
        shot(ana, "worker-continue-or-move")
        ana.click(f"a[href='/courses/{CODE}?version=1']")  # continue version 1 for now
        ana.wait_for_load_state()
        assert re.search(r"2 of \d+ activities done", ana.content())
        assert "Version 2 of this course is out." in ana.content()

        ana.click(f"form[action='/courses/{CODE}/move'] button")  # then she moves
        ana.wait_for_load_state()
        assert ana.url.endswith(f"/courses/{CODE}?version=2")
        assert re.search(r"1 of \d+ activities done", ana.content()), "the unchanged lesson came with her"
        assert "Move to version" not in ana.content()
        shot(ana, "worker-moved-to-version-2")
        ana.goto(f"{base}/courses/{CODE}/v/2/{lessons[0]}")
        assert "Done ✓" in ana.content()
        ana.goto(f"{base}/courses/{CODE}/v/2/{lessons[1]}")
        assert ana.locator(f"form[action='/learn/{CODE}/v/2/{lessons[1]}/done']").count() == 1, (
            "the rewritten lesson is new work"
        )

    in_browser(journey)
    settings = live["settings"]
    assert (
        sql(
            settings,
            "SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id WHERE u.email = 'ana@example.org'",
        )
        == 2
    )
    assert (
        sql(
            settings,
            """SELECT count(*) FROM enrollments e JOIN users u ON u.id = e.user_id
                            WHERE u.email = 'ana@example.org' AND e.ended_at IS NULL""",
        )
        == 1
    )
    assert sql(settings, "SELECT count(*) FROM audit_log WHERE action = 'enrollment.moved'") == 1
