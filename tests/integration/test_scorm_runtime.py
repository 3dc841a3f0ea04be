"""SCORM launches and commits through the real app: a worker starts a SCO (service origin, her session), its launch page
and commits live on the content origin with the launch's token only; CMI data is kept per attempt and comes back on
resume; status changes become statements in the LRS; passing both SCOs completes the course and issues a certificate.
Bad commits are refused naming the problem, and change nothing."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.helpers import csrf_from, make_clinic, make_user, sign_in, token_for
from tests.scorm_scos import UNIT_12, UNIT_2004, publish_scorm_course

CODE = "SCO-101"
TOKEN = re.compile(r"/content/scorm/([A-Za-z0-9_-]{43})")
VERBS = "http://adlnet.gov/expapi/verbs/"


async def enrolled_worker(client, conn, *, email: str = "lupe@example.org") -> Any:
    await make_clinic(conn, "clinica-romero")
    worker = await make_user(conn, email, "worker", clinic="clinica-romero", language="es", name="Lupe Ortiz")
    enrolled = await client.post("/api/v1/enrollments", json={"code": CODE}, headers=await token_for(conn, worker.id))
    assert enrolled.status_code == 201, enrolled.text
    return worker


async def launch(client, key: str) -> tuple[str, str]:
    """Her Start button: the player page, and the launch token in its frame's URL."""
    page = await client.get(f"/courses/{CODE}/v/1/{key}")
    assert page.status_code == 200, page.text
    started = await client.post(
        f"/learn/{CODE}/v/1/{key}/scorm", data={"lang": "es", "_csrf_token": csrf_from(page.text)}
    )
    assert started.status_code == 200, started.text
    found = TOKEN.search(started.text)
    assert found, started.text
    return found.group(1), started.text


async def launch_config(client, settings, token: str) -> dict[str, Any]:
    page = await client.get(f"{settings.content_origin_url}/content/scorm/{token}")
    assert page.status_code == 200, page.text
    assert "set-cookie" not in page.headers
    ancestors = re.search(r"frame-ancestors ([^;]*)", page.headers["content-security-policy"]).group(1).split()
    assert settings.public_base_url in ancestors and "*" not in ancestors  # only the service's player frames it
    found = re.search(r'<script type="application/json" id="scorm-launch">(.*?)</script>', page.text, re.S)
    assert found
    return json.loads(found.group(1))


async def commit(client, settings, token: str, cmi: dict[str, Any], *, terminate: bool = False) -> Any:
    body = {**cmi, **({"lms_terminated": True} if terminate else {})}
    return await client.post(f"{settings.content_origin_url}/content/scorm/{token}/commit", json=body)


async def verbs_of(conn, user_id) -> list[str]:
    rows = await conn.fetch("SELECT verb FROM statements WHERE user_id = $1 ORDER BY timestamp", user_id)
    return [r["verb"].removeprefix(VERBS) for r in rows]


