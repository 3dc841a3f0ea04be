"""Operating the service: log lines, /metrics, traces, `lms config check`, and a rolling restart under load."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from prometheus_client import REGISTRY

from lms.app import create_app
from lms.cli import main
from lms.observability.metrics import inc
from tests.conftest import COURSES_DIR
from tests.helpers import PASSWORD, csrf_from, make_clinic, make_user, publish_folder, sign_in, token_for


def _lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def _requests(text: str) -> list[dict]:
    return [line for line in _lines(text) if line.get("event") == "request"]


async def _logged(capsys) -> str:
    return capsys.readouterr().err


async def test_a_request_is_one_json_line_with_its_id_echoed_back(client, capsys):
    answered = await client.get("/api/v1/courses", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})
    assert answered.status_code == 200
    assert answered.headers["x-request-id"] == "lb-7f3a9c2e-0001"
    invented = await client.get("/api/v1/courses/NOPE-101", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert invented.status_code == 404
    assert len(invented.headers["x-request-id"]) == 32 and invented.headers["x-request-id"].isalnum()
    unrouted = await client.get("/no/such/page", headers={"Accept": "application/json"})
    assert unrouted.status_code == 404 and unrouted.headers["x-request-id"]

    lines = _requests(await _logged(capsys))
    first = next(line for line in lines if line["request_id"] == "lb-7f3a9c2e-0001")
    assert first["route"] == "/api/v1/courses" and first["method"] == "GET" and first["status"] == 200
    assert first["level"] == "info" and first["latency_ms"] >= 0 and first["user_id"] is None
    second = next(line for line in lines if line["request_id"] == invented.headers["x-request-id"])
    assert second["route"] == "/api/v1/courses/{code}" and second["status"] == 404
    assert any(line["status"] == 404 and line["route"] == "(no route)" for line in lines)
    assert all("NOPE-101" not in json.dumps(line) and "/no/such/page" not in json.dumps(line) for line in lines)


async def test_no_password_token_session_email_or_name_reaches_a_log_line(client, conn, capsys):
    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "rosa.quintero@example.org", "worker", clinic="st-johns", name="Rosa Quintero")
    headers = await token_for(conn, worker.id)
    token = headers["Authorization"].removeprefix("Bearer ")

    form = await client.get("/login")
    wrong = await client.post(
        "/login",
        data={
            "email": "rosa.quintero@example.org",
            "password": "not her password at all",
            "next": "/",
            "_csrf_token": csrf_from(form.text),
        },
    )
    assert wrong.status_code == 400
    signed_in = await sign_in(client, "rosa.quintero@example.org")
    assert signed_in.status_code == 303
    session = client.cookies.get("lms_session")
    csrf = client.cookies.get("lms_csrf")
    assert session and (await client.get("/profile")).status_code == 200
    client.cookies.clear()
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    basic = await client.get("/api/v1/me", auth=("rosa", token))
    assert basic.status_code == 200
    refused = await client.get("/api/v1/me", headers={"Authorization": "Bearer lms_" + "x" * 43})
    assert refused.status_code == 401

    logged = await _logged(capsys)
    for secret in (
        PASSWORD,
        "not her password at all",
        token,
        session,
        csrf,
        "rosa.quintero@example.org",
        "Rosa Quintero",
        "Rosa",
        "lms_" + "x" * 43,
        "Bearer",
        "Authorization",
        "authorization",
    ):
        assert secret not in logged, f"{secret!r} reached the log"
    mine = [line for line in _requests(logged) if line["user_id"] == str(worker.id)]
    assert {line["route"] for line in mine} >= {"/profile", "/api/v1/me"}
    assert all(line["clinic_id"] == str(worker.clinic_id) and line["role"] == "worker" for line in mine)


async def test_publish_and_migrations_are_logged_as_events(conn, caplog, tmp_path):
    from lms.db.migrate import migrate

    caplog.set_level(logging.INFO, logger="lms.events")
    await publish_folder(conn, COURSES_DIR / "CE-HIPAA-101")
    (tmp_path / "9001_ops_probe.sql").write_text("CREATE TABLE ops_probe (id int)")
    await migrate(conn, tmp_path)
    events = {record.event: record.fields for record in caplog.records if getattr(record, "event", None)}
    assert events["course.published"]["course"] == "CE-HIPAA-101" and events["course.published"]["version"] == 1
    assert events["migration.applied"] == {"migration": "9001_ops_probe.sql", "version": 9001}


def _scraper(app, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 43210)), base_url="http://lms.internal"
    )


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_requests_per_route_and_only_allowed_clients_read_them(settings):
    app = create_app(settings)
    async with AsyncTestClient(app=app) as client:
        before = _sample(
            "lms_http_requests_total", method="GET", path="/api/v1/courses", status_code="200", app_name="lms"
        )
        assert (await client.get("/api/v1/courses")).status_code == 200
        inc("certificates_issued")
        inc("quizzes_graded", outcome="passed")
        assert (await client.get("/metrics")).status_code == 404  # the test client's address is no IP at all
        async with _scraper(app, "127.0.0.1") as local:
            scraped = await local.get("/metrics")
            forwarded = await local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        async with _scraper(app, "10.1.2.3") as outside:
            refused = await outside.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert 'lms_http_requests_total{app_name="lms",method="GET",path="/api/v1/courses",status_code="200"}' in text
    assert (
        _sample("lms_http_requests_total", method="GET", path="/api/v1/courses", status_code="200", app_name="lms")
        == before + 1
    )
    for name in (
        "lms_http_request_duration_seconds_bucket",
        "lms_db_pool_in_use",
        "lms_db_pool_waiting",
        "lms_db_pool_connections",
        "lms_statements_ingested_total",
        "lms_certificates_issued_total",
        'lms_quizzes_graded_total{outcome="passed"}',
        "lms_certificates_verified_total",
        "lms_media_uploads_accepted_total",
        "lms_media_uploads_refused_total",
        "lms_s3_errors_total",
    ):
        assert name in text, name
    assert _sample("lms_db_pool_connections") >= 1
    assert forwarded.status_code == 404 and refused.status_code == 404

    wider = create_app(settings.replace(metrics_allow="10.0.0.0/8"))
    async with AsyncTestClient(app=wider), _scraper(wider, "10.1.2.3") as inside:
        assert (await inside.get("/metrics")).status_code == 200


async def test_an_unreachable_store_counts_as_an_s3_error(settings):
    from lms.embedded.ports import free_port
    from lms.storage import Storage

    storage = Storage(settings.replace(s3_endpoint_url=f"http://127.0.0.1:{free_port()}"))
    before = _sample("lms_s3_errors_total", operation="head_bucket")
    assert await storage.ping() is False
    assert _sample("lms_s3_errors_total", operation="head_bucket") == before + 1


async def test_traces_show_the_request_and_its_database_calls(settings):
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from lms.observability.tracing import start_tracing, stop_tracing

    exporter = InMemorySpanExporter()
    start_tracing(settings, exporter=exporter)
    try:
        app = create_app(settings.replace(otlp_endpoint="http://127.0.0.1:4318"))
        async with AsyncTestClient(app=app) as client:
            assert (await client.get("/api/v1/courses")).status_code == 200
    finally:
        stop_tracing()
    spans = exporter.get_finished_spans()
    request = next(span for span in spans if span.kind.name == "SERVER")
    assert "/api/v1/courses" in request.name
    database = [
        span
        for span in spans
        if span.attributes.get("db.system") == "postgresql" or span.attributes.get("db.system.name") == "postgresql"
    ]
    assert database, [span.name for span in spans]
    assert any(span.context.trace_id == request.context.trace_id for span in database)


@pytest.fixture
def env(settings):
    return {
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_S3_ENDPOINT_URL": settings.s3_endpoint_url,
        "LMS_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
        "LMS_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key,
        "LMS_S3_BUCKET": settings.s3_bucket,
        "LMS_DATA_DIR": str(settings.data_dir),
        "LMS_SECRET_KEY": settings.secret_key,
        "LMS_SEED_DEMO": "false",
    }


def _invoke(args, env):
    return anyio.to_thread.run_sync(lambda: CliRunner().invoke(main, args, env=env, catch_exceptions=False))


async def test_config_check_reaches_the_database_and_store_and_names_what_fails(env):
    from lms.embedded.ports import free_port

    good = await _invoke(["config", "check"], env)
    assert good.exit_code == 0 and "Configuration is valid." in good.output
    closed = free_port()
    broken = await _invoke(
        ["config", "check"],
        {
            **env,
            "LMS_DATABASE_URL": f"postgresql://lms:hunter2secret@127.0.0.1:{closed}/lms",
            "LMS_S3_BUCKET": "no-such-bucket",
            "LMS_METRICS_ALLOW": "10.0.0.0/33",
        },
    )
    assert broken.exit_code == 1
    problems = broken.output.strip().splitlines()
    assert len(problems) == 3, broken.output
    assert any(line.startswith("error: LMS_DATABASE_URL: cannot connect") for line in problems)
    assert any(line.startswith("error: LMS_S3_BUCKET:") and "no-such-bucket" in line for line in problems)
    assert any(line.startswith("error: LMS_METRICS_ALLOW:") for line in problems)
    assert "hunter2secret" not in broken.output


# ---- a rolling restart of two real `lms serve` processes under load ----

LMS = Path(sys.executable).parent / "lms"


class Replica:
    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(LMS), "serve", "--port", str(self.port)], env=self.env, stdout=out, stderr=out
            )

    async def wait_ready(self, client: httpx.AsyncClient, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if (await client.get(f"{self.url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"replica on {self.port} did not become ready:\n{self.log.read_text()}")

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await anyio.to_thread.run_sync(lambda: self.process.wait(timeout=60))


async def test_a_rolling_restart_under_load_drops_no_request(env, tmp_path):
    """Two replicas behind a small load balancer that, like a real one, routes only to replicas whose /health/ready
    answers 200 and retries on another replica when a connection is refused or reset before any answer. Each replica
    is restarted with SIGTERM in turn. Every request must get its 200, and no attempt that failed on the wire may
    have reached the app (its request id is in no replica's log): nothing in flight was dropped."""
    from lms.embedded.ports import free_port

    base = {
        **os.environ,
        **env,
        "LMS_LOG_FORMAT": "json",
        "LMS_SHUTDOWN_DRAIN_SECONDS": "1",
        "LMS_SHUTDOWN_GRACE_SECONDS": "10",
    }
    replicas = [Replica(base, free_port(), tmp_path / f"replica-{i}.log") for i in range(2)]
    for replica in replicas:
        replica.start()
    in_rotation = {replica.port: False for replica in replicas}
    outcomes: list[str] = []
    failed_attempts: list[str] = []
    readiness_seen: list[dict] = []
    running = True

    async def health_checks(client: httpx.AsyncClient) -> None:
        while running:
            for replica in replicas:
                try:
                    answer = await client.get(f"{replica.url}/health/ready", timeout=1)
                    in_rotation[replica.port] = answer.status_code == 200
                    readiness_seen.append({"status": answer.status_code, **answer.json()})
                except httpx.TransportError:
                    in_rotation[replica.port] = False
            await asyncio.sleep(0.05)

    async def balanced_get(client: httpx.AsyncClient, n: int) -> str:
        path = ("/api/v1/courses", "/login", "/")[n % 3]
        for attempt in range(8):
            ready = [replica for replica in replicas if in_rotation[replica.port]] or replicas
            replica = ready[(n + attempt) % len(ready)]
            request_id = f"load-{n:05d}-{attempt}"
            try:
                response = await client.get(replica.url + path, headers={"X-Request-ID": request_id})
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
                failed_attempts.append(request_id)
                await asyncio.sleep(0.05 * attempt)
                continue
            return "ok" if response.status_code == 200 else f"{response.status_code} from {replica.port} {path}"
        return f"no replica answered {path}"

    async def load(client: httpx.AsyncClient, lane: int) -> None:
        n = lane
        deadline = time.monotonic() + 120
        while (restarting or n < 300) and n < 4000 and time.monotonic() < deadline:
            outcomes.append(await balanced_get(client, n))
            n += 4
            await asyncio.sleep(0.01)

    restarting = True
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            for replica in replicas:
                await replica.wait_ready(client)
            scraped = await client.get(f"{replicas[0].url}/metrics")
            assert scraped.status_code == 200 and "lms_http_requests_total" in scraped.text
            checker = asyncio.create_task(health_checks(client))
            await asyncio.sleep(0.2)
            lanes = [asyncio.create_task(load(client, lane)) for lane in range(4)]
            await asyncio.sleep(1)
            for replica in replicas:
                assert await replica.stop() == 0, replica.log.read_text()
                replica.start()
                await replica.wait_ready(client)
                await asyncio.sleep(0.5)
            restarting = False
            await asyncio.gather(*lanes)
            running = False
            await checker
    finally:
        for replica in replicas:
            if replica.process and replica.process.poll() is None:
                replica.process.kill()
                replica.process.wait()

    print(f"{len(outcomes)} requests, {len(failed_attempts)} retried attempts")
    failed = [outcome for outcome in outcomes if outcome != "ok"]
    assert len(outcomes) >= 300 and not failed, failed[:10]
    logs = "".join(replica.log.read_text() for replica in replicas)
    reached = [request_id for request_id in failed_attempts if f'"request_id":"{request_id}"' in logs]
    assert not reached, f"attempts that reached the app and then lost their answer: {reached}"
    assert any(seen["status"] == 503 and seen["shutting_down"] for seen in readiness_seen)
    assert logs.count("Stopped.") == 2 and logs.count('"event":"shutdown.started"') == 2
    assert logs.count('"request_id":"load-') >= 300
