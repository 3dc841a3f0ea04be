"""An instructor gives a worker who used every quiz attempt her attempts back, with a reason that is audit-logged;
her earlier attempts stay on record."""

from __future__ import annotations

import uuid

from tests.helpers import csrf_from
from tests.integration.learning_fixtures import CODE, basic, hybrid_course, right_answers, switch_to


async def test_an_instructor_gives_a_worker_her_quiz_attempts_back(client, conn):
    cast = await hybrid_course(conn)
    await client.post("/api/v1/enrollments", json={"code": CODE}, headers=basic(cast.worker_token))
    quiz = next(a for a in cast.activities if a["kind"] == "quiz")
    registration = await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", cast.worker.id)
    url = f"/api/v1/enrollments/{registration}/quizzes/{quiz['key']}/attempts"
    first = next(iter(quiz["answer_key"]))
    wrong = next(c for c in ("a", "b", "c", "d") if c not in quiz["answer_key"][first]["correct"])
    for _ in range(3):
        done = await client.post(
            url, headers=basic(cast.worker_token), json={"attempt_id": str(uuid.uuid4()), "answers": {first: [wrong]}}
        )
        assert done.status_code == 200
    stuck = await client.post(
        url,
        headers=basic(cast.worker_token),
        json={"attempt_id": str(uuid.uuid4()), "answers": right_answers(quiz["answer_key"])},
    )
    assert stuck.status_code == 409

    await switch_to(client, "maria@example.org")
    learners = await client.get(f"/teach/courses/{CODE}/v/1")
    action = f"/teach/enrollments/{registration}/quizzes/{quiz['key']}/reset"
    assert action in learners.text
    csrf = csrf_from(learners.text)
    no_reason = await client.post(action, data={"reason": "", "_csrf_token": csrf})
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    given = await client.post(
        action,
        data={"reason": "Phone died during the quiz", "next": f"/teach/courses/{CODE}/v/1", "_csrf_token": csrf},
        follow_redirects=False,
    )
    assert given.status_code == 303

    again = await client.post(
        url,
        headers=basic(cast.worker_token),
        json={"attempt_id": str(uuid.uuid4()), "answers": right_answers(quiz["answer_key"])},
    )
    assert again.status_code == 200 and again.json()["passed"] and again.json()["number"] == 4
    assert again.json()["attempts_left"] == 2
    assert await conn.fetchval("SELECT count(*) FROM quiz_attempts") == 4, "earlier attempts stay on record"
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'quiz.attempts_reset'")
    assert audit["actor_id"] == cast.instructor.id and audit["detail"]["reason"] == "Phone died during the quiz"
