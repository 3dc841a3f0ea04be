"""Learning records: what clients send and what the service answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.catalog.content import CourseCode, Key, LanguageTag
from lms.schemas import Form, Request, Response, VersionNumber

Note = Annotated[str, msgspec.Meta(max_length=2000)]
Room = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]+$")]


# Enrolment -----------------------------------------------------------------------------------------------------------


class EnrollRequest(Request):
    code: CourseCode
    version: VersionNumber | None = None  # None: the newest published version


class BulkEnrollRequest(Request):
    code: CourseCode
    version: VersionNumber | None = None
    emails: Annotated[list[str], msgspec.Meta(max_length=2000)] = []
    user_ids: Annotated[list[UUID], msgspec.Meta(max_length=2000)] = []


class BulkEnrollResult(Response):
    version_id: UUID
    enrolled: int  # enrolled now (reopened ones included)
    already_enrolled: int
    refused: list[str]  # emails or ids that are not active workers you may enrol
    reopened: int = 0  # of those enrolled now, how many had been unenrolled: the same enrolment, open again


class Enrollment(Response):
    id: UUID  # the xAPI registration
    user_id: UUID
    version_id: UUID
    code: str
    version: int
    title: dict[str, str]
    languages: list[str]
    enrolled_at: datetime
    completed_at: datetime | None


class ModuleProgress(Response):
    key: str
    title: dict[str, str]
    done: int
    total: int


class ActivityProgress(Response):
    id: UUID
    key: str
    module_key: str
    kind: str
    minutes: int
    title: dict[str, str]
    done: bool


class Progress(Response):
    enrollment: Enrollment
    done: int
    total: int
    modules: list[ModuleProgress]
    activities: list[ActivityProgress]


class MyEnrollment(Response):
    id: UUID
    code: str
    version: int
    title: dict[str, str]
    languages: list[str]
    enrolled_at: datetime
    completed_at: datetime | None
    done: int
    total: int
    next_key: str | None
    modules: list[ModuleProgress]
    survey_waiting: bool = False  # completed, and its post-course survey not answered yet


class CourseLearning(Response):
    """What the course page shows about the signed-in person: enrolled or not, and progress per activity."""

    version_id: UUID
    enrollment_id: UUID | None
    completed_at: datetime | None
    survey_waiting: bool
    done_keys: list[str]
    done: int
    total: int
    modules: list[ModuleProgress]
    next_key: str | None
    other_version: int | None = None  # her open enrolment is in this other version of the course
    other_completed: bool = False


class SessionBrief(Response):
    id: UUID
    starts_at: datetime
    ends_at: datetime
    minutes: int
    date_local: str  # clinics are in California: times shown in America/Los_Angeles
    starts_local: str
    ends_local: str
    clinic_name: str
    room: str
    language: str
    capacity: int
    registered: int
    mine: bool
    attended_minutes: int | None
    delivery: Delivery = "in_person"
    join_url: str | None = None


class ActivityLearning(Response):
    """What an activity page shows about the signed-in person."""

    activity_id: UUID
    enrollment_id: UUID | None
    completed_at: datetime | None
    done: bool
    statement_id: UUID  # a fresh id for this page's "mark as done": the same click never counts twice
    statement_json: str | None  # lessons: the `completed` statement the player queues and sends, as JSON text (the
    # template escapes it like any attribute)
    attempts: int
    best_score: float | None
    passed: bool
    max_attempts: int | None
    signed_at: datetime | None
    sessions: list[SessionBrief]


class LearnerRow(Response):
    enrollment_id: UUID
    user_id: UUID
    display_name: str
    email: str | None  # workers without email sign in with a sign-in name
    clinic_name: str | None
    enrolled_at: datetime
    completed_at: datetime | None
    done_keys: list[str]
    done: int
    total: int


# Quizzes -------------------------------------------------------------------------------------------------------------


class QuizSubmission(Request):
    attempt_id: UUID  # made when the form is shown: a double submission counts once
    answers: dict[str, list[str]]


class QuestionResult(Response):
    key: str
    correct: bool
    chosen: list[str]
    feedback: dict[str, dict[str, str]]  # chosen choice key -> language map


class QuizAttempt(Response):
    id: UUID
    number: int
    score: float
    passed: bool
    pass_mark: float
    submitted_at: datetime
    attempts_left: int | None
    questions: list[QuestionResult]


# In-person sessions and attendance ------------------------------------------------------------------------------------

Delivery = Literal["in_person", "live_online"]
JoinUrl = Annotated[str, msgspec.Meta(pattern=r'^https://[^\s<>"]+$', max_length=500)]


class SessionCreate(Request):
    code: CourseCode
    version: VersionNumber
    activity_key: Key
    starts_at: datetime
    ends_at: datetime
    clinic: Slug
    room: Room
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    language: LanguageTag
    # A live webinar: live where a body counts live, never in person. Its link is required (https).
    delivery: Delivery = "in_person"
    join_url: JoinUrl | None = None


class SessionOut(Response):
    id: UUID
    activity_id: UUID
    code: str
    version: int
    activity_key: str
    activity_title: dict[str, str]
    languages: list[str]  # of the course version: the title is shown in the viewer's language when it has one
    activity_minutes: int
    starts_at: datetime
    ends_at: datetime
    minutes: int
    clinic_id: UUID
    clinic_name: str
    room: str
    capacity: int
    language: str
    instructor_id: UUID
    instructor_name: str
    registered: int
    attended: int
    cancelled_at: datetime | None
    roster_closed_at: datetime | None = None
    delivery: Delivery = "in_person"
    join_url: str | None = None


class RosterMark(Request):
    user_id: UUID
    present: bool
    arrived_at: datetime | None = None  # default: the session's start
    left_at: datetime | None = None  # default: the session's end


class RosterUpdate(Request):
    marks: Annotated[list[RosterMark], msgspec.Meta(max_length=1000)]
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""  # required when a recorded attendance changes


class RosterLine(Response):
    user_id: UUID
    display_name: str
    email: str | None  # workers without email sign in with a sign-in name
    registered: bool
    enrolled: bool
    arrived_at: datetime | None
    left_at: datetime | None
    minutes: int | None
    method: Literal["roster", "qr", "code"] | None


class Roster(Response):
    session: SessionOut
    lines: list[RosterLine]


AttendanceState = Literal["arrived", "left", "already"]  # what this scan did


class Attendance(Response):
    session_id: UUID
    user_id: UUID
    arrived_at: datetime
    left_at: datetime | None  # None: still present; minutes accrue until check-out, roster close or the end
    minutes: int  # final when left_at is set, else the minutes so far (counted for nothing yet)
    method: str
    session_minutes: int
    ends_at: datetime
    created: bool  # True: this scan recorded the arrival
    state: AttendanceState
    final: bool


class QrCode(Response):
    token: str
    url: str
    valid_seconds: int
    short_code: str  # typed by hand instead of scanning; good for the session's check-in window


# Checkoffs -----------------------------------------------------------------------------------------------------------


class CheckoffCreate(Request):
    enrollment_id: UUID
    activity_key: Key
    note: Note = ""


class Checkoff(Response):
    id: UUID
    enrollment_id: UUID
    activity_id: UUID
    instructor_id: UUID
    signed_at: datetime
    note: str
    created: bool


# HTML forms ----------------------------------------------------------------------------------------------------------


class DoneForm(Form):
    statement_id: str = ""
    next: str = ""


class SessionForm(Form):
    activity: str = ""  # "<code>/<version>/<key>"
    date: str = ""
    starts: str = ""
    ends: str = ""
    clinic: str = ""
    room: str = ""
    capacity: str = ""
    language: str = ""
    delivery: str = "in_person"  # or "live_online": a webinar, with its join link
    join_url: str = ""


class BulkForm(Form):
    emails: str = ""


class CheckoffForm(Form):
    enrollment_id: str = ""
    activity_key: str = ""
    note: str = ""
    next: str = ""


class AttendForm(Form):
    attendance_pass: str = ""


class CheckinCodeForm(Form):
    code: Annotated[str, msgspec.Meta(max_length=40)] = ""
