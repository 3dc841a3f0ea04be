"""Faults injected into real servers, and what must survive them:
- PostgreSQL stopped and started again under load: every batch of statements the service acknowledged (2xx) is in the
  database afterwards, requests during the outage answer 503 (never 500), and the same app recovers without a restart;
- the object store down: uploads answer 503 with a clear message while lesson pages still render, and uploads work
  again once the store is back;
- a slow database (a table held locked): requests answer 503 within the configured timeout instead of hanging;
- a replica killed mid-request: the client retries the same statement ids on the other replica, and everything is
  stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import anyio
import asyncpg
import httpx
from litestar.testing import AsyncTestClient

from lms.app import create_app
from lms.db.migrate import migrate
from lms.db.pool import init_connection
from lms.embedded.ports import free_port
from tests.conftest import COURSES_DIR
from tests.helpers import make_clinic, make_owner, make_user, publish_folder, sign_in, token_for
from tests.integration.test_learning_xapi import statement

XAPI = {"X-Experience-API-Version": "1.0.3"}
COURSE = "DA-IC-101"


async def learner(conn) -> tuple[dict[str, str], uuid.UUID, uuid.UUID]:
    """A published course, a worker enrolled in it, and the worker's API token headers."""
    published = await publish_folder(conn, COURSES_DIR / COURSE)
    await make_clinic(conn, "clinic-a")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="clinic-a", language="es", name="Ana Pérez")
    enrollment = await conn.fetchval(
        "INSERT INTO enrollments (user_id, version_id, clinic_id) VALUES ($1, $2, $3) RETURNING id",
        worker.id,
        published.version_id,
        worker.clinic_id,
    )
    return {**await token_for(conn, worker.id), **XAPI}, worker.id, enrollment


def batch_of(user_id, enrollment, size: int) -> list[dict]:
    return [statement(user_id, key="hand-hygiene", verb="progressed", registration=enrollment) for _ in range(size)]


# ---------------------------------------------------------------- PostgreSQL restarted under load


async def test_postgres_restarted_under_load_loses_no_acknowledged_statement(servers, tmp_path):
    from lms.embedded.postgres import EmbeddedPostgres

    pg = EmbeddedPostgres(tmp_path / "restart", free_port())
    await anyio.to_thread.run_sync(pg.start)
    try:
        conn = await asyncpg.connect(pg.url)
        await init_connection(conn)
        await migrate(conn)
        headers, user_id, enrollment = await learner(conn)
        await conn.close()

        settings = servers.replace(database_url=pg.url, database_timeout=2.0, database_pool_min=1, database_pool_max=4)
        acknowledged: set[str] = set()
        unanswered: list[list[dict]] = []
        statuses: Counter[str] = Counter()
        phase = {"now": "before"}
        after_restart = Counter()
        stop = asyncio.Event()

        async with AsyncTestClient(app=create_app(settings), base_url="http://testserver.local") as client:

            async def sender() -> None:
                while not stop.is_set():
                    batch = batch_of(user_id, enrollment, 5)
                    answer = await client.post("/xapi/statements", json=batch, headers=headers)
                    statuses[f"{phase['now']} {answer.status_code}"] += 1
                    if answer.status_code == 200:
                        assert answer.json() == [s["id"] for s in batch]
                        acknowledged.update(answer.json())
                        after_restart[phase["now"]] += 1
                    else:
                        assert answer.status_code == 503, answer.text  # never a 500
                        assert "database" in answer.json()["detail"].lower()
                        unanswered.append(batch)
                    await asyncio.sleep(0.005)

            senders = [asyncio.create_task(sender()) for _ in range(4)]
            await asyncio.sleep(1.5)
            phase["now"] = "stopping"
            await anyio.to_thread.run_sync(pg.stop)
            phase["now"] = "down"
            await asyncio.sleep(1.0)
            phase["now"] = "starting"
            await anyio.to_thread.run_sync(pg.start)
            phase["now"] = "after"
            deadline = time.monotonic() + 60  # generous: a loaded 2-core CI machine reconnects slowly
            while after_restart["after"] < 20 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            stop.set()
            await asyncio.gather(*senders)
            assert after_restart["after"] >= 20, f"the service did not recover without a restart: {dict(statuses)}"

            # The client sends what was not acknowledged again, with the same ids.
            for batch in unanswered:
                again = await client.post("/xapi/statements", json=batch, headers=headers)
                assert again.status_code == 200, again.text
                acknowledged.update(again.json())

        conn = await asyncpg.connect(pg.url)
        try:
            stored = {str(r["id"]) for r in await conn.fetch("SELECT id FROM statements WHERE user_id = $1", user_id)}
        finally:
            await conn.close()
        assert acknowledged <= stored, f"{len(acknowledged - stored)} acknowledged statements were lost"
        assert len(stored) == len(acknowledged)
        assert sum(v for k, v in statuses.items() if k.endswith(" 503")) > 0, (
            f"the outage was never seen: {dict(statuses)}"
        )
        print(f"\nrestart under load: {len(acknowledged)} statements acknowledged and stored; answers {dict(statuses)}")
    finally:
        await anyio.to_thread.run_sync(pg.stop)


