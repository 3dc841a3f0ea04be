"""HTML for instructors (and clinic admins, for their own workers): sessions and rosters, the rotating check-in code,
the roster export, learners' progress per course version, enrolling many workers, and signing off skills."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms import clinic_time
from lms.accounts import queries as accounts
from lms.accounts.auth import require_role
from lms.catalog.language import KIND_NAMES, content_language, pick
from lms.deps import Db, SettingsDep, Tx, User
from lms.errors import DomainError, Invalid, NotFound, invalid_value, shown
from lms.i18n import N_, gettext_for, request_language
from lms.learning import attendance, checkoffs, qr, queries, session_queries, sessions
from lms.learning.api import roster_csv_response
from lms.learning.schemas import BulkForm, CheckoffForm, RosterMark, SessionCreate, SessionForm
from lms.schemas import VersionInPath, safe_next
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
TEACHERS = ("instructor", "program_admin")
LOCAL = clinic_time.ZONE
WEBINAR_LINK = re.compile(r'https://[^\s<>"]{1,492}')  # as SessionCreate.join_url


def _tt(request: Request[Any, Any, Any]):
    lang = request_language(request)

    def tt(texts: dict[str, str], languages: list[str]) -> str:
        return pick(texts, content_language(lang, languages), languages)[0]

    return tt


def local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as the clinic reads it (California)."""
    return value.astimezone(LOCAL).strftime(fmt) if value else ""


def _at(day: date, hhmm: str, field: str) -> datetime:
    if not re.fullmatch(r"\d{1,2}:\d{2}", hhmm or ""):
        raise Invalid(N_("%(field)s: give a time such as 09:30"), params={"field": field}, field=field)
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if hours > 23 or minutes > 59:
        raise Invalid(N_("%(field)s: give a time such as 09:30"), params={"field": field}, field=field)
    return datetime.combine(day, time(hours, minutes), tzinfo=LOCAL)


def session_from_form(form: SessionForm) -> SessionCreate:
    """The scheduling form (a date and local start and end times) as the API's request."""
    parts = form.activity.split("/")
    if len(parts) != 3 or not parts[1].isdigit():
        raise Invalid(N_("choose the in-person activity"), field="activity")
    try:
        day = date.fromisoformat(form.date)
    except ValueError:
        raise Invalid(N_("date: give the date of the session"), field="date") from None
    if not form.capacity.isdigit():
        raise Invalid(N_("capacity: give the number of places"), field="capacity")
    if form.delivery not in ("in_person", "live_online"):
        raise Invalid(N_("Choose how the session is given: in person or live online."), field="delivery")
    join_url = form.join_url.strip() if form.delivery == "live_online" else None  # a room has no link
    if join_url is not None and not WEBINAR_LINK.fullmatch(join_url):
        raise Invalid(
            N_(
                "A live online session needs the link workers join by, starting with https:// (at most 500 characters)."
            ),
            field="join_url",
        )
    try:
        return msgspec.convert(
            {
                "code": parts[0],
                "version": int(parts[1]),
                "activity_key": parts[2],
                "starts_at": _at(day, form.starts, "starts"),
                "ends_at": _at(day, form.ends, "ends"),
                "clinic": form.clinic,
                "room": form.room.strip(),
                "capacity": int(form.capacity),
                "language": form.language.strip() or "en",
                "delivery": form.delivery,
                "join_url": join_url,
            },
            SessionCreate,
            from_attributes=False,
            strict=False,
        )
    except msgspec.ValidationError as exc:
        raise invalid_value(exc, field="session") from None


