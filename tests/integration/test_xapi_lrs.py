"""The Learning Record Store's authorization rules, as its callers meet them: workers, clinic and program admins, and
LRS client credentials; plus what outside content needs from it (documents, CORS, HEAD, version negotiation)."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid

from lms.xapi import clients
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.integration.learning_fixtures import api_user

BASE = "http://127.0.0.1:8000"  # settings.public_base_url in tests
V1 = {"X-Experience-API-Version": "1.0.3"}


def said(actor: dict, verb: str = "http://adlnet.gov/expapi/verbs/experienced") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": verb},
        "object": {"id": "http://content.example.org/modules/bloodborne-pathogens"},
    }


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(), **V1}


async def people(conn):
    await make_clinic(conn, "st-johns")
    await make_clinic(conn, "baywell")
    ana = await api_user(conn, "ana@example.org", "worker", clinic="st-johns")
    luis = await api_user(conn, "luis@example.org", "worker", clinic="st-johns")
    bea = await api_user(conn, "bea@example.org", "worker", clinic="baywell")
    cleo = await api_user(conn, "cleo@example.org", "clinic_admin", clinic="st-johns")
    pat = await api_user(conn, "pat@example.org", "program_admin")
    headers = {
        p: {**(await token_for(conn, u.id)), **V1}
        for p, u in (("ana", ana), ("luis", luis), ("bea", bea), ("cleo", cleo), ("pat", pat))
    }
    return {"ana": ana, "luis": luis, "bea": bea, "cleo": cleo, "pat": pat}, headers


def ids(answer) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {s["id"] for s in answer.json()["statements"]}


async def test_a_worker_writes_and_reads_only_statements_about_herself(client, conn):
    who, h = await people(conn)
    by_account = said({"account": {"homePage": BASE, "name": str(who["ana"].id)}})
    by_email = said({"mbox": "mailto:ana@example.org"})
    by_hash = said({"mbox_sha1sum": hashlib.sha1(b"mailto:ana@example.org").hexdigest()})
    assert (
        await client.post("/xapi/statements", json=[by_account, by_email, by_hash], headers=h["ana"])
    ).status_code == 200
    luis_own = said({"mbox": "mailto:luis@example.org"})
    assert (await client.post("/xapi/statements", json=luis_own, headers=h["luis"])).status_code == 200

    refused = await client.post("/xapi/statements", json=said({"mbox": "mailto:luis@example.org"}), headers=h["ana"])
    assert refused.status_code == 400 and "yourself" in refused.json()["detail"]
    assert ids(await client.get("/xapi/statements", headers=h["ana"])) == {
        by_account["id"],
        by_email["id"],
        by_hash["id"],
    }
    assert (
        await client.get("/xapi/statements", params={"statementId": luis_own["id"]}, headers=h["ana"])
    ).status_code == 404
    # Her statements sent by email are hers too: stored against her account.
    assert {
        r["user_id"]
        for r in await conn.fetch(
            "SELECT user_id FROM statements WHERE id = ANY($1::uuid[])",
            [uuid.UUID(by_email["id"]), uuid.UUID(by_hash["id"])],
        )
    } == {who["ana"].id}


async def test_admins_read_by_scope_and_lrs_credentials_by_their_grant(client, conn):
    who, h = await people(conn)
    sent = {}
    for name in ("ana", "luis", "bea"):
        st = said({"mbox": f"mailto:{name}@example.org"})
        assert (await client.post("/xapi/statements", json=st, headers=h[name])).status_code == 200
        sent[name] = st["id"]
    assert ids(await client.get("/xapi/statements", headers=h["cleo"])) == {
        sent["ana"],
        sent["luis"],
    }  # her clinic only
    assert ids(await client.get("/xapi/statements", headers=h["pat"])) >= set(sent.values())
    refused = await client.get("/xapi/statements", params={"statementId": sent["bea"]}, headers=h["cleo"])
    assert refused.status_code == 404

    # Only program admins make LRS credentials; each is scoped to read and/or write.
    for name in ("ana", "cleo"):
        answer = await client.post("/api/v1/lrs/clients", json={"name": "x"}, headers=h[name])
        assert answer.status_code == 403
    made = await client.post("/api/v1/lrs/clients", json={"name": "Storyline", "can_read": False}, headers=h["pat"])
    assert made.status_code == 201
    writer = made.json()
    outsider = said({"mbox": "mailto:someone.else@example.com"})
    assert (
        await client.post("/xapi/statements", json=outsider, headers=basic(writer["key"], writer["secret"]))
    ).status_code == 200
    assert (await client.get("/xapi/statements", headers=basic(writer["key"], writer["secret"]))).status_code == 403
    reader = await clients.create_client(conn, name="Reports", can_read=True, can_write=False, created_by=who["pat"].id)
    seen = await client.get(
        "/xapi/statements",
        params={"agent": '{"mbox": "mailto:someone.else@example.com"}'},
        headers=basic(reader.key, reader.secret),
    )
    assert ids(seen) == {outsider["id"]}
    assert seen.json()["statements"][0]["authority"]["account"]["name"] == writer["key"]  # the LRS says who sent it
    assert (
        await client.post(
            "/xapi/statements", json=said({"mbox": "mailto:x@example.com"}), headers=basic(reader.key, reader.secret)
        )
    ).status_code == 403
    assert (await client.get("/xapi/statements", headers=basic(reader.key, "wrong"))).status_code == 401
    assert (await client.delete(f"/api/v1/lrs/clients/{writer['id']}", headers=h["pat"])).status_code == 204
    assert (
        await client.post(
            "/xapi/statements",
            json=said({"mbox": "mailto:x@example.com"}),
            headers=basic(writer["key"], writer["secret"]),
        )
    ).status_code == 401
    # A worker reads nothing the outside tool wrote about someone else.
    assert outsider["id"] not in ids(await client.get("/xapi/statements", headers=h["ana"]))


async def test_an_lrs_client_writing_about_a_worker_by_email_or_account_reaches_her_clinic(client, conn):
    """The store finds the worker a statement is about (her email as mbox, her account here) by index lookups: her
    clinic admin reads what an outside tool wrote about her, and nothing about people unknown here."""
    who, h = await people(conn)
    writer = await clients.create_client(
        conn, name="Storyline", can_read=False, can_write=True, created_by=who["pat"].id
    )
    by_email = said({"mbox": "mailto:ana@example.org"})
    by_account = said({"account": {"homePage": BASE, "name": str(who["luis"].id)}})
    unknown = said({"mbox": "mailto:nobody@example.com"})
    sent = await client.post(
        "/xapi/statements", json=[by_email, by_account, unknown], headers=basic(writer.key, writer.secret)
    )
    assert sent.status_code == 200, sent.text
    assert ids(await client.get("/xapi/statements", headers=h["cleo"])) == {by_email["id"], by_account["id"]}
    assert ids(await client.get("/xapi/statements", headers=h["ana"])) == {by_email["id"]}


async def test_documents_follow_the_same_rules_with_etags(client, conn):
    _, h = await people(conn)
    ana = '{"mbox": "mailto:ana@example.org"}'
    where = {"activityId": "http://content.example.org/course", "agent": ana, "stateId": "resume"}
    put = await client.put("/xapi/activities/state", params=where, json={"slide": 4}, headers=h["ana"])
    assert put.status_code == 204
    merged = await client.post("/xapi/activities/state", params=where, json={"score": 7}, headers=h["ana"])
    assert merged.status_code == 204
    got = await client.get("/xapi/activities/state", params=where, headers=h["ana"])
    assert got.json() == {"slide": 4, "score": 7} and got.headers["etag"].startswith('"')
    stale = await client.put(
        "/xapi/activities/state", params=where, json={}, headers={**h["ana"], "If-Match": '"0000"'}
    )
    assert stale.status_code == 412
    luis_reads = await client.get("/xapi/activities/state", params=where, headers=h["luis"])
    assert luis_reads.status_code == 404
    luis_writes = await client.put("/xapi/activities/state", params=where, json={"slide": 1}, headers=h["luis"])
    assert luis_writes.status_code == 403
    assert (await client.get("/xapi/activities/state", params=where, headers=h["cleo"])).json() == {
        "slide": 4,
        "score": 7,
    }
    assert (await client.get("/xapi/activities/state", params=where, headers=h["bea"])).status_code == 404


async def test_content_on_another_origin_and_every_version_can_call(client, conn):
    _, h = await people(conn)
    preflight = await client.options(
        "/xapi/statements",
        headers={
            "Origin": "https://media.example-cdn.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version",
        },
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "X-Experience-API-Version" in preflight.headers["access-control-allow-headers"]
    for version, answered in (("1.0.3", "1.0.3"), ("1.0.1", "1.0.3"), ("2.0.0", "2.0.0")):
        answer = await client.get("/xapi/statements", headers={**h["ana"], "X-Experience-API-Version": version})
        assert answer.status_code == 200 and answer.headers["x-experience-api-version"] == answered
        assert "x-experience-api-consistent-through" in answer.headers
    assert (
        await client.get("/xapi/statements", headers={**h["ana"], "X-Experience-API-Version": "0.95"})
    ).status_code == 400
    head = await client.head("/xapi/statements", headers=h["ana"])
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"] == "application/json"
    about = await client.get("/xapi/about")
    assert about.json()["version"] == ["1.0.3", "2.0.0"]


async def test_a_program_admin_makes_a_credential_on_the_web_page_and_it_works(client, conn):
    await make_user(conn, "pat@example.org", "program_admin")
    assert (await sign_in(client, "pat@example.org")).status_code == 303
    page = await client.get("/admin/lrs-clients")
    assert page.status_code == 200 and "/xapi/" in page.text
    made = await client.post(
        "/admin/lrs-clients",
        data={"name": "Storyline", "can_read": "on", "can_write": "on", "_csrf_token": csrf_from(page.text)},
    )
    assert made.status_code == 200
    key = re.search(r'id="new-key">([^<]+)<', made.text).group(1)
    secret = re.search(r'id="new-secret">([^<]+)<', made.text).group(1)
    assert (
        await client.post("/xapi/statements", json=said({"mbox": "mailto:x@example.com"}), headers=basic(key, secret))
    ).status_code == 200
    assert secret not in (await client.get("/admin/lrs-clients")).text  # shown once
    assert (
        await conn.fetchval(
            "SELECT count(*) FROM lrs_clients WHERE key = $1 AND secret_hash <> $2::bytea", key, secret.encode()
        )
        == 1
    )