# ---------------------------------------------------------------- the object store down


async def test_object_store_down_uploads_answer_503_while_lessons_render_and_then_recover(servers, settings, conn):
    from urllib.parse import urlsplit

    from tests.integration.fault_proxy import FaultyProxy
    from tests.integration.test_media import png

    await publish_folder(conn, COURSES_DIR / COURSE)
    await make_clinic(conn, "clinic-a")
    await make_user(conn, "luz@example.org", "worker", clinic="clinic-a", language="es")
    maria = await make_user(conn, "maria@example.org", "instructor")
    await make_owner(conn, COURSE, maria.id)
    teacher = await token_for(conn, maria.id)
    store_port = urlsplit(servers.s3_endpoint_url).port
    ask = {"filename": "steps.png", "content_type": "image/png", "size": 100, "kind": "image"}

    with FaultyProxy(store_port) as proxy:
        app = create_app(settings.replace(s3_endpoint_url=proxy.url))
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:

            async def upload() -> httpx.Response:
                asked = await client.post(f"/api/v1/courses/{COURSE}/media/uploads", headers=teacher, json=ask)
                if asked.status_code != 201:
                    return asked
                ticket = asked.json()
                async with httpx.AsyncClient() as browser:
                    sent = await browser.post(
                        ticket["post"]["url"],
                        data=ticket["post"]["fields"],
                        files={"file": ("steps.png", png(), "image/png")},
                    )
                    assert sent.status_code in (200, 204), sent.text
                return await client.post(ticket["complete_url"], headers=teacher, json={})

            assert (await upload()).status_code == 200

            proxy.set("down")
            started = time.monotonic()
            refused = await client.post(f"/api/v1/courses/{COURSE}/media/uploads", headers=teacher, json=ask)
            assert refused.status_code == 503, refused.text
            assert "media store cannot be reached" in refused.json()["detail"] and time.monotonic() - started < 15
            multipart = await client.post(
                f"/api/v1/courses/{COURSE}/media/uploads", headers=teacher, json={**ask, "multipart": True}
            )
            assert multipart.status_code == 503
            await sign_in(client, "luz@example.org")
            lesson = await client.get(f"/courses/{COURSE}/v/1/hand-hygiene")
            assert lesson.status_code == 200 and "<h1" in lesson.text
            assert (await client.get("/")).status_code == 200 and (await client.get("/my")).status_code == 200
            client.cookies.clear()

            proxy.set("pass")  # the store is back: the same process uploads again
            assert (await upload()).status_code == 200
        assert proxy.stats["refused"] >= 2


# ---------------------------------------------------------------- a slow database


async def test_a_slow_database_answers_503_within_the_timeout_instead_of_hanging(settings, conn):
    headers, user_id, enrollment = await learner(conn)
    slow = settings.replace(database_timeout=1.0, auth_cache_seconds=0)  # 0: the token lookup itself is timed too
    async with AsyncTestClient(app=create_app(slow), base_url="http://testserver.local") as client:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
        locker = await asyncpg.connect(settings.database_url)
        try:
            for table, method, url, body, accept in (
                ("statements", "POST", "/xapi/statements", batch_of(user_id, enrollment, 1), "application/json"),
                ("api_tokens", "GET", "/api/v1/me", None, "application/json"),  # the caller's token lookup itself
                ("courses", "GET", "/", None, "text/html"),  # a page: the 503 is a page too
            ):
                hold = locker.transaction()
                await hold.start()
                await locker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
                started = time.monotonic()
                answer = await client.request(method, url, headers={**headers, "accept": accept}, json=body)
                took = time.monotonic() - started
                await hold.rollback()
                assert answer.status_code == 503, (table, answer.status_code, answer.text[:300])
                assert took < 1.0 + 2.0, f"{url} took {took:.1f} s with {table} locked"
                if accept == "application/json":
                    assert "did not answer in time" in answer.json()["detail"]
                else:
                    assert (
                        "no está disponible en este momento" in answer.text
                    )  # the error page, in the worker's Spanish
        finally:
            await locker.close()
        assert (
            await client.post("/xapi/statements", json=batch_of(user_id, enrollment, 1), headers=headers)
        ).status_code == 200


