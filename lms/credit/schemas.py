from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from lms.credit.renewal import RenewalStatus
from lms.i18n import N_
from lms.schemas import Request, Response

Status = Literal["valid", "expired", "revoked", "superseded"]
UNIT_NAMES = {
    "ceu": N_("CEU"),
    "unit": N_("units"),
    "credit": N_("credits"),
    "point": N_("points"),
    "hour": N_("hours"),
}
CATEGORY_NAMES = {
    "infection_control": N_("Infection Control"),
    "dental_practice_act": N_("California Dental Practice Act"),
    "bls": N_("Basic Life Support"),
    "hipaa": N_("HIPAA"),
    "cultural_competency": N_("Cultural competency"),
    "cpr": N_("CPR"),
    "administrative": N_("Administrative"),
    "clinical": N_("Clinical"),
    "general": N_("General"),
    "self_benefit": N_("Mainly for the licensee's own benefit"),
}
ROUNDING_NAMES = {"floor": N_("down to"), "round": N_("to the nearest"), "ceil": N_("up to")}
STATUS_NAMES = {
    "valid": N_("Valid"),
    "expired": N_("Expired"),
    "revoked": N_("Revoked"),
    "superseded": N_("Superseded"),
}
# The public reasons a certificate can be revoked for (migration 0010); what the admin types is an internal note.
RevocationReason = Literal[
    "issued_in_error", "requirements_not_met", "replaced", "approval_withdrawn", "record_corrected"
]
REVOCATION_REASONS: dict[str, str] = {
    "issued_in_error": N_("Issued in error"),
    "requirements_not_met": N_("The course requirements were not met"),
    "replaced": N_("Replaced by a corrected certificate"),
    "approval_withdrawn": N_("The course's approval was withdrawn"),
    "record_corrected": N_("The training record was corrected"),
}


class CorrectionOut(Response):
    """A certificate a correction of the record replaced or withdrew: what changed and why."""

    code: str
    replaced_by: str | None
    outcome: Literal["superseded", "withdrawn"]
    reason: str
    changes: dict[str, Any]
    corrected_at: datetime
    course_code: str
    course_title: str
    worker_name: str


class CreditLine(Response):
    """One body's credit on a certificate, frozen at issue."""

    body: str
    body_name: str
    unit: str
    credit: float
    live_credit: float
    non_live_credit: float
    minutes_counted: int
    provider_number: str
    approval_category: str | None
    approved_from: date
    approved_until: date | None
    below_minimum: bool = False
    exact_credit: float | None = None  # before rounding: minutes_counted / the body's minutes per unit
    rounding: str | None = None  # how `credit` was rounded, e.g. "floor to 0.1" (certificates state it)
    minutes_per_unit: int | None = None


PartKind = Literal["in_person", "checkoff"]
LiveDelivery = Literal["in_person", "live_online"]


class InPersonPart(Response):
    key: str
    kind: PartKind
    title: str
    date: date | None
    minutes: int
    instructor: str | None
    delivery: LiveDelivery = "in_person"


class Facts(Response):
    """Everything a certificate says, frozen when issued and never recomputed."""

    code: str
    worker_name: str
    language: str
    course_code: str
    course_title: str
    course_version: int
    track: str
    enrolled_on: date
    completed_on: date
    issued_at: datetime
    contact_minutes: int
    contact_hours: float
    live_minutes: int
    self_paced_minutes: int
    credits: list[CreditLine]
    in_person: list[InPersonPart]
    valid_until: date | None
    issuer_name: str
    in_person_minutes: int | None = None  # of live_minutes, those in person (None: certificates before webinars, all)


class PublicCertificateRow(Response):
    """The columns a public lookup shows (the verify page and its JSON): the hottest public read, so nothing more."""

    code: str
    valid_until: date | None
    facts: Facts
    revoked_at: datetime | None
    revoked_reason: RevocationReason | None  # None: not revoked, or revoked before reasons came from the list
    superseded_by_code: str | None = None


class CertificateRow(Response):
    id: UUID
    code: str
    enrollment_id: UUID
    user_id: UUID
    language: str
    completed_at: datetime
    issued_at: datetime
    valid_until: date | None
    facts: Facts
    key_id: str | None
    status_index: int
    revoked_at: datetime | None
    revoked_reason: RevocationReason | None
    revoked_note: str | None  # internal: program admins only, never on a public view
    correction: str | None = None  # superseded | withdrawn: revoked by a correction of the record
    superseded_by_code: str | None = None


class PublicCertificate(Response):
    """What anyone with the code sees: the frozen facts and the status, nothing else about the worker."""

    code: str
    status: Status
    status_checked_at: datetime
    revoked_at: datetime | None
    revoked_reason: RevocationReason | None  # one of the fixed public reasons
    verify_url: str
    facts: Facts
    superseded_by: str | None = None  # the code of the certificate that replaced this one


class BodyTotal(Response):
    body: str
    body_name: str
    unit: str
    credit: float
    live_credit: float
    non_live_credit: float


class Transcript(Response):
    worker_name: str
    contact_hours: float
    totals: list[BodyTotal]  # valid and expired certificates; revoked ones do not count
    certificates: list[PublicCertificate]
    corrections: list[CorrectionOut] = []  # certificates a correction of the record replaced or withdrew
    renewals: list[RenewalStatus] = []  # each credential she holds against its renewal rule


class RevokeRequest(Request):
    reason: RevocationReason  # shown publicly, translated
    note: Annotated[str, msgspec.Meta(min_length=3, max_length=500)]  # internal: what happened, for program admins


class VerificationProblem(Response):
    """Why a credential does not verify: a stable ``code`` for programs, the ``message`` in the caller's language."""

    code: str  # not_a_credential | unknown_issuer_key | signature_mismatch | status_unavailable | revoked |
    # superseded | not_yet_valid | expired
    message: str


class VerificationResult(Response):
    verified: bool
    status: Status | None
    checks: dict[str, bool]  # schema, proof, status, validity
    errors: list[VerificationProblem]
    code: str | None = None


class WorkerCredit(Response):
    user_id: UUID
    name: str
    credit_by_body: list[BodyTotal]  # within the window shown (the last `months` months)
    credentials: list[RenewalStatus]
    meets: bool | None  # None: holds no credential with a requirement


class ClinicReport(Response):
    clinic_id: UUID
    clinic_name: str
    as_of: date
    since: date
    workers: list[WorkerCredit]
    credential_names: dict[str, dict[str, str]] = {}  # credential -> language -> name
    total_workers: int = 0  # in the clinic (or, asked for only those short of a requirement, of those)
    first: int = 0  # position of workers[0] among them, from 1 (0: none shown)
    corrections: list[CorrectionOut] = []  # this clinic's workers' certificates changed by a correction


class WorkerCredentialSet(Request):
    credential: Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]{1,31}$")]
    cycle_start: date
    licensed_on: date | None = None  # first issued: the renewal ending the cycle it falls in may be exempt (RDA)


class WorkerCredentialOut(Response):
    user_id: UUID
    credential: str
    cycle_start: date
    licensed_on: date | None = None


class KeyOut(Response):
    id: str
    created_at: datetime
    retired_at: datetime | None
