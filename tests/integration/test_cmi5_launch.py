"""cmi5 launches end to end over HTTP: a worker starts the AUs of her course, the "AU" (this test, speaking the
protocol as content would) fetches its token once, reads LMS.LaunchData and her preferences, sends its statements;
the LMS refuses what cmi5 forbids, says launched/satisfied/abandoned/waived itself, and the course completes with a
certificate. Outside launches (another system's learner) and waiving go through the program admin's API."""

from __future__ import annotations

import base64
import contextlib
import html
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

from lms.db.pool import create_pool
from lms.packages.cmi5.service import abandon_stale
from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.package_zips import au_iri, cmi5_zip

CODE = "CMI5-101"
ADL = "http://adlnet.gov/expapi/verbs/"
W3ID = "https://w3id.org/xapi/adl/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
XAPI = {"X-Experience-API-Version": "1.0.3"}


async def published_course(client, conn) -> dict[str, str]:
    """An instructor's course with one cmi5 package of two AUs (moveOn CompletedOrPassed, mastery 0.8), published."""
    owner = await make_user(conn, "maria@example.org", "instructor")
    headers = await token_for(conn, owner.id)
    draft = {
        "code": CODE,
        "track": "MA",
        "languages": ["en", "es"],
        "title": {"en": "Hand hygiene", "es": "Higiene"},
        "summary": {"en": "Clean hands.", "es": "Manos limpias."},
        "modules": [{"key": "hygiene", "title": {"en": "Hygiene", "es": "Higiene"}, "activities": []}],
    }
    assert (await client.put(f"/api/v1/authoring/courses/{CODE}/draft", json=draft, headers=headers)).status_code == 200
    for language in ("en", "es"):
        package = await client.post(
            f"/api/v1/courses/{CODE}/packages",
            headers=headers,
            data={"language": language},
            files={"file": ("hygiene.zip", cmi5_zip(2, lang=language), "application/zip")},
        )
        assert package.status_code == 201, package.text
        attached = await client.post(
            f"/api/v1/courses/{CODE}/packages/{package.json()['id']}/activities",
            headers=headers,
            json={"module": "hygiene", "minutes": {au_iri(1): 15, au_iri(2): 20}},
        )
        assert attached.status_code == 200, attached.text
    published = await client.post(f"/api/v1/authoring/courses/{CODE}/publish", headers=headers)
    assert published.status_code in (200, 201), published.text
    return headers


@contextlib.asynccontextmanager
async def without_cookies(client) -> AsyncIterator[None]:
    """The AU runs on the content origin: the worker's cookies for the service never go with its requests."""
    saved = list(client.cookies.jar)
    client.cookies.clear()
    try:
        yield
    finally:
        for cookie in saved:
            client.cookies.jar.set_cookie(cookie)


class Au:
    """What an AU does with its launch URL (cmi5 §8, §10, §11), through the test client without the worker's cookies."""

    def __init__(self, client, url: str) -> None:
        self.client, self.url = client, url
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        self.query = query
        self.actor = msgspec.json.decode(query["actor"])
        self.registration, self.activity_id = query["registration"], query["activityId"]
        self.auth: dict[str, str] = {}
        self.launch_data: dict[str, Any] = {}

    async def start(self) -> dict[str, Any]:
        async with without_cookies(self.client):
            return await self._start()

    async def _start(self) -> dict[str, Any]:
        fetched = await self.client.post(urlsplit(self.query["fetch"]).path)
        assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("application/json")
        self.auth = {**XAPI, "Authorization": "Basic " + fetched.json()["auth-token"]}
        again = await self.client.post(urlsplit(self.query["fetch"]).path)
        assert again.status_code == 200 and "auth-token" not in again.json() and again.json()["error-code"] == "1"
        state = await self.client.get(
            "/xapi/activities/state",
            headers=self.auth,
            params={
                "stateId": "LMS.LaunchData",
                "activityId": self.activity_id,
                "agent": self.query["actor"],
                "registration": self.registration,
            },
        )
        assert state.status_code == 200, state.text
        self.launch_data = state.json()
        prefs = await self.client.get(
            "/xapi/agents/profile",
            headers=self.auth,
            params={"profileId": "cmi5LearnerPreferences", "agent": self.query["actor"]},
        )
        assert prefs.status_code == 200, prefs.text
        return prefs.json()

    def statement(self, verb: str, result: dict[str, Any] | None = None) -> dict[str, Any]:
        context = msgspec.json.decode(msgspec.json.encode(self.launch_data["contextTemplate"]))
        context["registration"] = self.registration
        context.setdefault("contextActivities", {})["category"] = [{"id": CMI5}] + (
            [{"id": MOVEON}] if verb in ("completed", "passed", "failed") else []
        )
        if verb in ("passed", "failed"):
            context["extensions"][MASTERY] = self.launch_data["masteryScore"]
        st = {
            "id": str(uuid.uuid4()),
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "actor": self.actor,
            "verb": {"id": ADL + verb},
            "object": {"id": self.activity_id},
            "context": context,
        }
        if result is not None:
            st["result"] = result
        return st

    async def send(self, statement: dict[str, Any]) -> int:
        async with without_cookies(self.client):
            sent = await self.client.put(
                "/xapi/statements", params={"statementId": statement["id"]}, json=statement, headers=self.auth
            )
        return sent.status_code


