"""The xAPI statements a SCORM launch and its commits make in this service's LRS, under the worker's account actor
and her enrolment as registration (the same shape as the lesson player's, lms.learning.xapi).

Each is made once, when its event happens: ``attempted`` (a new attempt) or ``resumed`` at launch; ``initialized``
at a launch's first commit; ``completed``, ``passed``, ``failed`` when the status changes to it (with the score);
``suspended`` or ``terminated`` at Terminate / LMSFinish (with the session's duration).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from lms.learning.xapi import build_statement
from lms.packages.scorm.cmi import Completion, Outcome, Success

ATTEMPT_EXTENSION = "/xapi/extensions/scorm-attempt"


def commit_verbs(
    *, before: tuple[Completion, Success], after: Outcome, first: bool
) -> list[tuple[str, dict[str, Any] | None]]:
    """The verbs (with their result) that one commit earns, given the attempt's status before it."""
    out: list[tuple[str, dict[str, Any] | None]] = []
    score = msgspec.to_builtins(after.score) if after.score else None
    if first:
        out.append(("initialized", None))
    if after.completion == "completed" and before[0] != "completed":
        out.append(("completed", {"completion": True, **({"score": score} if score else {})}))
    if after.success in ("passed", "failed") and after.success != before[1]:
        result: dict[str, Any] = {"success": after.success == "passed"}
        if after.completion != "unknown":
            result["completion"] = after.completion == "completed"
        if score:
            result["score"] = score
        out.append((after.success, result))
    if after.terminated:
        ended: dict[str, Any] | None = {"duration": after.session_time} if after.session_time else None
        out.append(("suspended" if after.exit == "suspend" else "terminated", ended))
    return out


def make_statements(
    verbs: list[tuple[str, dict[str, Any] | None]],
    *,
    base_url: str,
    user_id: UUID,
    code: str,
    version: int,
    key: str,
    title: dict[str, str],
    registration: UUID,
    language: str,
    attempt: int,
) -> list[dict[str, Any]]:
    statements = []
    for verb, result in verbs:
        statement = build_statement(
            base_url=base_url,
            user_id=user_id,
            verb=verb,
            code=code,
            version=version,
            key=key,
            title=title,
            registration=registration,
            language=language,
            result=result,
        )
        statement["context"]["extensions"] = {base_url.rstrip("/") + ATTEMPT_EXTENSION: attempt}
        statements.append(statement)
    return statements
