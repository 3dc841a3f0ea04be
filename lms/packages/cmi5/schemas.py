"""cmi5 launch: the rows the launcher works with, and the JSON of its API (outside launches, waiving, abandoning)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from lms.packages.cmi5.statements import WaiveReason
from lms.schemas import Request, Response

LaunchMode = Literal["Normal", "Browse", "Review"]


class AuRow(msgspec.Struct, kw_only=True, frozen=True):
    """One AU of an imported cmi5 package, with what its launch needs."""

    package_id: UUID
    s3_prefix: str
    course_publisher_id: str
    position: int  # 1 first
    unit_id: str
    launch: str
    move_on: str
    mastery_score: float | None
    launch_parameters: str | None
    entitlement_key: str | None
    blocks: list[str]  # the publisher ids of the blocks around it, outermost first


class SessionRow(msgspec.Struct, kw_only=True, frozen=True):
    id: UUID
    registration_id: UUID
    unit_id: str
    activity_id: str
    version_activity_id: UUID | None
    launch_mode: str
    prefs_read: bool
    initialized: bool
    terminated: bool
    failed: bool
    package_id: UUID
    actor: dict[str, Any]
    actor_key: str
    enrollment_id: UUID | None
    mastery_score: float | None
    completed: bool
    passed: bool


class Launch(Response):
    url: str  # the AU's launch URL, with endpoint, fetch, actor, registration and activityId
    registration: UUID
    session_id: UUID


class OutsideLaunch(Request):
    """Launch an AU for an actor that is not one of this service's workers (another system's learner, a test suite)."""

    au: Annotated[int, msgspec.Meta(ge=0, le=100_000)]  # its place in cmi5.xml, 0 first
    actor: dict[str, Any]  # an xAPI Agent with an account
    registration: UUID | None = None  # a new one when absent
    launch_mode: LaunchMode = "Normal"
    return_url: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class Waive(Request):
    au: Annotated[int, msgspec.Meta(ge=0, le=100_000)]
    reason: WaiveReason
