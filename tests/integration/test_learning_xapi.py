"""The xAPI statements resource as a standard client uses it: record, read back, repeat, conflict, void, refuse."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from tests.conftest import COURSES_DIR
from tests.helpers import make_clinic, publish_folder, token_for
from tests.integration.learning_fixtures import api_user

BASE = "http://127.0.0.1:8000"  # settings.public_base_url in tests
VERBS = "http://adlnet.gov/expapi/verbs/"


async def _worker_with_token(conn, email="ana@example.org"):
    await make_clinic(conn, "st-johns") if not await conn.fetchval(
        "SELECT 1 FROM clinics WHERE slug = 'st-johns'"
    ) else None
    worker = await api_user(conn, email, "worker", clinic="st-johns")
    token = (await token_for(conn, worker.id))["Authorization"].split(" ", 1)[1]
    return worker, token


def _basic(token: str) -> dict[str, str]:
    """What TinCanJS sends: Basic auth (key:secret, the token as secret) and the version header."""
    return {
        "Authorization": "Basic " + base64.b64encode(f"lms:{token}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }


def statement(user_id, key="hand-hygiene", verb="completed", registration=None, **extra):
    st = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": BASE, "name": str(user_id)}},
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"{BASE}/activities/DA-IC-101/v1/{key}",
            "definition": {"name": {"en-US": "Hand Hygiene"}},
        },
        "timestamp": datetime.now(UTC).isoformat(),
    }
    if registration:
        st["context"] = {"registration": str(registration), "revision": "1", "language": "es"}
    st.update(extra)
    return st


async def test_a_standard_xapi_client_records_a_statement_and_reads_it_back(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    worker, token = await _worker_with_token(conn)
    enrolled = await client.post(
        "/api/v1/enrollments", json={"code": "DA-IC-101"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert enrolled.status_code == 201
    registration = enrolled.json()["id"]

    about = await client.get("/xapi/about")
    assert about.json()["version"] == ["1.0.3", "2.0.0"]

    st = statement(worker.id, registration=registration, result={"completion": True, "duration": "PT4M30S"})
    put = await client.put("/xapi/statements", params={"statementId": st["id"]}, json=st, headers=_basic(token))
    assert put.status_code == 204, put.text
    assert put.headers["x-experience-api-version"] == "1.0.3"

    got = await client.get("/xapi/statements", params={"statementId": st["id"]}, headers=_basic(token))
    assert got.status_code == 200 and got.headers["x-experience-api-version"] == "1.0.3"
    body = got.json()
    assert body["id"] == st["id"] and body["verb"]["id"] == VERBS + "completed"
    assert body["context"]["registration"] == registration and body["result"]["duration"] == "PT4M30S"
    assert body["version"] == "1.0.0" and body["stored"] and body["authority"]["account"]["homePage"] == BASE

    # The same statement again (a retry after a dropped connection) is accepted and changes nothing.
    again = await client.post("/xapi/statements", json=st, headers=_basic(token))
    assert again.status_code == 200 and again.json() == [st["id"]]
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE id = $1", uuid.UUID(st["id"])) == 1

    # The same id with other content is a conflict, and nothing changes.
    changed = {**st, "result": {"completion": False}}
    conflict = await client.post("/xapi/statements", json=[changed], headers=_basic(token))
    assert conflict.status_code == 409 and st["id"] in conflict.text
    assert conflict.headers["x-experience-api-version"] == "1.0.3"
    stored = await client.get("/xapi/statements", params={"statementId": st["id"]}, headers=_basic(token))
    assert stored.json()["result"]["completion"] is True

    # The lesson counts as done on the worker's progress.
    progress = (await client.get(f"/api/v1/enrollments/{registration}/progress", headers=_basic(token))).json()
    assert next(a for a in progress["activities"] if a["key"] == "hand-hygiene")["done"] is True

    # A correction voids it: the voided one is found only by voidedStatementId, and progress forgets it.
    void = {
        "actor": st["actor"],
        "verb": {"id": VERBS + "voided"},
        "object": {"objectType": "StatementRef", "id": st["id"]},
    }
    voided = await client.post("/xapi/statements", json=void, headers=_basic(token))
    assert voided.status_code == 200
    assert (
        await client.get("/xapi/statements", params={"statementId": st["id"]}, headers=_basic(token))
    ).status_code == 404
    found = await client.get("/xapi/statements", params={"voidedStatementId": st["id"]}, headers=_basic(token))
    assert found.status_code == 200 and found.json()["id"] == st["id"]
    progress = (await client.get(f"/api/v1/enrollments/{registration}/progress", headers=_basic(token))).json()
    assert next(a for a in progress["activities"] if a["key"] == "hand-hygiene")["done"] is False
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE user_id = $1", worker.id) == 2

    listed = (await client.get("/xapi/statements", headers=_basic(token))).json()
    assert [s["verb"]["id"] for s in listed["statements"]] == [VERBS + "voided"] and listed["more"] == ""
    # Filtered by registration: the voiding statement (its target had it), never the voided one (xAPI 2.1.4).
    by_registration = (
        await client.get("/xapi/statements", params={"registration": registration}, headers=_basic(token))
    ).json()
    assert [s["verb"]["id"] for s in by_registration["statements"]] == [VERBS + "voided"]


async def test_the_statement_log_cannot_be_rewritten_or_deleted_even_from_sql(client, conn):
    """A clinic's audit may rest on it: only voiding changes a stored statement, and only once."""
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    worker, token = await _worker_with_token(conn)
    st = statement(worker.id, result={"completion": True})
    assert (await client.post("/xapi/statements", json=st, headers=_basic(token))).status_code == 200
    sid = uuid.UUID(st["id"])
    before = await conn.fetchrow("SELECT raw, verb, user_id FROM statements WHERE id = $1", sid)
    for change in (
        'SET raw = raw || \'{"timestamp": "2020-01-01T00:00:00.000Z"}\'',
        "SET verb = 'x'",
        "SET user_id = gen_random_uuid()",
    ):
        with pytest.raises(asyncpg.RaiseError, match="immutable"):
            await conn.execute(f"UPDATE statements {change} WHERE id = $1", sid)
    with pytest.raises(asyncpg.RaiseError, match="never deleted"):
        await conn.execute("DELETE FROM statements WHERE id = $1", sid)
    await conn.execute("UPDATE statements SET voided = true WHERE id = $1", sid)
    with pytest.raises(asyncpg.RaiseError, match="immutable"):
        await conn.execute("UPDATE statements SET voided = false WHERE id = $1", sid)
    after = await conn.fetchrow("SELECT raw, verb, user_id, voided FROM statements WHERE id = $1", sid)
    assert (after["raw"], after["verb"], after["user_id"], after["voided"]) == (*before, True)


