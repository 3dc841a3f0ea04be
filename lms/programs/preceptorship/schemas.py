"""Structs of preceptorship and clinical supervision: an assignment with its required hours, the supervised-hours
log with the preceptor's sign-off, and the preceptor's evaluations of the role's competencies."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from lms.i18n import N_
from lms.schemas import Form, Response

RATINGS = {1: N_("Not yet"), 2: N_("With help"), 3: N_("With supervision"), 4: N_("Independently")}
# Supervised hours' status as the worker and her preceptor read it, on the page and inside a message.
HOURS_STATUS_NAMES: dict[str, str] = {
    "submitted": N_("Waiting for your preceptor"),
    "signed": N_("Signed off"),
    "returned": N_("Returned"),
}


class Entry(Response):
    id: UUID
    day: date
    minutes: int
    activity: str
    status: str  # submitted | signed | returned
    note: str | None


class Evaluation(Response):
    """One competency or evaluation item of the role, with the preceptor's rating of it (if any)."""

    key: str
    name: dict[str, str]
    kind: str = "competency"  # competency | evaluation
    retired: bool = False  # shown while rated; no new ratings
    rating: int | None = None
    note: str | None = None
    evaluated_on: date | None = None


class Preceptorship(Response):
    id: UUID
    user_id: UUID
    worker: str
    preceptor_id: UUID
    preceptor: str
    clinic_id: UUID
    clinic: str
    role_key: str
    board: str
    role_name: dict[str, str]
    required_hours: int  # for this role and board
    starts_on: date
    status: str
    signed_minutes: int
    pending_minutes: int
    evaluations: list[Evaluation]
    entries: list[Entry]


class HoursForm(Form):
    preceptorship: str = ""
    day: str = ""
    hours: str = ""
    activity: str = ""


class SignForm(Form):
    decision: str = ""  # sign | return
    note: str = ""


class EvaluationForm(Form):
    competency: str = ""
    rating: str = ""
    note: str = ""


class NewPreceptorshipForm(Form):
    worker: str = ""  # email
    preceptor: str = ""  # email
    requirement: str = ""  # "<role>/<board>"
    starts_on: str = ""
