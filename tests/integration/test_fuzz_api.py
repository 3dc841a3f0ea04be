"""Property-based fuzzing of the whole JSON API with schemathesis, from the app's own OpenAPI document.

Every operation gets a bounded, derandomized number of generated requests, valid ones (by the schema) and invalid
ones (wrong types, missing or extra fields, out-of-range values), and each generated request is sent as every role
(worker, instructor, clinic admin, program admin, anonymous) with that person's API token. What must hold:
  - no 5xx on any input: a server error is a bug;
  - a success matches the schema and the content type the operation documents;
  - invalid input is refused with a 4xx;
  - every 4xx is problem-details JSON with the status and a detail saying what was wrong.
Failures are collected over the whole run and reported together (also written to tests/artifacts/fuzz-report.txt),
so one run shows every broken operation.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test extra: pip install -e '.[test]'")

from hypothesis import HealthCheck, Phase, given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import CHECKS  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402

from tests.integration.reliability_world import COURSE, build_world  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
EXAMPLES = {POSITIVE: 6, NEGATIVE: 5}
ROLES = {
    "worker": "worker_a",
    "instructor": "instructor",
    "clinic_admin": "admin_a",
    "program_admin": "program_admin",
    "anonymous": None,
}
# A course document is a deep tagged union: generating one takes seconds. Its valid case is the real draft of the
# course (sent back unchanged), its invalid ones are generated, fewer of them.
SLOW = {"authoring_draft_put": {POSITIVE: 1, NEGATIVE: 2}}
# Every check schemathesis has, on every answer, errors included: status codes, content types, headers and bodies as
# documented (errors as problem+json), invalid input refused, valid input accepted, unsupported methods answered 405.
ALL_CHECKS = CHECKS.get_all()
# Operations whose generated calls would undo the fuzzing itself: a caller revoking the very token it fuzzes with.
LEAVE_OUT = {"me_tokens_revoke"}


@pytest.fixture
async def world(conn):
    return await build_world(conn)


def _problem(response: Any) -> str | None:
    """A deliberate 4xx from the app is problem-details JSON that says what went wrong."""
    kind = (response.headers.get("content-type") or [""])[0]
    if "json" not in kind:
        return f"a {response.status_code} answered {kind!r}, not problem-details JSON"
    body = response.json()
    if not isinstance(body, dict) or body.get("status") != response.status_code or not body.get("detail"):
        return f"a {response.status_code} answered {str(body)[:300]}, without status and detail"
    return None


class Fuzz:
    def __init__(self, world: Any) -> None:
        self.headers = {role: (world[name].headers if name else {}) for role, name in ROLES.items()}
        self.stats: Counter[str] = Counter()
        self.failures: list[str] = []
        self.seen: set[tuple[str, str, str]] = set()

    def fail(self, operation: Any, role: str, mode: GenerationMode, what: str) -> None:
        key = (operation.label, role, what[:80])
        if key not in self.seen:  # one line per kind of failure, not one per example
            self.seen.add(key)
            self.failures.append(f"{operation.label} as {role} ({mode.value}): {what}")

    def send(self, operation: Any, mode: GenerationMode, case: Any) -> None:
        for role, headers in self.headers.items():
            response = case.call(headers=headers)
            status = response.status_code
            self.stats["requests"] += 1
            self.stats[f"{status // 100}xx"] += 1
            try:
                case.validate_response(response, checks=ALL_CHECKS, headers=headers)
            except FailureGroup as exc:
                self.fail(operation, role, mode, str(exc)[:2500])
            if 400 <= status < 500 and (problem := _problem(response)):
                self.fail(operation, role, mode, problem)

    def run(self, operation: Any, mode: GenerationMode, examples: int, **fixed: Any) -> None:
        @hsettings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            print_blob=False,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, **fixed))
        def each(case: Any) -> None:
            self.send(operation, mode, case)

        try:
            each()
        except Unsatisfiable:
            self.stats["operations without invalid input"] += 1


def test_every_operation_as_every_role_survives_generated_input(app, world):
    from schemathesis.python import asgi

    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the OpenAPI document lost its operations"
    fuzz = Fuzz(world)
    started = time.monotonic()
    try:
        with asgi.get_client(app) as client:
            draft = client.get(f"/api/v1/authoring/courses/{COURSE}/draft", headers=world["instructor"].headers).json()
        for operation in operations:
            operation_id = operation.definition.raw.get("operationId")
            if operation_id in LEAVE_OUT:
                continue
            fuzz.stats["operations"] += 1
            examples = SLOW.get(operation_id, EXAMPLES)
            fixed = (
                {"body": draft, "path_parameters": {"code": COURSE}} if operation_id == "authoring_draft_put" else {}
            )
            fuzz.run(operation, POSITIVE, examples[POSITIVE], **fixed)
            fuzz.run(operation, NEGATIVE, examples[NEGATIVE])
    finally:
        asgi.shutdown_lifespans()
    stats = fuzz.stats
    summary = (
        f"fuzzed {stats['operations']} operations x {len(ROLES)} roles: {stats['requests']} requests in "
        f"{time.monotonic() - started:.0f} s; " + ", ".join(f"{k}: {stats[k]}" for k in ("2xx", "3xx", "4xx", "5xx"))
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz-report.txt").write_text(summary + "\n\n" + "\n\n".join(fuzz.failures) + "\n", encoding="utf-8")
    print("\n" + summary)
    assert not fuzz.failures, (
        f"{len(fuzz.failures)} failures (all in tests/artifacts/fuzz-report.txt):\n\n" + "\n\n".join(fuzz.failures[:15])
    )
    assert stats["5xx"] == 0 and stats["2xx"] > 100 and stats["4xx"] > 100
