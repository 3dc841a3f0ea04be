"""The statements the LMS itself makes in a cmi5 registration (§9.3): launched, satisfied, abandoned, waived.

Each carries the cmi5 category, the registration and a session id; the LMS's own activity ids for the AU, its blocks
and the course (never the publisher's ids, which go in contextActivities.grouping).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, get_args
from uuid import UUID

from lms.packages.cmi5.rules import ADL, ADL_W3ID, CMI5_CATEGORY, EXT, MASTERY_EXT, MOVEON_CATEGORY, SESSION_EXT

BLOCK_TYPE = "https://w3id.org/xapi/cmi5/activitytype/block"
COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"
REASON_EXT = "https://w3id.org/xapi/cmi5/result/extensions/reason"
WaiveReason = Literal["Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative"]
WAIVE_REASONS: tuple[str, ...] = get_args(WaiveReason)


def au_activity_id(base_url: str, package_id: UUID, position: int) -> str:
    return f"{base_url.rstrip('/')}/cmi5/{package_id}/au/{position}"


def block_activity_id(base_url: str, package_id: UUID, block_id: str) -> str:
    return f"{base_url.rstrip('/')}/cmi5/{package_id}/block/{uuid.uuid5(uuid.NAMESPACE_URL, block_id)}"


def course_activity_id(base_url: str, package_id: UUID) -> str:
    return f"{base_url.rstrip('/')}/cmi5/{package_id}/course"


def iso_duration(delta: timedelta) -> str:
    return f"PT{max(delta.total_seconds(), 0):.2f}S"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(
    actor: dict[str, Any],
    verb: str,
    display: str,
    object_id: str,
    *,
    registration: UUID,
    session_id: UUID,
    grouping: str,
    object_type: str | None = None,
    extensions: dict[str, Any] | None = None,
    moveon: bool = False,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    target: dict[str, Any] = {"objectType": "Activity", "id": object_id}
    if object_type:
        target["definition"] = {"type": object_type}
    category = [{"id": CMI5_CATEGORY}] + ([{"id": MOVEON_CATEGORY}] if moveon else [])
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "timestamp": _now(),
        "actor": actor,
        "verb": {"id": verb, "display": {"en": display}},
        "object": target,
        "context": {
            "registration": str(registration),
            "contextActivities": {"category": category, "grouping": [{"id": grouping}]},
            "extensions": {SESSION_EXT: str(session_id), **(extensions or {})},
        },
    }
    if result:
        statement["result"] = result
    return statement


def launched(
    actor: dict[str, Any],
    *,
    activity_id: str,
    publisher_id: str,
    registration: UUID,
    session_id: UUID,
    launch_mode: str,
    launch_url: str,
    move_on: str,
    launch_parameters: str | None,
    mastery_score: float | None,
) -> dict[str, Any]:
    extensions: dict[str, Any] = {
        EXT + "launchmode": launch_mode,
        EXT + "launchurl": launch_url,
        EXT + "moveon": move_on,
    }
    if launch_parameters is not None:
        extensions[EXT + "launchparameters"] = launch_parameters
    if mastery_score is not None:
        extensions[MASTERY_EXT] = mastery_score
    return _statement(
        actor,
        ADL + "launched",
        "launched",
        activity_id,
        registration=registration,
        session_id=session_id,
        grouping=publisher_id,
        extensions=extensions,
    )


def satisfied(
    actor: dict[str, Any], *, object_id: str, object_type: str, publisher_id: str, registration: UUID, session_id: UUID
) -> dict[str, Any]:
    return _statement(
        actor,
        ADL_W3ID + "satisfied",
        "satisfied",
        object_id,
        registration=registration,
        session_id=session_id,
        grouping=publisher_id,
        object_type=object_type,
    )


def abandoned(
    actor: dict[str, Any],
    *,
    activity_id: str,
    publisher_id: str,
    registration: UUID,
    session_id: UUID,
    duration: timedelta,
) -> dict[str, Any]:
    return _statement(
        actor,
        ADL_W3ID + "abandoned",
        "abandoned",
        activity_id,
        registration=registration,
        session_id=session_id,
        grouping=publisher_id,
        result={"duration": iso_duration(duration)},
    )


def waived(
    actor: dict[str, Any], *, activity_id: str, publisher_id: str, registration: UUID, session_id: UUID, reason: str
) -> dict[str, Any]:
    return _statement(
        actor,
        ADL_W3ID + "waived",
        "waived",
        activity_id,
        registration=registration,
        session_id=session_id,
        grouping=publisher_id,
        moveon=True,
        result={"success": True, "completion": True, "extensions": {REASON_EXT: reason}},
    )
