"""Edge input the security test sent: each used to be a 500 (or a 200 storing mangled text); each is now a 4xx that
says what was wrong, and nothing is written."""

from __future__ import annotations

import asyncio

from tests.helpers import csrf_from, make_user, sign_in, token_for
from tests.integration.learning_fixtures import CODE, api_user, basic, hybrid_course

HUGE = 74670087567474352
INT8_OVERFLOW = 2**63


async def test_integers_beyond_their_column_are_refused_naming_the_field(client, conn):
    admin = await token_for(conn, (await make_user(conn, "pat@example.org", "program_admin")).id)
    cases = [
        ("GET", f"/api/v1/courses/{CODE}?version={HUGE}", None, "version"),
        ("GET", f"/api/v1/learners/{CODE}/{HUGE}", None, "version"),
        ("POST", "/api/v1/enrollments", {"code": CODE, "version": HUGE}, "version"),
        ("GET", f"/api/v1/users?offset={INT8_OVERFLOW}", None, "offset"),
        ("GET", f"/api/v1/reports/audit?before={INT8_OVERFLOW}", None, "before"),
        ("GET", f"/credentials/status/{HUGE}", None, "number"),
    ]
    for method, url, body, field in cases:
        answer = await client.request(method, url, json=body, headers=admin)
        assert answer.status_code == 400, (url, answer.status_code, answer.text)
        assert field in answer.text, (url, answer.text)
    assert await conn.fetchval("SELECT count(*) FROM enrollments") == 0


async def test_deeply_nested_json_is_a_400_not_a_server_error(client, conn):
    cast = await hybrid_course(conn, browser=False)
    for depth in (100_000, 5_000):
        nested = b"[" * depth + b"]" * depth
        statements = await client.post(
            "/xapi/statements", content=nested, headers={**basic(cast.worker_token), "content-type": "application/json"}
        )
        assert statements.status_code == 400, statements.text
        assert "nested" in statements.json()["detail"]
        verify = await client.post(
            "/api/v1/credentials/verify",
            content=b'{"credential": ' + nested + b"}",
            headers={"content-type": "application/json"},
        )
        assert 400 <= verify.status_code < 500, verify.text
    assert await conn.fetchval("SELECT count(*) FROM statements") == 0


async def test_an_oversized_header_is_answered_431(client):
    answer = await client.get("/", headers={"x-padding": "a" * (8 * 1024 * 1024)})
    assert answer.status_code == 431
    many = {f"x-pad-{i}": "a" * 4000 for i in range(20)}
    assert (await client.get("/api/v1/courses", headers=many)).status_code == 431
    assert (await client.get("/api/v1/courses", headers={"x-fine": "a" * 2000})).status_code == 200


async def test_invalid_utf8_in_a_form_field_is_refused_naming_it(client, conn):
    await make_user(conn, "ana@example.org", "instructor")
    await sign_in(client, "ana@example.org")
    token = csrf_from((await client.get("/profile")).text)
    answer = await client.post(
        "/profile/tokens",
        content=f"_csrf_token={token}&label=caf%E9%FF".encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert answer.status_code == 400
    assert "label" in answer.text
    assert await conn.fetchval("SELECT count(*) FROM api_tokens") == 0
    fine = await client.post(
        "/profile/tokens",
        content=f"_csrf_token={token}&label=caf%C3%A9".encode(),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert fine.status_code in (200, 201)
    assert await conn.fetchval("SELECT label FROM api_tokens") == "café"
    query = await client.get("/login?next=%2F%FF", headers={"accept": "text/html"})
    assert query.status_code == 400 and "next" in query.text


async def test_two_instructors_signing_off_the_same_skill_at_once_get_200_or_409(client, conn):
    cast = await hybrid_course(conn, browser=False)
    second = await token_for(conn, (await api_user(conn, "leo@example.org", "instructor")).id)
    checkoff = next(a for a in cast.activities if a["kind"] == "checkoff")
    for i in range(5):
        worker = await api_user(conn, f"w{i}@example.org", "worker", clinic="st-johns")
        mine = await token_for(conn, worker.id)
        registration = (await client.post("/api/v1/enrollments", json={"code": CODE}, headers=mine)).json()["id"]
        body = {"enrollment_id": registration, "activity_key": checkoff["key"]}
        answers = await asyncio.gather(
            *(client.post("/api/v1/checkoffs", json=body, headers=h) for h in (cast.instructor_headers, second) * 2)
        )
        assert {a.status_code for a in answers} <= {200, 201, 409}, [a.text for a in answers]
        assert await conn.fetchval("SELECT count(*) FROM checkoffs WHERE enrollment_id = $1", registration) == 1
