from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from lms.schemas import Request, Response


class CourseSummary(Response):
    code: str
    track: str
    title: str
    summary: str
    languages: list[str]
    language: str  # the language title and summary are in
    fallback: bool  # True when the requested language is missing and another was used
    contact_minutes: int
    version: int


class ActivityOutline(Response):
    id: UUID
    key: str
    kind: str
    minutes: int
    title: dict[str, str]


class ModuleOutline(Response):
    key: str
    title: dict[str, str]
    activities: list[ActivityOutline]


class ApprovalOut(Response):
    body: str
    provider_number: str
    approved_from: date
    approved_until: date | None
    category: str | None


class VersionDetail(Response):
    id: UUID
    course_id: UUID
    code: str
    track: str
    version: int
    status: str
    languages: list[str]
    title: dict[str, str]
    summary: dict[str, str]
    total_minutes: int
    min_attendance_share: float
    published_at: datetime
    modules: list[ModuleOutline]
    approvals: list[ApprovalOut]
    latest_version: int


class ActivityPage(Response):
    id: UUID
    version_id: UUID
    code: str
    version: int
    languages: list[str]
    course_title: dict[str, str]
    module_key: str
    module_title: dict[str, str]
    key: str
    kind: str
    minutes: int
    title: dict[str, str]
    body_html: dict[str, str]
    learner: dict[str, Any]
    previous_key: str | None
    next_key: str | None


class VersionOut(Response):
    version: int
    status: str
    published_at: datetime
    retired_at: datetime | None
    total_minutes: int


class Published(Response):
    code: str
    version: int
    version_id: UUID


class TranslationStatus(Response):
    code: str
    languages: list[str]
    missing: dict[str, list[str]]
    complete: bool


class RetireRequest(Request):
    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=500, description="Why (kept in the audit log)")]


class CourseOwner(Response):
    user_id: UUID
    display_name: str
    email: str
    added_at: datetime


class CatalogueFilters(Response):
    """What a worker looks for in the catalogue; an empty filter is no filter."""

    q: str = ""
    track: str | None = None
    language: str | None = None
    delivery: str | None = None  # "in_person" (the course has an in-person part) or "online" (it has none)
    body: str | None = None

    @property
    def chosen(self) -> bool:
        return bool(self.q or self.track or self.language or self.delivery or self.body)