async def launch_page(client, key: str, lang: str = "es") -> str:
    page = await client.get(f"/courses/{CODE}/v/1/{key}")
    assert page.status_code == 200, page.text
    started = await client.post(
        f"/learn/{CODE}/v/1/{key}/cmi5", data={"_csrf_token": csrf_from(page.text), "lang": lang}
    )
    assert started.status_code == 200, started.text
    found = re.search(r'<iframe[^>]*\ssrc="([^"]+)"', started.text)
    assert found, started.text
    return html.unescape(found.group(1))


async def statements_of(client, admin: dict[str, str], registration: str) -> list[dict[str, Any]]:
    found = await client.get(
        "/xapi/statements", headers={**admin, **XAPI}, params={"registration": registration, "ascending": "true"}
    )
    assert found.status_code == 200, found.text
    return found.json()["statements"]


async def test_a_worker_takes_both_aus_and_her_course_completes_with_a_certificate(client, conn, settings):
    await published_course(client, conn)
    await make_clinic(conn, "clinica-romero")
    worker = await make_user(conn, "lupe@example.org", "worker", clinic="clinica-romero", language="es")
    admin = await token_for(conn, (await make_user(conn, "pa@example.org", "program_admin")).id)
    assert (
        await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id))
    ).status_code == 201
    keys = [r["key"] for r in await conn.fetch("SELECT key FROM version_activities ORDER BY position")]
    await sign_in(client, "lupe@example.org")

    first = Au(client, await launch_page(client, keys[0]))
    assert first.actor == {
        "objectType": "Agent",
        "account": {"homePage": settings.public_base_url, "name": str(worker.id)},
    }
    assert urlsplit(first.url).netloc != urlsplit(settings.public_base_url).netloc  # the content origin
    assert first.activity_id != au_iri(1)
    prefs = await first.start()
    assert prefs == {"languagePreference": "es", "audioPreference": "on"}
    data = first.launch_data
    assert data["launchMode"] == "Normal" and data["moveOn"] == "CompletedOrPassed" and data["masteryScore"] == 0.8
    assert data["entitlementKey"] == {"courseStructure": "key-1"} and data["launchParameters"] == '{"part": 1}'
    assert data["returnURL"] == settings.content_origin_url + "/content/cmi5/return"  # tells the player she is done
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [{"id": au_iri(1)}]

    assert await first.send(first.statement("initialized")) == 204
    assert (
        await first.send(first.statement("completed", {"completion": True, "success": True, "duration": "PT1S"})) == 403
    )
    assert (
        await first.send(first.statement("passed", {"success": True, "duration": "PT1S", "score": {"scaled": 0.7}}))
        == 403
    )
    assert (
        await first.send(first.statement("passed", {"success": True, "duration": "PT9S", "score": {"scaled": 0.9}}))
        == 204
    )
    assert await first.send(first.statement("terminated", {"duration": "PT20S"})) == 204
    assert await first.send(first.statement("initialized")) == 401  # the credential ended with the session
    assert await conn.fetchval("SELECT count(*) FROM package_completions") == 1
    assert await conn.fetchval("SELECT completed_at FROM enrollments") is None

    second = Au(client, await launch_page(client, keys[1]))
    assert second.registration == first.registration  # one registration per enrolment and package
    await second.start()
    for verb, result in (
        ("initialized", None),
        ("completed", {"completion": True, "duration": "PT5S"}),
        ("terminated", {"duration": "PT6S"}),
    ):
        assert await second.send(second.statement(verb, result)) == 204

    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in await statements_of(client, admin, first.registration)]
    assert verbs == [
        "launched",
        "initialized",
        "passed",
        "terminated",
        "launched",
        "initialized",
        "completed",
        "satisfied",
        "satisfied",
        "terminated",
    ]
    said = await statements_of(client, admin, first.registration)
    block, course = said[7], said[8]
    assert block["object"]["definition"]["type"].endswith("/block") and course["object"]["definition"]["type"].endswith(
        "/course"
    )
    assert {"id": "https://example.org/courses/hand-hygiene"} in course["context"]["contextActivities"]["grouping"]
    assert block["context"]["extensions"][SESSION] == second.launch_data["contextTemplate"]["extensions"][SESSION]
    assert await conn.fetchval("SELECT completed_at FROM enrollments") is not None
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE user_id = $1", worker.id) == 1