# ---------------------------------------------------------------- a replica killed mid-request


def _serve(settings, port: int, data_dir: Path, log_level: str = "WARNING") -> subprocess.Popen:
    env = {
        **os.environ,
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_S3_BUCKET": settings.s3_bucket,
        "LMS_SECRET_KEY": settings.secret_key,
        "LMS_SEED_DEMO": "false",
        "LMS_DATA_DIR": str(data_dir),
        "LMS_PORT": str(port),
        "LMS_LOG_LEVEL": log_level,
        "LMS_LOG_FORMAT": "json",
        "LMS_PUBLIC_BASE_URL": settings.public_base_url,
    }
    lms = Path(sys.executable).with_name("lms")
    return subprocess.Popen(
        [str(lms), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def _wait_ready(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"lms serve exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"lms serve on {port} did not become ready")


async def test_a_replica_killed_mid_request_stores_everything_once_after_the_client_retries(settings, conn, tmp_path):
    headers, user_id, enrollment = await learner(conn)
    ports = [free_port(), free_port()]
    replicas = [_serve(settings, port, tmp_path / f"replica-{i}") for i, port in enumerate(ports)]
    try:
        for port, process in zip(ports, replicas, strict=False):
            await anyio.to_thread.run_sync(_wait_ready, port, process)

        batches = [batch_of(user_id, enrollment, 200) for _ in range(24)]
        outcome: Counter[str] = Counter()
        lock = threading.Lock()
        queue = list(range(len(batches)))
        unacknowledged: list[int] = []

        def send_to_first() -> None:
            with httpx.Client(base_url=f"http://127.0.0.1:{ports[0]}", timeout=30) as http:
                while True:
                    with lock:
                        if not queue:
                            return
                        index = queue.pop(0)
                    try:
                        answer = http.post("/xapi/statements", json=batches[index], headers=headers)
                        what = (
                            "acknowledged by replica 1"
                            if answer.status_code == 200
                            else f"answered {answer.status_code}"
                        )
                    except httpx.ConnectError:
                        what = "refused: replica 1 gone"
                    except httpx.HTTPError:
                        what = "cut off mid-request"
                    with lock:
                        outcome[what] += 1
                        if what != "acknowledged by replica 1":
                            unacknowledged.append(index)

        def kill_first_when_busy() -> None:
            while outcome["acknowledged by replica 1"] < 4:
                time.sleep(0.01)
            time.sleep(0.05)  # requests are in flight now
            os.killpg(replicas[0].pid, signal.SIGKILL)

        threads = [threading.Thread(target=send_to_first) for _ in range(3)] + [
            threading.Thread(target=kill_first_when_busy)
        ]
        for t in threads:
            t.start()
        for t in threads:
            await anyio.to_thread.run_sync(t.join, 60)
        replicas[0].wait(10)
        assert outcome["cut off mid-request"] > 0, f"the kill interrupted no request: {dict(outcome)}"

        # The client sends every batch it holds no answer for again, same ids, to the surviving replica.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports[1]}", timeout=30) as http:
            for index in unacknowledged:
                again = await http.post("/xapi/statements", json=batches[index], headers=headers)
                assert again.status_code == 200, again.text
                outcome["retried on replica 2"] += 1

        every_id = {s["id"] for batch in batches for s in batch}
        stored = await conn.fetch(
            "SELECT id::text, count(*) OVER (PARTITION BY id) AS copies FROM statements WHERE user_id = $1", user_id
        )
        assert {r["id"] for r in stored} == every_id
        assert len(stored) == len(every_id) and all(r["copies"] == 1 for r in stored)
        print(
            f"\nreplica killed: {len(every_id)} statements in {len(batches)} batches stored exactly once; {dict(outcome)}"
        )
    finally:
        for process in replicas:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            if process.stderr:
                process.stderr.close()
