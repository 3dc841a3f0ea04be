"""Structs of tuition reimbursement: a request with its documents and steps, the yearly cap, forms, report rows."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from lms.i18n import N_
from lms.schemas import Form, Response

Status = Literal["submitted", "clinic_approved", "approved", "paid", "returned"]
FIELDS = {
    "nursing": N_("Nursing"),
    "social_work": N_("Social work"),
    "dental": N_("Dental"),
    "behavioral_health": N_("Behavioral health"),
    "other": N_("Other health field"),
}
STATUS_NAMES = {
    "submitted": N_("Waiting for your clinic"),
    "clinic_approved": N_("Approved by your clinic; waiting for the partnership"),
    "approved": N_("Approved; payment on its way"),
    "paid": N_("Paid"),
    "returned": N_("Returned: fix it and send it again"),
}
DOCUMENT_KINDS = {"receipt": N_("Receipt"), "grades": N_("Grades")}
DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Document(Response):
    id: UUID
    kind: str
    filename: str
    status: str


class TuitionRequest(Response):
    id: UUID
    user_id: UUID
    worker: str
    clinic_id: UUID
    clinic: str
    field: str
    program: str
    school: str
    term: str
    year: int
    cost_cents: int
    status: Status
    returned_reason: str | None
    clinic_decided_at: datetime | None
    clinic_decided_by: str | None
    approved_cents: int | None
    approved_at: datetime | None
    paid_cents: int | None
    paid_at: datetime | None
    created_at: datetime
    documents: list[Document]
    cap_cents: int | None  # the year's cap
    approved_in_year_cents: int  # approved or paid for this worker this year, this request excluded


class RequestForm(Form):
    field: str = ""
    program: str = ""
    school: str = ""
    term: str = ""
    year: str = ""
    cost: str = ""


class DecisionForm(Form):
    decision: str = ""  # approve | return | pay
    reason: str = ""
    amount: str = ""


class DocumentForm(Form):
    kind: str = ""
    file: str = ""  # the file's name: its type decides what the store accepts


class ReportRow(Response):
    group: str
    requests: int
    workers: int
    requested_cents: int
    approved_cents: int
    paid_cents: int