async def test_a_worker_reads_only_their_own_statements(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    ana, ana_token = await _worker_with_token(conn, "ana@example.org")
    ben, ben_token = await _worker_with_token(conn, "ben@example.org")
    st = statement(ana.id)
    assert (await client.post("/xapi/statements", json=st, headers=_basic(ana_token))).status_code == 200
    assert (
        await client.get("/xapi/statements", params={"statementId": st["id"]}, headers=_basic(ben_token))
    ).status_code == 404
    assert (await client.get("/xapi/statements", headers=_basic(ben_token))).json()["statements"] == []
    # Ben cannot void Ana's statement either: his voiding statement is stored, hers stays.
    void = {
        "actor": statement(ben.id)["actor"],
        "verb": {"id": VERBS + "voided"},
        "object": {"objectType": "StatementRef", "id": st["id"]},
    }
    assert (await client.post("/xapi/statements", json=void, headers=_basic(ben_token))).status_code == 200
    assert (
        await client.get("/xapi/statements", params={"statementId": st["id"]}, headers=_basic(ana_token))
    ).status_code == 200


async def test_bad_statements_are_refused_with_the_reason_and_nothing_is_stored(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    worker, token = await _worker_with_token(conn)
    other, _ = await _worker_with_token(conn, "ben@example.org")
    enrolled = (await client.post("/api/v1/enrollments", json={"code": "DA-IC-101"}, headers=_basic(token))).json()
    other_enrollment = await conn.fetchval(
        "INSERT INTO enrollments (user_id, version_id) VALUES ($1, $2) RETURNING id",
        other.id,
        uuid.UUID(enrolled["version_id"]),
    )
    good = statement(worker.id)
    cases = {
        "bad UUID": (statement(worker.id, id="not-a-uuid"), "id"),
        "unknown verb format": ({**statement(worker.id), "verb": {"id": "completed"}}, "must be an IRI"),
        "not a timestamp": (statement(worker.id, timestamp="yesterday"), "timestamp"),
        "unknown activity": (statement(worker.id, key="no-such-lesson"), "no such activity"),
        "someone else's registration": (statement(worker.id, registration=other_enrollment), "registration"),
        "bad score": (statement(worker.id, result={"score": {"scaled": 7}}), "scaled"),
    }
    for name, (bad, reason) in cases.items():
        response = await client.post("/xapi/statements", json=[good, bad], headers=_basic(token))
        assert response.status_code == 400, (name, response.text)
        assert reason in response.json()["detail"], (name, response.json())
        assert response.json()["field"].startswith("statements[1]"), (name, response.json())
        assert response.headers["x-experience-api-version"] == "1.0.3"
    someone_else = await client.post("/xapi/statements", json=[good, statement(other.id)], headers=_basic(token))
    assert someone_else.status_code == 400 and someone_else.json()["field"] == "statements[1].actor"
    assert await conn.fetchval("SELECT count(*) FROM statements") == 0

    no_header = await client.post(
        "/xapi/statements", json=good, headers={**_basic(token), "X-Experience-API-Version": ""}
    )
    assert no_header.status_code == 400 and "X-Experience-API-Version" in no_header.json()["detail"]
    not_json = await client.post("/xapi/statements", content=b"{not json", headers=_basic(token))
    assert not_json.status_code == 400 and "JSON" in not_json.json()["detail"]
    too_many = await client.post(
        "/xapi/statements", json=[statement(worker.id) for _ in range(501)], headers=_basic(token)
    )
    assert too_many.status_code == 400 and "500" in too_many.json()["detail"]
    mismatch = await client.put(
        "/xapi/statements", params={"statementId": str(uuid.uuid4())}, json=good, headers=_basic(token)
    )
    assert mismatch.status_code == 400 and "statementId" in mismatch.json()["detail"]
    anonymous = await client.post("/xapi/statements", json=good, headers={"X-Experience-API-Version": "1.0.3"})
    assert anonymous.status_code == 401
    assert await conn.fetchval("SELECT count(*) FROM statements") == 0


async def test_a_batch_with_one_changed_statement_stores_none_of_it_even_when_sent_at_the_same_moment(client, conn):
    """Progress batches are stored without a transaction around them (one round trip): the conflict must still
    undo the whole batch, and two phones sending one id with different content at once must not both succeed."""
    import asyncio

    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    worker, token = await _worker_with_token(conn)
    first = statement(worker.id, verb="progressed")
    assert (await client.post("/xapi/statements", json=[first], headers=_basic(token))).status_code == 200

    fresh = [statement(worker.id, verb="progressed") for _ in range(3)]
    changed = {**first, "result": {"duration": "PT1M"}}
    refused = await client.post("/xapi/statements", json=[*fresh, changed], headers=_basic(token))
    assert refused.status_code == 409 and first["id"] in refused.json()["detail"]
    fresh_ids = [uuid.UUID(s["id"]) for s in fresh]
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE id = ANY($1::uuid[])", fresh_ids) == 0

    racing = statement(worker.id, verb="progressed")
    other = {**racing, "result": {"duration": "PT9M"}}
    answers = await asyncio.gather(
        *(client.post("/xapi/statements", json=[s], headers=_basic(token)) for s in (racing, other))
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE id = $1", uuid.UUID(racing["id"])) == 1


async def test_a_statement_and_its_voiding_sent_together_leave_it_voided(client, conn):
    await publish_folder(conn, COURSES_DIR / "DA-IC-101")
    worker, token = await _worker_with_token(conn)
    done = statement(worker.id)
    void = statement(worker.id, verb="voided", object={"objectType": "StatementRef", "id": done["id"]})
    assert (await client.post("/xapi/statements", json=[done, void], headers=_basic(token))).status_code == 200
    assert await conn.fetchval("SELECT voided FROM statements WHERE id = $1", uuid.UUID(done["id"])) is True
    assert await conn.fetchval("SELECT voided FROM statements WHERE id = $1", uuid.UUID(void["id"])) is False