class TeachPages(Controller):
    path = "/teach"
    include_in_schema = False
    guards = [require_role("instructor", "clinic_admin", "program_admin")]

    async def _home(
        self,
        request: Request[Any, Any, Any],
        db: Any,
        user: Any,
        *,
        error: str | None = None,
        form: SessionForm | None = None,
        status: int = 200,
    ) -> Template:
        runs_sessions = user.role in TEACHERS
        return page(
            request,
            "learning/teach.html.jinja2",
            status=status,
            sessions=await session_queries.sessions_run_by(db, actor=user) if runs_sessions else [],
            activities=await session_queries.in_person_activities(db) if runs_sessions else [],
            clinics=await accounts.list_clinics(db) if runs_sessions else [],
            versions=await queries.versions_with_learners(db, viewer=user),
            runs_sessions=runs_sessions,
            error=error,
            form=form or SessionForm(),
            tt=_tt(request),
            local=local,
        )

    @get("/", operation_id="page_teach_home")
    async def home(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await self._home(request, db, user)

    @post("/sessions", operation_id="page_teach_schedule", guards=[require_role(*TEACHERS)])
    async def schedule(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[SessionForm]
    ) -> Template | Redirect:
        try:
            created = await sessions.create_session(tx, actor=user, data=session_from_form(data))
        except DomainError as exc:
            return await self._home(request, tx, user, error=shown(request, exc), form=data, status=exc.status)
        return Redirect(f"/teach/sessions/{created.id}", status_code=303)

    @get("/sessions/{session_id:uuid}", operation_id="page_teach_session", guards=[require_role(*TEACHERS)])
    async def session(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        session_id: FromPath[UUID],
        saved: FromQuery[bool] = False,
    ) -> Template:
        await attendance.close_ended(tx, session_id=session_id, base_url=settings.public_base_url)
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        return page(
            request, "learning/session.html.jinja2", roster=found, saved=saved, tt=_tt(request), local=local, error=None
        )

    @post("/sessions/{session_id:uuid}/roster", operation_id="page_teach_roster_save", guards=[require_role(*TEACHERS)])
    async def save_roster(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]
    ) -> Redirect | Template:
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        form = await request.form()
        present = set(form.getall("present")) if "present" in form else set()
        day = found.session.starts_at.astimezone(LOCAL).date()
        try:
            marks = []
            for line in found.lines:
                uid = str(line.user_id)
                arrived = form.get(f"arrived.{uid}", "") or ""
                left = form.get(f"left.{uid}", "") or ""
                if (
                    line.minutes is not None
                    and arrived == local(line.arrived_at, "%H:%M")
                    and left == local(line.left_at, "%H:%M")
                ):
                    arrived = left = ""  # unchanged: what was recorded (a scan to the second) stands
                marks.append(
                    RosterMark(
                        user_id=line.user_id,
                        present=uid in present,
                        arrived_at=_at(day, arrived, "arrived") if arrived else None,
                        left_at=_at(day, left, "left") if left else None,
                    )
                )
            walk_in = (form.get("walk_in") or "").strip().lower()
            if walk_in:
                person = await queries.active_user_id(tx, email=walk_in)
                if person is None:
                    raise Invalid(
                        N_("no account with the email %(walk_in)s"), params={"walk_in": walk_in}, field="walk_in"
                    )
                if person not in {m.user_id for m in marks}:
                    marks.append(RosterMark(user_id=person, present=True))
            await attendance.save_roster(
                tx,
                session_id=session_id,
                actor=user,
                marks=marks,
                reason=str(form.get("reason") or "")[:500],
                base_url=settings.public_base_url,
            )
        except DomainError as exc:
            return page(
                request,
                "learning/session.html.jinja2",
                status=exc.status,
                roster=found,
                saved=False,
                tt=_tt(request),
                local=local,
                error=shown(request, exc),
            )
        return Redirect(f"/teach/sessions/{session_id}?saved=true", status_code=303)

    @get("/sessions/{session_id:uuid}/code", operation_id="page_teach_code", guards=[require_role(*TEACHERS)])
    async def code(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]
    ) -> Template:
        """The check-in code to show in the room: it changes every 30 seconds and the page refreshes itself; the short
        code beside it stays the same for the whole check-in window."""
        found = await session_queries.get_session(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        short_code = await sessions.checkin_code(tx, session_id=session_id, actor=user)
        token = qr.attendance_token(settings.secret_key, session_id)
        url = f"{settings.public_base_url.rstrip('/')}/attend/{token}"
        return page(
            request,
            "learning/code.html.jinja2",
            session=found,
            url=url,
            token=token,
            svg=qr.qr_svg(url, title=gettext_for(request_language(request))("Check in")),
            refresh=qr.WINDOW_SECONDS,
            tt=_tt(request),
            local=local,
            short_code=short_code,
        )

    @post("/sessions/{session_id:uuid}/close", operation_id="page_teach_roster_close", guards=[require_role(*TEACHERS)])
    async def close(self, tx: Tx, user: User, settings: SettingsDep, session_id: FromPath[UUID]) -> Redirect:
        await attendance.close_roster(tx, session_id=session_id, actor=user, base_url=settings.public_base_url)
        return Redirect(f"/teach/sessions/{session_id}?saved=true", status_code=303)

    @get(
        "/sessions/{session_id:uuid}/roster.csv", operation_id="page_teach_roster_csv", guards=[require_role(*TEACHERS)]
    )
    async def roster_csv(self, tx: Tx, user: User, session_id: FromPath[UUID]) -> Response[bytes]:
        found = await session_queries.roster(tx, session_id=session_id, actor=user)
        if found is None:
            raise NotFound(N_("no such session of yours"))
        return await roster_csv_response(tx, found, actor=user)

    @post("/sessions/{session_id:uuid}/cancel", operation_id="page_teach_cancel", guards=[require_role(*TEACHERS)])
    async def cancel(self, tx: Tx, user: User, session_id: FromPath[UUID]) -> Redirect:
        if not await sessions.cancel_session(tx, session_id=session_id, actor=user):
            raise NotFound(N_("no such session of yours"))
        return Redirect("/teach", status_code=303)

    async def _learners(
        self,
        request: Request[Any, Any, Any],
        db: Any,
        user: Any,
        code: str,
        version: int,
        *,
        result: Any = None,
        error: str | None = None,
        status: int = 200,
        unenrolled: bool = False,
    ) -> Template:
        found = await queries.version_learners(db, viewer=user, code=code, version=version)
        if found is None:
            raise NotFound(N_("no version %(version)s of %(code)s"), params={"version": version, "code": code})
        course, learners = found
        return page(
            request,
            "learning/learners.html.jinja2",
            status=status,
            course=dict(course),
            learners=learners,
            kind_names=KIND_NAMES,
            result=result,
            error=error,
            tt=_tt(request),
            local=local,
            signs=user.role in TEACHERS,
            unenrolled=unenrolled,
        )

    @get("/courses/{code:str}/v/{version:int}", operation_id="page_teach_learners")
    async def learners(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        code: Code,
        version: VersionInPath,
        unenrolled: FromQuery[bool] = False,
    ) -> Template:
        return await self._learners(request, db, user, code, version, unenrolled=unenrolled)

    @post("/courses/{code:str}/v/{version:int}/enroll", operation_id="page_teach_enroll")
    async def enroll(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        code: Code,
        version: VersionInPath,
        data: URLEncodedBody[BulkForm],
    ) -> Template:
        emails = [e for e in re.split(r"[\s,;]+", data.emails) if e]
        try:
            result = await queries.bulk_enroll(tx, actor=user, code=code, version=version, emails=emails, user_ids=[])
        except DomainError as exc:
            return await self._learners(request, tx, user, code, version, error=shown(request, exc), status=exc.status)
        return await self._learners(request, tx, user, code, version, result=result)

    @post("/checkoffs", operation_id="page_teach_checkoff", guards=[require_role(*TEACHERS)])
    async def checkoff(self, tx: Tx, user: User, settings: SettingsDep, data: URLEncodedBody[CheckoffForm]) -> Redirect:
        try:
            enrollment_id = UUID(data.enrollment_id)
        except ValueError:
            raise Invalid(N_("enrollment_id is not valid"), field="enrollment_id") from None
        signed = await checkoffs.sign(
            tx,
            actor=user,
            enrollment_id=enrollment_id,
            activity_key=data.activity_key,
            note=data.note[:2000],
            base_url=settings.public_base_url,
        )
        return Redirect(safe_next(data.next, "/teach") + f"#learner-{signed.enrollment_id}", status_code=303)
