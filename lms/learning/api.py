"""JSON: enrolments and progress, quiz attempts, in-person sessions and attendance, skills checkoffs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody, PathParameter

from lms import clinic_time, csv_export
from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.catalog.content import Key
from lms.deps import Db, SettingsDep, Tx, User
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.learning import attendance, checkoffs, qr, queries, quizzes, session_queries, sessions
from lms.learning.completion import complete_if_done
from lms.learning.schemas import (
    Attendance,
    BulkEnrollRequest,
    BulkEnrollResult,
    Checkoff,
    CheckoffCreate,
    Enrollment,
    EnrollRequest,
    LearnerRow,
    MyEnrollment,
    Progress,
    QrCode,
    QuizAttempt,
    QuizSubmission,
    Roster,
    RosterUpdate,
    SessionCreate,
    SessionOut,
)
from lms.schemas import Request as RequestStruct
from lms.schemas import VersionInPath

TEACHERS = ("instructor", "program_admin")
Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class AttendRequest(RequestStruct):
    """The QR code's token, or the short code typed by hand (one of them)."""

    token: Annotated[str, msgspec.Meta(min_length=10, max_length=100)] | None = None
    code: Annotated[str, msgspec.Meta(min_length=6, max_length=12)] | None = None


class EnrollmentsController(Controller):
    path = "/api/v1/enrollments"
    tags = ["learning"]
    guards = [require_login]

    @post("/", operation_id="enrollments_create")
    async def enroll(self, tx: Tx, user: User, data: JSONBody[EnrollRequest]) -> Response[Enrollment]:
        enrollment, created = await queries.enroll_self(tx, user=user, code=data.code, version=data.version)
        return Response(enrollment, status_code=201 if created else 200)

    @post(
        "/bulk",
        operation_id="enrollments_bulk",
        guards=[require_role("instructor", "clinic_admin", "program_admin")],
        status_code=200,
    )
    async def enroll_many(self, tx: Tx, user: User, data: JSONBody[BulkEnrollRequest]) -> BulkEnrollResult:
        return await queries.bulk_enroll(
            tx, actor=user, code=data.code, version=data.version, emails=data.emails, user_ids=data.user_ids
        )

    @get("/", operation_id="enrollments_mine")
    async def mine(self, db: Db, user: User) -> list[MyEnrollment]:
        return await queries.my_enrollments(db, user_id=user.id)

    @get("/{enrollment_id:uuid}/progress", operation_id="enrollments_progress")
    async def progress(self, db: Db, user: User, enrollment_id: FromPath[UUID]) -> Progress:
        found = await queries.progress(db, enrollment_id=enrollment_id, viewer=user)
        if found is None:
            raise NotFound(N_("no such enrolment that you may see"))
        return found

    @post("/{enrollment_id:uuid}/completion", operation_id="enrollments_complete", status_code=200)
    async def complete(self, tx: Tx, user: User, settings: SettingsDep, enrollment_id: FromPath[UUID]) -> Progress:
        """Check the completion rule now and record the completion if it is met (at most once, however often asked)."""
        found = await queries.progress(tx, enrollment_id=enrollment_id, viewer=user)
        if found is None:
            raise NotFound(N_("no such enrolment that you may see"))
        if await complete_if_done(tx, [enrollment_id], base_url=settings.public_base_url):
            found = await queries.progress(tx, enrollment_id=enrollment_id, viewer=user)
        assert found is not None
        return found

    @post("/{enrollment_id:uuid}/quizzes/{key:str}/attempts", operation_id="quiz_attempt_submit", status_code=200)
    async def submit_quiz(
        self,
        tx: Tx,
        user: User,
        settings: SettingsDep,
        enrollment_id: FromPath[UUID],
        key: Annotated[Key, PathParameter()],
        data: JSONBody[QuizSubmission],
    ) -> QuizAttempt:
        mine = await queries.get_own(tx, enrollment_id=enrollment_id, user_id=user.id)
        if mine is None:
            raise NotFound(N_("no such enrolment of yours"))
        return await quizzes.submit(
            tx,
            user_id=user.id,
            code=mine.code,
            version=mine.version,
            key=key,
            attempt_id=data.attempt_id,
            answers=data.answers,
            base_url=settings.public_base_url,
        )


class LearnersController(Controller):
    path = "/api/v1/learners"
    tags = ["learning"]
    guards = [require_role("instructor", "clinic_admin", "program_admin")]

    @get("/{code:str}/{version:int}", operation_id="learners_of_version")
    async def learners(self, db: Db, user: User, code: Code, version: VersionInPath) -> list[LearnerRow]:
        """Progress of a course version's learners (a clinic admin: their clinic's workers only)."""
        found = await queries.version_learners(db, viewer=user, code=code, version=version)
        if found is None:
            raise NotFound(N_("no version %(version)s of %(code)s"), params={"version": version, "code": code})
        return found[1]


