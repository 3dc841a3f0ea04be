"""Exactly once under load: fifty concurrent completions of one enrolment, through two real HTTP servers (two
replicas with their own connection pools) on the same database, record one completion."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx

from lms.app import create_app
from lms.learning import completion
from tests.helpers import serving
from tests.integration.learning_fixtures import CODE, basic, hybrid_course, right_answers, schedule_session

VERBS = "http://adlnet.gov/expapi/verbs/"


@asynccontextmanager
async def replica(settings) -> AsyncIterator[str]:
    """One `lms` process as deployed: uvicorn serving the app on its own port, with its own pool."""
    async with serving(create_app(settings.replace(database_pool_max=10))) as url:
        yield url


async def test_fifty_concurrent_completions_of_one_enrollment_record_one(settings, conn, client):
    from datetime import timedelta

    cast = await hybrid_course(conn, browser=False)
    auth = basic(cast.worker_token)
    registration = (await client.post("/api/v1/enrollments", json={"code": CODE}, headers=auth)).json()["id"]
    lessons = [a for a in cast.activities if a["kind"] == "lesson"]
    base = "http://127.0.0.1:8000/activities/DA-IC-101/v1/"

    def finished(key: str) -> dict:
        return {
            "id": str(uuid.uuid4()),
            "actor": {"account": {"homePage": "http://127.0.0.1:8000", "name": str(cast.worker.id)}},
            "verb": {"id": VERBS + "completed"},
            "object": {"id": base + key},
            "context": {"registration": registration},
            "timestamp": datetime.now(UTC).isoformat(),
        }

    # Everything but the last two lessons, before the race.
    assert (
        await client.post("/xapi/statements", json=[finished(a["key"]) for a in lessons[:-2]], headers=auth)
    ).status_code == 200
    for quiz in (a for a in cast.activities if a["kind"] == "quiz"):
        graded = await client.post(
            f"/api/v1/enrollments/{registration}/quizzes/{quiz['key']}/attempts",
            headers=auth,
            json={"attempt_id": str(uuid.uuid4()), "answers": right_answers(quiz["answer_key"])},
        )
        assert graded.json()["passed"] is True
    session = await schedule_session(
        client, cast, starts_in=timedelta(hours=-2), minutes=60
    )  # over: its roster is final
    await client.put(
        f"/api/v1/sessions/{session['id']}/roster",
        headers=cast.instructor_headers,
        json={"marks": [{"user_id": str(cast.worker.id), "present": True}]},
    )
    checkoff = next(a for a in cast.activities if a["kind"] == "checkoff")
    await client.post(
        "/api/v1/checkoffs",
        headers=cast.instructor_headers,
        json={"enrollment_id": registration, "activity_key": checkoff["key"]},
    )
    assert await conn.fetchval("SELECT count(*) FROM completions") == 0

    certificates: list[uuid.UUID] = []

    async def issue(c, enrollment_id):
        await asyncio.sleep(0.01)  # widen the window a racing request would need
        certificates.append(enrollment_id)

    completion.on_completed.append(issue)
    try:
        async with replica(settings) as one, replica(settings) as two, httpx.AsyncClient(timeout=60) as http:
            # Fifty requests at once, spread over both replicas: statements finishing one or the other of the last two
            # lessons (each alone leaves the course unfinished; together they finish it), and explicit completion checks.
            requests = []
            for i in range(50):
                url = one if i % 2 else two
                if i % 5 == 4:
                    requests.append(http.post(f"{url}/api/v1/enrollments/{registration}/completion", headers=auth))
                else:
                    requests.append(
                        http.post(f"{url}/xapi/statements", headers=auth, json=[finished(lessons[-1 - i % 2]["key"])])
                    )
            answers = await asyncio.gather(*requests)
            assert [a.status_code for a in answers] == [200] * 50, [a.text for a in answers if a.status_code != 200][:3]
            progress = (await http.get(f"{one}/api/v1/enrollments/{registration}/progress", headers=auth)).json()
    finally:
        completion.on_completed.remove(issue)

    assert progress["enrollment"]["completed_at"] is not None
    assert (
        await conn.fetchval("SELECT count(*) FROM completions WHERE enrollment_id = $1", uuid.UUID(registration)) == 1
    )
    assert certificates == [uuid.UUID(registration)]
    course_completed = await conn.fetchval(
        "SELECT count(*) FROM statements WHERE enrollment_id = $1 AND activity_iri = $2 AND verb = $3",
        uuid.UUID(registration),
        f"http://127.0.0.1:8000/activities/{CODE}/v1",
        VERBS + "completed",
    )
    assert course_completed == 1
