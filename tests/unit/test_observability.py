"""Log lines, counters, the configuration reference and the Kubernetes manifests, without any server."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml
from litestar import Litestar
from prometheus_client import REGISTRY

from infra.bench.asgi_call import call
from lms.observability.logs import (
    LineFormatter,
    RequestLog,
    StderrHandler,
    _log_request,
    _request_id,
    log_event,
    scrub,
    utc_stamp,
)
from lms.observability.metrics import inc
from lms.observability.request_metrics import REQUEST_METRICS
from lms.settings import REPO_ROOT, Settings, SettingsError, reference_rows, with_reference

K8S_DIR = REPO_ROOT / "infra" / "k8s"
KUBERNETES_VERSION = "1.33.0"  # the schema the manifests must pass (bundled with kubernetes-validate: no network)


def _format(record_args: dict, json_lines: bool = True) -> str:
    record = logging.LogRecord("lms.events", logging.INFO, __file__, 1, record_args.pop("msg"), None, None)
    for key, value in record_args.items():
        setattr(record, key, value)
    return LineFormatter(json=json_lines).format(record)


def test_an_event_is_one_json_object_per_line_without_people_s_details(caplog):
    caplog.set_level(logging.INFO, logger="lms.events")
    log_event(
        "certificate.issued",
        certificate_id="c-1",
        course="MA-101",
        email="ana@example.org",
        display_name="Ana",
        token="t",
    )
    record = caplog.records[-1]
    assert record.fields == {
        "certificate_id": "c-1",
        "course": "MA-101",
        "email": "[redacted]",
        "display_name": "[redacted]",
        "token": "[redacted]",
    }
    line = LineFormatter(json=True).format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["event"] == "certificate.issued" and parsed["level"] == "info" and parsed["course"] == "MA-101"
    assert parsed["ts"].endswith("Z")


def test_text_lines_are_for_people():
    line = _format(
        {
            "msg": "request",
            "event": "request",
            "fields": {
                "request_id": "r-12345678",
                "method": "GET",
                "route": "/courses/{code}",
                "status": 200,
                "latency_ms": 3.5,
                "user_id": None,
            },
        },
        json_lines=False,
    )
    assert line.split(" ", 1)[1] == "INFO    GET /courses/{code} 200 3.5ms  request_id=r-12345678"
    event = _format(
        {"msg": "course.published", "event": "course.published", "fields": {"course": "MA-101", "version": 2}},
        json_lines=False,
    )
    assert event.split(" ", 1)[1] == "INFO    course.published  course=MA-101 version=2"


def test_free_text_is_scrubbed_of_emails_credentials_and_tokens():
    text = (
        "login failed for ana.lopez@clinic.example.org with Authorization: Bearer abcdefghijklmnop0123 "
        "token lms_Q2xpbmljYSBNb25zZcOxb3IgUm9tZXJv at postgresql://lms:s3cret-pw@db.internal:5432/lms "
        "s3: Credential=AKIAEXAMPLE123/20261122/us-east-1/s3/aws4_request, Signature=9f8e7d6c5b4a"
    )
    cleaned = scrub(text)
    for secret in (
        "ana.lopez@clinic.example.org",
        "abcdefghijklmnop0123",
        "lms_Q2xpbmljYSBNb25zZcOxb3IgUm9tZXJv",
        "s3cret-pw",
        "AKIAEXAMPLE123",
        "9f8e7d6c5b4a",
    ):
        assert secret not in cleaned
    assert "db.internal:5432/lms" in cleaned


def test_a_request_id_is_taken_only_when_sane():
    def scope(value: bytes) -> dict:
        return {"headers": [(b"x-request-id", value)]}

    assert _request_id(scope(b"edge-4c1f-9a7e")) == "edge-4c1f-9a7e"
    # ... and never when a log line would have to hide it: request lines go out unscrubbed (ids and numbers only)
    for insane in (
        b"short",
        b"x" * 200,
        b"has space in it",
        b"ana@example.org",
        b"<b>bold</b>",
        b"lms_Q2xpbmljYSBNb25zZcOxb3Jv",
    ):
        made = _request_id(scope(insane))
        assert made != insane.decode() and len(made) == 32
    made = [_request_id(scope(b"")) for _ in range(1000)]
    assert len(set(made)) == 1000 and all(len(m) == 32 and m.isalnum() for m in made)


async def test_each_line_is_written_at_once_to_the_stderr_of_the_moment(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    handler = StderrHandler()
    handler.setFormatter(LineFormatter(json=True))
    log = logging.getLogger("lms.test.lines")
    monkeypatch.setattr(log, "handlers", [handler])
    monkeypatch.setattr(log, "propagate", False)
    log.setLevel(logging.INFO)

    log.info("first")
    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == [
        "first"
    ]  # no waiting for the loop
    await asyncio.to_thread(log.info, "from a thread")
    assert [json.loads(line)["event"] for line in stream.getvalue().splitlines()] == ["first", "from a thread"]


def test_log_times_are_utc_to_the_millisecond():
    assert utc_stamp(1_795_417_200.0) == "2026-11-23T07:00:00.000Z"
    assert utc_stamp(1_795_417_200.0719) == "2026-11-23T07:00:00.071Z"  # cut, as isoformat() does, never rounded up
    assert utc_stamp(1_795_417_259.999) == "2026-11-23T07:00:59.999Z"
    assert utc_stamp(1_795_417_260.5) == "2026-11-23T07:01:00.500Z"


def test_a_request_line_reaches_any_handler_as_a_complete_record(caplog):
    caplog.set_level(logging.INFO, logger="lms.requests")
    _log_request(
        {"method": "GET", "path": "/courses/MA-101", "user": None}, "/courses/{code:str}", "r-12345678", 200, 0.0123
    )
    _log_request({"method": "GET", "path": "/health/live"}, "/health/live", "r-2", 200, 0.001)  # probes: DEBUG
    [record] = [r for r in caplog.records if r.name == "lms.requests"]
    assert record.levelname == "INFO" and record.getMessage() == "request"
    assert record.fields == {
        "request_id": "r-12345678",
        "method": "GET",
        "route": "/courses/{code:str}",
        "status": 200,
        "latency_ms": 12.3,
        "user_id": None,
        "role": None,
        "clinic_id": None,
    }
    assert caplog.text.startswith("INFO     lms.requests:")
    parsed = json.loads(LineFormatter(json=True).format(record))
    assert parsed["event"] == "request" and parsed["route"] == "/courses/{code:str}" and parsed["ts"].endswith("Z")


async def test_every_response_gets_the_request_id_and_the_headers_it_does_not_set_itself():
    async def inner(scope, receive, send):
        own = [(b"content-type", b"text/plain")] + (
            [(b"x-frame-options", b"SAMEORIGIN")] if scope["path"] == "/framed" else []
        )
        await send({"type": "http.response.start", "status": 200, "headers": own})
        await send({"type": "http.response.body", "body": b"ok"})

    wrapped = RequestLog(Litestar(), inner, [(b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff")])
    _, body, headers = await call(wrapped, "GET", "/plain", {"x-request-id": "edge-4c1f-9a7e"})
    assert body == b"ok" and dict(headers) == {
        b"content-type": b"text/plain",
        b"x-frame-options": b"DENY",
        b"x-content-type-options": b"nosniff",
        b"x-request-id": b"edge-4c1f-9a7e",
    }
    _, _, headers = await call(wrapped, "GET", "/framed", {})
    assert [v for k, v in headers if k == b"x-frame-options"] == [b"SAMEORIGIN"]
    assert dict(headers)[b"x-content-type-options"] == b"nosniff" and len(dict(headers)[b"x-request-id"]) == 32


def test_request_series_read_as_prometheus_counters_and_a_histogram():
    route = "/probe/{n:int}"

    def sample(name: str, status: str = "200", **more: str) -> float:
        labels = {"app_name": "lms", "method": "PATCH", "path": route, "status_code": status, **more}
        return REGISTRY.get_sample_value(name, labels) or 0.0

    REQUEST_METRICS.started("PATCH")
    assert REGISTRY.get_sample_value("lms_http_requests_in_progress", {"app_name": "lms", "method": "PATCH"}) == 1
    REQUEST_METRICS.finished("PATCH", route, 200, 0.03)
    REQUEST_METRICS.started("PATCH")
    REQUEST_METRICS.finished("PATCH", route, 200, 0.005)  # on a bound: counted in that bucket, as Prometheus does
    REQUEST_METRICS.started("PATCH")
    REQUEST_METRICS.finished("PATCH", route, 503, 12.0)
    REQUEST_METRICS.started("PATCH")
    REQUEST_METRICS.finished("PATCH", "/static/{file_path:path}", 200, 0.001)

    assert REGISTRY.get_sample_value("lms_http_requests_in_progress", {"app_name": "lms", "method": "PATCH"}) == 0
    assert sample("lms_http_requests_total") == 2 and sample("lms_http_requests_total", "503") == 1
    assert sample("lms_http_requests_error_total") == 0 and sample("lms_http_requests_error_total", "503") == 1
    assert sample("lms_http_request_duration_seconds_bucket", le="0.005") == 1
    assert sample("lms_http_request_duration_seconds_bucket", le="0.025") == 1
    assert sample("lms_http_request_duration_seconds_bucket", le="0.05") == 2
    assert (
        sample("lms_http_request_duration_seconds_bucket", le="+Inf")
        == sample("lms_http_request_duration_seconds_count")
        == 2
    )
    assert sample("lms_http_request_duration_seconds_sum") == pytest.approx(0.035)
    assert sample("lms_http_request_duration_seconds_bucket", "503", le="10.0") == 0
    assert sample("lms_http_request_duration_seconds_bucket", "503", le="+Inf") == 1
    assert (
        REGISTRY.get_sample_value(
            "lms_http_requests_total",
            {"app_name": "lms", "method": "PATCH", "path": "/static/{file_path:path}", "status_code": "200"},
        )
        is None
    )


def test_counters_take_known_names_and_labels():
    before = REGISTRY.get_sample_value("lms_media_uploads_refused_total", {"reason": "other"}) or 0
    inc("media_uploads_refused")
    assert REGISTRY.get_sample_value("lms_media_uploads_refused_total", {"reason": "other"}) == before + 1
    with pytest.raises(KeyError):
        inc("certificate_issued")
    with pytest.raises(ValueError, match="outcome"):
        inc("quizzes_graded", result="passed")


def test_new_settings_are_checked():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {
                "LMS_LOG_FORMAT": "xml",
                "LMS_METRICS_ALLOW": "10.0.0.0/8,intranet",
                "LMS_OTLP_ENDPOINT": "collector:4318",
                "LMS_SHUTDOWN_GRACE_SECONDS": "-1",
            }
        )
    text = " ".join(caught.value.problems)
    for name in ("LMS_LOG_FORMAT", "LMS_METRICS_ALLOW", "LMS_OTLP_ENDPOINT", "LMS_SHUTDOWN_GRACE_SECONDS"):
        assert name in text
    assert Settings.from_env({"LMS_METRICS_ALLOW": "10.0.0.0/8, fd00::/8, 192.0.2.7"}).metrics_allow


def test_the_readme_configuration_table_is_generated_from_the_settings():
    readme = (REPO_ROOT / "README.md").read_text()
    assert with_reference(readme) == readme, "README.md is stale: run `lms config reference --write README.md`"


def test_tracing_loads_nothing_while_it_is_off():
    probe = (
        "import sys; from lms.app import create_app; from lms.settings import Settings; "
        "create_app(Settings(secret_key='k' * 32)); "
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', 'opentelemetry.instrumentation.asyncpg', "
        "'opentelemetry.exporter'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


def _manifests() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        found += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def test_the_kubernetes_manifests_pass_the_schema_of_a_pinned_version():
    manifests = _manifests()
    assert {doc["kind"] for _name, doc in manifests} >= {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "Job",
        "ConfigMap",
        "PodDisruptionBudget",
        "NetworkPolicy",
    }
    for name, doc in manifests:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{name}: {'.'.join(map(str, exc.path))}: {exc.message}")


def test_the_manifests_probe_health_reference_secrets_and_name_real_settings():
    manifests = {doc["kind"]: doc for _name, doc in _manifests()}
    known = {name for name, *_ in reference_rows()}
    assert "Secret" not in manifests, "secrets are referenced, never written into the manifests"
    assert set(manifests["ConfigMap"]["data"]) <= known
    for kind in ("Deployment", "Job"):
        container = manifests[kind]["spec"]["template"]["spec"]["containers"][0]
        env = {item["name"]: item["valueFrom"]["secretKeyRef"] for item in container["env"]}
        assert set(env) == {"LMS_DATABASE_URL", "LMS_SECRET_KEY", "LMS_S3_ACCESS_KEY_ID", "LMS_S3_SECRET_ACCESS_KEY"}
        assert all(ref["name"] == "lms-secrets" for ref in env.values())
        assert container["resources"]["requests"] and container["resources"]["limits"]
    web = manifests["Deployment"]["spec"]["template"]["spec"]
    container = web["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    data = manifests["ConfigMap"]["data"]
    drain, grace = float(data["LMS_SHUTDOWN_DRAIN_SECONDS"]), float(data["LMS_SHUTDOWN_GRACE_SECONDS"])
    assert web["terminationGracePeriodSeconds"] > drain + grace
    assert manifests["Job"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["lms", "migrate"]
    Settings.from_env(
        {
            **data,
            "LMS_DATABASE_URL": "postgresql://lms@db/lms",
            "LMS_S3_ACCESS_KEY_ID": "k",
            "LMS_S3_SECRET_ACCESS_KEY": "s",
            "LMS_SECRET_KEY": "s" * 32,
        }
    )