async def test_suspend_resume_pass_both_scos_and_the_course_is_complete(client, conn, settings):
    keys = await publish_scorm_course(client, conn, CODE)
    worker = await enrolled_worker(client, conn)
    assert (await sign_in(client, "lupe@example.org")).status_code in (302, 303)

    # SCORM 1.2: first launch, from the start, as her (an opaque id, not her email)
    token, player = await launch(client, keys[UNIT_12])
    assert f'href="/courses/{CODE}/v/1/{keys[UNIT_12]}"' in player  # the way back to the course
    config = await launch_config(client, settings, token)
    assert config["format"] == "scorm12" and config["commit_url"] == f"/content/scorm/{token}/commit"
    assert config["cmi"]["cmi.core.entry"] == "ab-initio" and config["cmi"]["cmi.core.student_id"] == str(worker.id)
    assert config["cmi"]["cmi.student_data.mastery_score"] == "80"
    assert config["sco_url"].startswith(f"{settings.content_origin_url}/content/") and config["sco_url"].endswith(
        "/sco/index.html"
    )
    # the launch page is on the content origin only; so is the runtime it loads (scorm-again as npm installed it)
    assert (await client.get(f"/content/scorm/{token}")).status_code == 404
    runtime = await client.get(f"{settings.content_origin_url}/content/scorm-runtime/scorm-again.min.js")
    assert runtime.status_code == 200 and runtime.headers["content-type"].startswith("text/javascript")
    assert b"Scorm12API" in runtime.content and b"Scorm2004API" in runtime.content
    assert (await client.get(f"{settings.content_origin_url}/content/scorm-runtime/package.json")).status_code == 404

    progress = {
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.lesson_location": "page-2",
        "cmi.suspend_data": "answers=b,c",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "00:02:30",
        "cmi.objectives": {},
        "cmi.interactions": {},
    }  # scorm-again sends its empty collections too
    answered = await commit(client, settings, token, progress)
    assert answered.status_code == 200 and answered.json() == {"result": True, "errorCode": 0}
    assert (
        await commit(client, settings, token, {**progress, "cmi.core.total_time": "0000:02:30.00"}, terminate=True)
    ).status_code == 200
    # a launch takes nothing after its Terminate
    late = await commit(client, settings, token, {"cmi.core.lesson_status": "passed"})
    assert late.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM package_completions") == 0

    # resumed: same attempt, her place and data back
    token, _ = await launch(client, keys[UNIT_12])
    config = await launch_config(client, settings, token)
    assert config["cmi"]["cmi.core.entry"] == "resume"
    assert config["cmi"]["cmi.suspend_data"] == "answers=b,c" and config["cmi"]["cmi.core.lesson_location"] == "page-2"
    assert config["cmi"]["cmi.core.total_time"] == "0000:02:30.00"
    finished = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "90",
        "cmi.core.exit": "",
        "cmi.core.session_time": "00:01:15",
    }
    assert (await commit(client, settings, token, finished, terminate=True)).status_code == 200
    attempts = await conn.fetch("SELECT number, completion, success, exit FROM scorm_attempts ORDER BY number")
    assert [tuple(a) for a in attempts] == [(1, "completed", "passed", "")]
    assert await conn.fetchval("SELECT completed_at FROM enrollments WHERE user_id = $1", worker.id) is None

    # SCORM 2004 passes: the course is complete, with its certificate
    token, _ = await launch(client, keys[UNIT_2004])
    config = await launch_config(client, settings, token)
    assert config["format"] == "scorm2004" and config["cmi"]["cmi.entry"] == "ab-initio"
    assert config["cmi"]["cmi.scaled_passing_score"] == "0.7" and config["cmi"]["cmi.learner_id"] == str(worker.id)
    passed = {
        "cmi.completion_status": "completed",
        "cmi.success_status": "passed",
        "cmi.score.scaled": "0.9",
        "cmi.score.raw": "9",
        "cmi.score.min": "0",
        "cmi.score.max": "10",
        "cmi.exit": "normal",
        "cmi.session_time": "PT1M15S",
    }
    assert (await commit(client, settings, token, passed, terminate=True)).status_code == 200
    assert await conn.fetchval("SELECT count(*) FROM package_completions") == 2
    assert await conn.fetchval("SELECT completed_at FROM enrollments WHERE user_id = $1", worker.id) is not None
    assert await conn.fetchval("SELECT count(*) FROM certificates WHERE user_id = $1", worker.id) == 1

    verbs = await verbs_of(conn, worker.id)
    assert verbs[:4] == ["attempted", "initialized", "suspended", "resumed"]
    assert verbs.count("passed") == 2 and verbs.count("terminated") == 2 and "failed" not in verbs
    scores = await conn.fetch(
        "SELECT raw -> 'result' -> 'score' AS score FROM statements WHERE user_id = $1 AND verb = $2",
        worker.id,
        VERBS + "passed",
    )
    assert sorted(r["score"]["raw"] for r in scores) == [9, 90]
    assert {"scaled": 0.9, "raw": 9, "min": 0, "max": 10} in [r["score"] for r in scores]
    registrations = await conn.fetch("SELECT DISTINCT registration FROM statements WHERE user_id = $1", worker.id)
    enrollment_id = await conn.fetchval("SELECT id FROM enrollments WHERE user_id = $1", worker.id)
    assert [r["registration"] for r in registrations] == [enrollment_id]

    # SCORM 2004 after a normal exit: the next launch is a new attempt, from the start
    token, _ = await launch(client, keys[UNIT_2004])
    assert (await launch_config(client, settings, token))["cmi"]["cmi.entry"] == "ab-initio"
    assert await conn.fetchval("SELECT max(number) FROM scorm_attempts WHERE unit_id = $1", UNIT_2004) == 2
    # launched again (another tab, a reload): the earlier launch takes no more commits
    newer, _ = await launch(client, keys[UNIT_2004])
    assert (await commit(client, settings, token, {"cmi.location": "old tab"})).status_code == 409
    assert (await commit(client, settings, newer, {"cmi.location": "p1"})).status_code == 200


async def test_bad_commits_are_refused_and_change_nothing(client, conn, settings):
    keys = await publish_scorm_course(client, conn, CODE)
    await enrolled_worker(client, conn)
    await sign_in(client, "lupe@example.org")
    token, _ = await launch(client, keys[UNIT_12])
    url = f"{settings.content_origin_url}/content/scorm/{token}/commit"
    before = await conn.fetchval("SELECT cmi FROM scorm_attempts")

    not_json = await client.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and "JSON object of CMI elements" in not_json.text
    assert (await client.post(url, json=["cmi.core.lesson_status", "passed"])).status_code == 400
    stranger = await client.post(url, json={"cmi.core.lesson_status": "passed", "favourite_colour": "red"})
    assert stranger.status_code == 400 and "favourite_colour" in stranger.text
    nested = await client.post(url, json={"cmi.core.lesson_status": {"x": 1}})
    assert nested.status_code == 400 and "cmi.core.lesson_status" in nested.text
    # a guessed or altered token is no launch; the app's own host does not take commits
    assert (
        await client.post(
            url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")),
            json={"cmi.core.lesson_status": "passed"},
        )
    ).status_code == 404
    assert (
        await client.post(f"/content/scorm/{token}/commit", json={"cmi.core.lesson_status": "passed"})
    ).status_code == 404

    assert await conn.fetchval("SELECT cmi FROM scorm_attempts") == before
    assert await conn.fetchval("SELECT count(*) FROM package_completions") == 0
    assert await conn.fetchval("SELECT count(*) FROM statements WHERE verb = $1", VERBS + "passed") == 0


async def test_only_her_enrolment_launches(client, conn, settings):
    keys = await publish_scorm_course(client, conn, CODE)
    await make_clinic(conn, "clinica-romero")
    await make_user(conn, "sol@example.org", "worker", clinic="clinica-romero")
    await sign_in(client, "sol@example.org")  # not enrolled
    page = await client.get(f"/courses/{CODE}/v/1/{keys[UNIT_12]}")
    refused = await client.post(f"/learn/{CODE}/v/1/{keys[UNIT_12]}/scorm", data={"_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403
    assert await conn.fetchval("SELECT count(*) FROM scorm_attempts") == 0
    bad_lang = await client.post(
        f"/learn/{CODE}/v/1/{keys[UNIT_12]}/scorm", data={"lang": "<script>", "_csrf_token": csrf_from(page.text)}
    )
    assert bad_lang.status_code == 400