async def test_a_session_left_open_is_abandoned_by_the_next_launch_or_after_hours(client, conn, settings):
    await published_course(client, conn)
    await make_clinic(conn, "clinica-romero")
    worker = (await make_user(conn, "lupe@example.org", "worker", clinic="clinica-romero", language="en")).id
    admin = await token_for(conn, (await make_user(conn, "pa@example.org", "program_admin")).id)
    await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker))
    key = await conn.fetchval("SELECT key FROM version_activities ORDER BY position LIMIT 1")
    await sign_in(client, "lupe@example.org")
    left = Au(client, await launch_page(client, key, "en"))
    await left.start()
    assert await left.send(left.statement("initialized")) == 204
    again = Au(client, await launch_page(client, key, "en"))  # the phone was closed: she starts again
    assert await left.send(left.statement("terminated", {"duration": "PT1S"})) == 401
    verbs = [s["verb"]["id"] for s in await statements_of(client, admin, left.registration)]
    assert verbs == [ADL + "launched", ADL + "initialized", W3ID + "abandoned", ADL + "launched"]
    abandoned = (await statements_of(client, admin, left.registration))[2]
    assert abandoned["result"]["duration"].startswith("PT") and abandoned["object"]["id"] == left.activity_id

    pool = await create_pool(settings)
    try:
        assert await abandon_stale(pool, settings, now=datetime.now(UTC) + timedelta(hours=1)) == 0
        assert await abandon_stale(pool, settings, now=datetime.now(UTC) + timedelta(hours=5)) == 1
    finally:
        await pool.close()
    client.cookies.clear()
    assert (await client.post(urlsplit(again.query["fetch"]).path)).json()["error-code"] == "1"


async def test_program_admins_launch_for_outside_learners_and_waive(client, conn):
    await published_course(client, conn)
    admin = await token_for(conn, (await make_user(conn, "pa@example.org", "program_admin")).id)
    package_id = await conn.fetchval("SELECT id FROM packages WHERE language = 'en'")
    outside = {"account": {"homePage": "https://other.example.org", "name": "learner-7"}}
    launched = await client.post(
        f"/api/v1/cmi5/packages/{package_id}/launches",
        headers=admin,
        json={"au": 0, "actor": outside, "launch_mode": "Browse"},
    )
    assert launched.status_code == 201, launched.text
    au = Au(client, launched.json()["url"])
    await au.start()
    assert au.launch_data["launchMode"] == "Browse"
    assert await au.send(au.statement("initialized")) == 204
    assert await au.send(au.statement("completed", {"completion": True, "duration": "PT1S"})) == 403  # browsing
    ours = {"account": {"homePage": "http://127.0.0.1:8000", "name": str(uuid.uuid4())}}
    refused = await client.post(
        f"/api/v1/cmi5/packages/{package_id}/launches", headers=admin, json={"au": 0, "actor": ours}
    )
    assert refused.status_code == 400 and "actor" in refused.text
    await make_clinic(conn, "clinica-romero")
    worker = await token_for(conn, (await make_user(conn, "w@example.org", "worker", clinic="clinica-romero")).id)
    assert (
        await client.post(
            f"/api/v1/cmi5/packages/{package_id}/launches", headers=worker, json={"au": 0, "actor": outside}
        )
    ).status_code == 403

    for index in (0, 1):
        waived = await client.post(
            f"/api/v1/cmi5/registrations/{au.registration}/waive",
            headers=admin,
            json={"au": index, "reason": "Administrative"},
        )
        assert waived.status_code == 204, waived.text
    said = await statements_of(client, admin, au.registration)
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in said] == [
        "launched",
        "initialized",
        "waived",
        "waived",
        "satisfied",
        "satisfied",
    ]
    assert said[2]["result"]["extensions"]["https://w3id.org/xapi/cmi5/result/extensions/reason"] == "Administrative"
    assert said[2]["actor"]["account"] == outside["account"]
    again = await client.post(
        f"/api/v1/cmi5/registrations/{au.registration}/waive", headers=admin, json={"au": 0, "reason": "Tested Out"}
    )
    assert again.status_code == 409
    assert base64.b64decode(au.auth["Authorization"].split()[1]).startswith(b"au_")