class SessionsController(Controller):
    path = "/api/v1/sessions"
    tags = ["learning"]
    guards = [require_login]

    @post("/", operation_id="sessions_create", guards=[require_role(*TEACHERS)])
    async def create(self, tx: Tx, user: User, data: JSONBody[SessionCreate]) -> SessionOut:
        return await sessions.create_session(tx, actor=user, data=data)

    @get("/", operation_id="sessions_mine", guards=[require_role(*TEACHERS)])
    async def mine(self, db: Db, user: User) -> list[SessionOut]:
        return await session_queries.sessions_run_by(db, actor=user)

    @get("/{session_id:uuid}/roster", operation_id="sessions_roster", guards=[require_role(*TEACHERS)])
    async def roster(self, tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]) -> Roster:
        await attendance.close_ended(tx, session_id=session_id, base_url=settings.public_base_url)
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        return found

    @put("/{session_id:uuid}/roster", operation_id="sessions_roster_save", guards=[require_role(*TEACHERS)])
    async def save_roster(
        self, tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID], data: JSONBody[RosterUpdate]
    ) -> Roster:
        await attendance.save_roster(
            tx,
            session_id=session_id,
            actor=user,
            marks=data.marks,
            reason=data.reason,
            base_url=settings.public_base_url,
        )
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        assert found is not None
        return found

    @post(
        "/{session_id:uuid}/close",
        operation_id="sessions_roster_close",
        guards=[require_role(*TEACHERS)],
        status_code=200,
    )
    async def close(self, tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]) -> Roster:
        """Close the roster: whoever is still checked in leaves now; later scans are refused."""
        await attendance.close_roster(tx, session_id=session_id, actor=user, base_url=settings.public_base_url)
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        assert found is not None
        return found

    @get(
        "/{session_id:uuid}/roster.csv",
        operation_id="sessions_roster_csv",
        guards=[require_role(*TEACHERS)],
        media_type="text/csv",
    )
    async def roster_csv(self, tx: Tx, user: User, session_id: FromPath[UUID]) -> Response[bytes]:
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        return await roster_csv_response(tx, found, actor=user)

    @get("/{session_id:uuid}/code", operation_id="sessions_attendance_code", guards=[require_role(*TEACHERS)])
    async def code(self, tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]) -> QrCode:
        """The current attendance code (it changes every 30 seconds), and the short code for the whole check-in window."""
        short = await sessions.checkin_code(tx, session_id=session_id, actor=user)
        if short is None:
            raise NotFound(N_("no such session of yours"))
        token = qr.attendance_token(settings.secret_key, session_id)
        return QrCode(
            token=token,
            url=f"{settings.public_base_url.rstrip('/')}/attend/{token}",
            valid_seconds=qr.WINDOW_SECONDS,
            short_code=short,
        )

    @post("/{session_id:uuid}/registrations", operation_id="sessions_register")
    async def register(self, tx: Tx, user: User, session_id: FromPath[UUID]) -> Response[dict[str, bool]]:
        created = await sessions.register(tx, user_id=user.id, session_id=session_id)
        return Response({"registered": True}, status_code=201 if created else 200)

    @post("/attendance", operation_id="sessions_attend_by_code", status_code=200)
    async def attend(self, tx: Tx, user: User, settings: SettingsDep, data: JSONBody[AttendRequest]) -> Attendance:
        """Record the caller's arrival (first scan) or check-out (a later one) with the code shown in the room."""
        if data.code is not None:
            typed = sessions.normalize_checkin_code(data.code)
            session_id = await session_queries.session_by_checkin_code(tx, typed) if typed else None
            if session_id is None:
                raise Invalid(
                    N_("this check-in code is not valid, or check-in for its session is closed"), field="code"
                )
            method = "code"
        elif data.token is not None:
            session_id = qr.read_attendance_token(settings.secret_key, data.token)
            if session_id is None:
                raise Invalid(
                    N_("this attendance code is not valid or has expired; scan the code in the room again"),
                    field="token",
                )
            method = "qr"
        else:
            raise Invalid(N_("give the QR code's token or the short check-in code"), field="code")
        return await attendance.record_scan(
            tx,
            session_id=session_id,
            user_id=user.id,
            scanned_at=datetime.now(UTC),
            method=method,
            base_url=settings.public_base_url,
        )


async def roster_csv_response(conn, found: Roster, *, actor: CurrentUser) -> Response[bytes]:
    """The roster as CSV with the session's length and each worker's minutes: contact hours can be computed from it."""
    local = clinic_time.ZONE
    s = found.session

    def when(value: datetime | None) -> str:
        return value.astimezone(local).isoformat(timespec="minutes") if value else ""

    header = [
        "course",
        "version",
        "activity",
        "session_id",
        "clinic",
        "room",
        "language",
        "instructor",
        "session_start",
        "session_end",
        "session_minutes",
        "worker",
        "email",
        "registered",
        "arrived_at",
        "left_at",
        "minutes_attended",
        "share_attended",
        "method",
    ]
    rows = []
    for line in found.lines:
        share = f"{line.minutes / s.minutes:.2f}" if line.minutes is not None and s.minutes else ""
        rows.append(
            [
                s.code,
                s.version,
                s.activity_key,
                s.id,
                s.clinic_name,
                s.room,
                s.language,
                s.instructor_name,
                when(s.starts_at),
                when(s.ends_at),
                s.minutes,
                line.display_name,
                line.email,
                "yes" if line.registered else "no",
                when(line.arrived_at),
                when(line.left_at),
                "" if line.minutes is None else line.minutes,
                share,
                line.method or "",
            ]
        )
    await record(
        conn, actor_id=actor.id, action="attendance.exported", subject=str(s.id), detail={"rows": len(found.lines)}
    )
    filename = f"roster-{s.code}-v{s.version}-{s.activity_key}-{s.starts_at.astimezone(local).date().isoformat()}.csv"
    return csv_export.csv_response(filename, header, rows)


class CheckoffsController(Controller):
    path = "/api/v1/checkoffs"
    tags = ["learning"]
    guards = [require_role(*TEACHERS)]

    @post("/", operation_id="checkoffs_sign")
    async def sign(
        self, tx: Tx, user: User, settings: SettingsDep, data: JSONBody[CheckoffCreate]
    ) -> Response[Checkoff]:
        signed = await checkoffs.sign(
            tx,
            actor=user,
            enrollment_id=data.enrollment_id,
            activity_key=data.activity_key,
            note=data.note,
            base_url=settings.public_base_url,
        )
        return Response(signed, status_code=201 if signed.created else 200)
