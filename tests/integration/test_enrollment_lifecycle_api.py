"""The enrolment lifecycle through the JSON API, with the pages' rules: a worker moves to version 2, an instructor
who may (an owner) unenrols her with a reason, and a bulk enrolment opens her unenrolled enrolment again with its
records, saying so and recording what ended it."""

from __future__ import annotations

from tests.helpers import make_owner, make_user, token_for
from tests.integration.learning_fixtures import CODE, hybrid_course
from tests.integration.test_enrollment_lifecycle import _publish_v2


async def test_an_owner_unenrols_by_the_api_and_a_bulk_enrolment_reopens_it_with_its_records(client, conn):
    cast = await hybrid_course(conn, browser=False)
    worker = {"Authorization": f"Bearer {cast.worker_token}"}
    enrolled = await client.post("/api/v1/enrollments", json={"code": CODE, "version": 1}, headers=worker)
    assert enrolled.status_code == 201
    enrollment = enrolled.json()["id"]
    url = f"/api/v1/enrollments/{enrollment}/unenrol"

    maria = cast.instructor_headers
    not_hers = await client.post(url, json={"reason": "Left the clinic"}, headers=maria)
    assert not_hers.status_code == 404, "María neither owns the course nor runs a session Ana is in"
    assert (await client.post(url, json={"reason": "Left"}, headers=worker)).status_code == 403
    await make_owner(conn, CODE, cast.instructor.id)
    no_reason = await client.post(url, json={"reason": "  "}, headers=maria)
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    done = await client.post(url, json={"reason": "Left the clinic"}, headers=maria)
    assert done.status_code == 204
    assert (await client.post(url, json={"reason": "Left the clinic"}, headers=maria)).status_code == 404
    row = await conn.fetchrow("SELECT end_kind, end_reason, ended_by FROM enrollments WHERE id = $1", enrollment)
    assert tuple(row) == ("unenrolled", "Left the clinic", cast.instructor.id)
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'enrollment.unenrolled'")
    assert audit["actor_id"] == cast.instructor.id and audit["detail"]["reason"] == "Left the clinic"

    # She is back at the clinic: the bulk enrolment opens the same enrolment again, records and all.
    bulk = {"code": CODE, "version": 1, "emails": ["ana@example.org"]}
    again = await client.post("/api/v1/enrollments/bulk", json=bulk, headers=maria)
    assert again.status_code == 200, again.text
    assert (again.json()["enrolled"], again.json()["reopened"], again.json()["already_enrolled"]) == (1, 1, 0)
    rows = await conn.fetch("SELECT id, ended_at, end_kind FROM enrollments WHERE user_id = $1", cast.worker.id)
    assert [(str(r["id"]), r["ended_at"], r["end_kind"]) for r in rows] == [(enrollment, None, None)]
    reopened = await conn.fetchrow(
        "SELECT actor_id, subject, detail FROM audit_log WHERE action = 'enrollment.reopened'"
    )
    assert reopened["actor_id"] == cast.instructor.id and reopened["subject"] == enrollment
    assert reopened["detail"]["unenrol_reason"] == "Left the clinic"
    assert reopened["detail"]["unenrolled_by"] == str(cast.instructor.id)
    progress = await client.get(f"/api/v1/enrollments/{enrollment}/progress", headers=worker)
    assert progress.status_code == 200

    twice = await client.post("/api/v1/enrollments/bulk", json=bulk, headers=maria)
    assert (twice.json()["enrolled"], twice.json()["reopened"], twice.json()["already_enrolled"]) == (0, 0, 1)
    assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'enrollment.reopened'") == 1


async def test_a_bulk_enrolment_leaves_an_enrolment_she_moved_on_from_alone(client, conn):
    cast = await hybrid_course(conn, browser=False)
    worker = {"Authorization": f"Bearer {cast.worker_token}"}
    assert (
        await client.post("/api/v1/enrollments", json={"code": CODE, "version": 1}, headers=worker)
    ).status_code == 201
    await _publish_v2(client, conn, cast, change_lesson=None)
    moved = await client.post("/api/v1/enrollments/move", json={"code": CODE, "version": 2}, headers=worker)
    assert moved.status_code == 200
    bulk = {"code": CODE, "version": 1, "emails": ["ana@example.org"]}
    result = await client.post("/api/v1/enrollments/bulk", json=bulk, headers=cast.instructor_headers)
    assert (result.json()["enrolled"], result.json()["reopened"], result.json()["already_enrolled"]) == (0, 0, 1)
    open_ = await conn.fetch(
        "SELECT v.version FROM enrollments e JOIN course_versions v ON v.id = e.version_id "
        "WHERE e.user_id = $1 AND e.ended_at IS NULL",
        cast.worker.id,
    )
    assert [r["version"] for r in open_] == [2]


async def test_a_worker_moves_to_version_2_by_the_api(client, conn):
    cast = await hybrid_course(conn, browser=False)
    worker = {"Authorization": f"Bearer {cast.worker_token}"}
    first = await client.post("/api/v1/enrollments", json={"code": CODE, "version": 1}, headers=worker)
    await _publish_v2(client, conn, cast, change_lesson=None)

    nowhere = await client.post("/api/v1/enrollments/move", json={"code": CODE, "version": 7}, headers=worker)
    assert nowhere.status_code == 404 and nowhere.json()["field"] == "version"
    moved = await client.post("/api/v1/enrollments/move", json={"code": CODE, "version": 2}, headers=worker)
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["version"] == 2 and body["id"] != first.json()["id"] and body["user_id"] == str(cast.worker.id)
    again = await client.post("/api/v1/enrollments/move", json={"code": CODE, "version": 2}, headers=worker)
    assert again.status_code == 200 and again.json()["id"] == body["id"], "a double tap changes nothing"
    old = await conn.fetchrow("SELECT end_kind, moved_to FROM enrollments WHERE id = $1", first.json()["id"])
    assert old["end_kind"] == "moved" and str(old["moved_to"]) == body["id"]
    audit = await conn.fetchrow("SELECT actor_id, detail FROM audit_log WHERE action = 'enrollment.moved'")
    assert audit["actor_id"] == cast.worker.id and (audit["detail"]["from_version"], audit["detail"]["to_version"]) == (
        1,
        2,
    )

    # Someone not enrolled has nothing to move.
    other = await make_user(conn, "luis@example.org", "worker", clinic="st-johns")
    refused = await client.post(
        "/api/v1/enrollments/move", json={"code": CODE, "version": 2}, headers=await token_for(conn, other.id)
    )
    assert refused.status_code == 404 and refused.json()["field"] == "code"
