from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.i18n import N_
from lms.schemas import Request, Response

Delivery = Literal["in_person", "live_online", "home_study"]
DELIVERIES: dict[str, str] = {
    "in_person": N_("In person"),
    "live_online": N_("Live online (webinar)"),
    "home_study": N_("Home study"),
}
STATUS_NAMES: dict[str, str] = {
    "pending": N_("Waiting for review"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
}
Status = Literal["pending", "approved", "rejected"]

Provider = Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
ApprovalNumber = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Title = Annotated[str, msgspec.Meta(min_length=2, max_length=300)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
BodyCode = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$")]
CategoryKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,62}$")]
Reason = Annotated[str, msgspec.Meta(max_length=500)]
# A certificate through the JSON API: base64 in the body (the app's 2 MB body limit keeps it to about 1.4 MB).
Base64 = Annotated[str, msgspec.Meta(max_length=2 * 1024 * 1024)]


class CertificateFile(Request, kw_only=True):
    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    content_type: Annotated[str, msgspec.Meta(max_length=100)] = ""
    data_base64: Base64


class OutsideRecordIn(Request, kw_only=True):
    """An outside course as a worker (or her clinic admin) records it."""

    provider: Provider
    approval_number: ApprovalNumber
    title: Title
    started_on: date
    ended_on: date
    minutes: Minutes
    delivery: Delivery
    body: BodyCode
    category: CategoryKey | None = None
    body_approved: bool = True
    certificate: CertificateFile | None = None


class ClinicOutsideRecordIn(OutsideRecordIn, kw_only=True):
    """A clinic admin records an outside course for a worker of her clinic."""

    user_id: UUID


class ReviewIn(Request, kw_only=True):
    decision: Literal["approve", "reject"]
    reason: Reason = ""


class ImportIn(Request, kw_only=True):
    csv: Annotated[str, msgspec.Meta(min_length=1, max_length=1024 * 1024)]
    dry_run: bool = True


class OutsideRecord(Response, kw_only=True):
    id: UUID
    user_id: UUID
    worker_name: str
    provider: str
    approval_number: str
    title: str
    started_on: date
    ended_on: date
    minutes: int
    delivery: Delivery
    body: str
    category: str | None
    body_approved: bool
    has_certificate: bool
    certificate_name: str | None
    source: Literal["worker", "clinic", "import"]
    recorded_at: datetime
    status: Status
    reviewed_at: datetime | None
    review_reason: str | None


class ImportProblem(Response):
    line: int
    field: str
    message: str


class ImportResult(Response, kw_only=True):
    dry_run: bool
    lines: int  # records read from the file
    stored: int  # records saved (0 on a dry run or any problem)
    problems: list[ImportProblem] = []
