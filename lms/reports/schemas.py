"""Structs for surveys, dashboards, targets and the audit log viewer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from lms.catalog.content import CourseCode, Key, LangMap, LanguageTag
from lms.i18n import N_
from lms.schemas import Int4, Request, Response, VersionNumber

QuestionKind = Literal["likert", "text"]
SurveyKind = Literal["post_course", "on_demand"]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]

LIKERT_LABELS = {
    1: N_("Strongly disagree"),
    2: N_("Disagree"),
    3: N_("Neither agree nor disagree"),
    4: N_("Agree"),
    5: N_("Strongly agree"),
}
SURVEY_KIND_NAMES = {"post_course": N_("After a course"), "on_demand": N_("On demand, for a period")}
DIMENSION_NAMES = {
    "track": N_("Track"),
    "clinic": N_("Clinic"),
    "local": N_("Union local"),
    "language": N_("Language"),
    "month": N_("Month"),
}
BUCKET_NAMES = {"day": N_("by day"), "week": N_("by week"), "month": N_("by month")}
MEASURE_NAMES = {
    "certificates": N_("certificates issued"),
    "completions": N_("course completions"),
    "workers_enrolled": N_("distinct workers enrolled"),
    "apprentices_placed": N_("apprentices placed in a job"),
    "tuition_reimbursed": N_("workers with tuition approved"),
    "preceptorship_workers": N_("workers with a preceptor"),
}


# ---------------------------------------------------------------- surveys


class SurveyQuestion(Request):
    key: Key
    kind: QuestionKind
    prompt: LangMap


class SurveyIn(Request):
    """A survey as a program admin writes it: every text a language map, like course content."""

    kind: SurveyKind
    title: LangMap
    questions: Annotated[list[SurveyQuestion], msgspec.Meta(min_length=1, max_length=30)]
    intro: LangMap = {}
    is_default: bool = False  # post-course only: the survey offered after every completion
    opens_at: datetime | None = None  # on-demand only: open from .. until
    closes_at: datetime | None = None


class Question(Response):
    key: str
    kind: QuestionKind
    prompt: dict[str, str]


class Survey(Response):
    id: UUID
    kind: SurveyKind
    title: dict[str, str]
    intro: dict[str, str]
    questions: list[Question]
    languages: list[str]
    is_default: bool
    opens_at: datetime | None
    closes_at: datetime | None
    created_at: datetime
    answered: bool  # at least one response: questions can no longer change
    responses: int | None  # respondents the results count (lms.reports.anonymity); None: none yet


class SurveyAnswerIn(Request):
    """A worker's answers: question key -> 1..5 (Likert) or text. Post-course surveys name the course version."""

    language: LanguageTag
    answers: dict[str, Int4 | Comment]
    course: CourseCode | None = None
    version: VersionNumber | None = None


class SurveyAnswered(Response):
    survey_id: UUID
    recorded: bool


class PendingSurvey(Response):
    survey_id: UUID
    kind: SurveyKind
    title: dict[str, str]
    languages: list[str]
    course: str | None
    version: int | None
    course_title: dict[str, str] | None
    url: str


class QuestionResult(Response):
    key: str
    kind: QuestionKind
    prompt: dict[str, str]
    answers: int | None  # None: nothing that may be shown (lms.reports.anonymity)
    mean: float | None
    distribution: list[int] | None  # how many chose 1, 2, 3, 4, 5
    comments: list[str] | None = None  # program admins only, groups of MIN_GROUP or more, never with identity


class GroupResult(Response):
    dimension: str  # all | track | clinic | local | language | month
    key: str | None  # month: its first day
    label: str  # month: YYYY-MM
    respondents: int | None  # None: nothing that may be shown (lms.reports.anonymity)
    questions: list[QuestionResult]
    month: date | None = (
        None  # the month's first day (dimension "month"), for pages to name it in the reader's language
    )


class SurveyResults(Response):
    survey_id: UUID
    title: dict[str, str]
    languages: list[str]
    min_group: int
    overall: GroupResult
    breakdowns: list[GroupResult]
    first_month: date | None = None  # the whole months that have ended which the results cover; None: none yet
    last_month: date | None = None


# ---------------------------------------------------------------- dashboards


class Filters(Response):
    start: date
    end: date
    track: str | None = None
    clinic_id: UUID | None = None
    local_id: UUID | None = None
    language: str | None = None


class Figures(Response):
    enrolled: int = 0
    completed: int = 0
    certificates: int = 0
    credit_hours: float = 0  # contact hours on valid certificates
    ehr_participants: int = 0  # workers whose first EHR enrolment fell in the period
    inperson_hours: float = 0


class GroupRow(Response):
    key: str | None
    label: str
    figures: Figures


class TrendPoint(Response):
    period: date
    enrolled: int
    completed: int
    certificates: int


class TargetProgress(Response):
    key: str
    name: dict[str, str]
    description: dict[str, str]
    measure: str
    tracks: list[str]
    target: int
    achieved: int
    period_start: date
    period_end: date


class GroupCount(Response):
    key: str | None
    label: str
    achieved: int


class PeriodCount(Response):
    period: date  # the first day of the month or quarter
    achieved: int


class FunderTarget(Response):
    """A target counted over the report's period (not its own): overall, by clinic and by union local."""

    key: str
    name: dict[str, str]
    description: dict[str, str]
    measure: str
    tracks: list[str]
    target: int
    period_start: date
    period_end: date
    achieved: int
    by_clinic: list[GroupCount]
    by_local: list[GroupCount]
    by_month: list[PeriodCount] = []
    by_quarter: list[PeriodCount] = []


class Option(Response):
    id: str
    name: str


class FilterOptions(Response):
    clinics: list[Option]
    locals: list[Option]
    languages: list[str]


class ProgramDashboard(Response):
    filters: Filters
    bucket: str
    totals: Figures
    by_track: list[GroupRow]
    by_clinic: list[GroupRow]
    trend: list[TrendPoint]
    targets: list[TargetProgress]
    survey: SurveyResults | None
    funder: list[FunderTarget] = []  # every target over this period, by clinic and local


class ClinicWorker(Response):
    user_id: UUID
    name: str
    email: str | None  # workers without email sign in with a sign-in name
    enrolled: int
    completed: int
    certificates: int
    contact_hours: float
    credit: dict[str, float]  # accrediting body -> credit on valid certificates
    left_at: datetime | None = None  # deactivated: she left the clinic (her records stay)


class RenewalDue(Response):
    user_id: UUID
    name: str
    credential: str
    credential_name: dict[str, str]
    cycle_end: date  # the next cycle starts that day
    required: float
    counted: float
    still_needed: float
    meets: bool


class ClinicDashboard(Response):
    clinic_id: UUID
    clinic_name: str
    filters: Filters
    bucket: str
    totals: Figures
    by_track: list[GroupRow]
    trend: list[TrendPoint]
    workers: list[ClinicWorker]
    next_after: UUID | None  # keyset cursor for the next page of workers
    workers_active: int
    workers_left: int  # deactivated workers, counted apart and kept in the list
    renewals: list[RenewalDue]
    survey: SurveyResults | None


class TargetIn(Request):
    target: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
    period_start: date | None = None
    period_end: date | None = None


# ---------------------------------------------------------------- audit log


class AuditEntry(Response):
    id: int
    at: datetime
    actor_id: UUID | None
    actor_email: str | None
    actor_name: str | None
    action: str
    subject: str
    detail: dict[str, Any]


class AuditPage(Response):
    entries: list[AuditEntry]
    next_before: int | None  # keyset cursor: pass as `before` for the next (older) page
    actions: list[str]
