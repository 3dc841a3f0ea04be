"""HTML for workers: My learning, enrolling, "mark as done" without JavaScript, quizzes, session registration, and
checking in to a session with the code shown in the room."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from lms.accounts.auth import require_login
from lms.catalog import queries as catalog
from lms.catalog.cache import catalog_cache
from lms.catalog.language import KIND_NAMES, TRACK_NAMES, content_language, pick, text_picker
from lms.deps import Db, SettingsDep, Tx, User, connection
from lms.errors import Conflict, Forbidden, Invalid, NotFound, shown
from lms.i18n import N_, request_language
from lms.learning import attendance, page_data, qr, queries, quiz_queries, quizzes, session_queries, sessions, xapi
from lms.learning.schemas import AttendForm, CheckinCodeForm, DoneForm
from lms.learning.statements import record_statements
from lms.media.delivery import lesson_media, visitor_media
from lms.schemas import VersionInPath, VersionInQuery, safe_next
from lms.web import page, rendered_block

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Key = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


def _picker(request: Request[Any, Any, Any]):
    """``tt(map, languages)``: a language map in the reader's language (or the best the course has)."""
    lang = request_language(request)

    def tt(texts: dict[str, str], languages: list[str]) -> str:
        return pick(texts, content_language(lang, languages), languages)[0]

    return tt


def _render(request: Request[Any, Any, Any], template: str, context: dict[str, Any]) -> Callable[[], Awaitable[Markup]]:
    async def render() -> Markup:
        return rendered_block(request, template, **context)

    return render


async def _visitor_page(
    request: Request[Any, Any, Any], content: Awaitable[Markup | None], template: str, context: dict[str, Any]
) -> Template:
    """A visitor's page: its content block as kept, the rest (header, language switch, CSRF token) for this request."""
    return page(request, "_kept_block.html.jinja2", extends=template, content=await content, **context)


class CoursePages(Controller):
    """A course's outline and its activities, with the signed-in worker's enrolment and progress. The published
    version's data is kept in the process (lms/catalog/cache.py), and so is a visitor's content block (the same for
    every visitor); the rest of each page is rendered for each request."""

    include_in_schema = False

    @get("/courses/{code:str}", operation_id="page_course")
    async def course(
        self,
        request: Request[Any, Any, Any],
        code: Code,
        version: VersionInQuery = None,
    ) -> Template:
        state, user = request.app.state, request.scope.get("user")

        async def load() -> Any:
            async with connection(state) as db:
                return await catalog.version_detail(db, code=code, version=version)

        detail = await catalog_cache(state).current(state, ("course", code, version), load)
        if detail is None:
            raise NotFound()
        clang = content_language(request_language(request), detail.languages)
        t, missing = text_picker(clang, detail.languages)
        context = {
            "course": detail,
            "clang": clang,
            "t": t,
            "missing": missing,
            "track_names": TRACK_NAMES,
            "kind_names": KIND_NAMES,
            "language_missing": clang.split("-")[0] != request_language(request),
        }
        if user is None:
            kept_as = ("visitor course", code, version, request_language(request))
            return await _visitor_page(
                request,
                catalog_cache(state).current(
                    state, kept_as, _render(request, "catalog/course.html.jinja2", {**context, "learning": None})
                ),
                "catalog/course.html.jinja2",
                context,
            )
        async with connection(state) as db:
            learning = await page_data.for_course_page(db, user=user, version_id=detail.id)
        return page(request, "catalog/course.html.jinja2", learning=learning, **context)

    @get("/courses/{code:str}/v/{version:int}/{key:str}", operation_id="page_activity")
    async def activity(
        self,
        request: Request[Any, Any, Any],
        code: Code,
        version: VersionInPath,
        key: FromPath[str],
    ) -> Template:
        state, user = request.app.state, request.scope.get("user")

        async def load() -> Any:
            async with connection(state) as db:
                return await catalog.activity_page(db, code=code, version=version, key=key)

        activity = await catalog_cache(state).lesson((code, version, key), load)
        if activity is None:
            raise NotFound()
        clang = content_language(request_language(request), activity.languages)
        t, missing = text_picker(clang, activity.languages)
        context = {
            "a": activity,
            "clang": clang,
            "t": t,
            "missing": missing,
            "kind_names": KIND_NAMES,
            "language_missing": clang.split("-")[0] != request_language(request),
        }
        if user is None:
            kept_as = ("visitor activity", code, version, key, request_language(request))
            return await _visitor_page(
                request,
                catalog_cache(state).lesson(
                    kept_as,
                    _render(
                        request,
                        "catalog/activity.html.jinja2",
                        {**context, "media": visitor_media(activity.learner), "learning": None},
                    ),
                ),
                "catalog/activity.html.jinja2",
                context,
            )
        async with connection(state) as db:
            media = await lesson_media(
                db, state.storage, user=user, version_id=activity.version_id, learner=activity.learner, language=clang
            )
            learning = await page_data.for_activity_page(
                db, user=user, activity=activity, base_url=state.settings.public_base_url, language=clang
            )
        return page(request, "catalog/activity.html.jinja2", media=media, learning=learning, **context)


class LearningPages(Controller):
    include_in_schema = False

    @get("/my", operation_id="page_my_learning", guards=[require_login])
    async def my_learning(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        mine = await queries.my_enrollments(db, user_id=user.id)
        return page(request, "learning/my.html.jinja2", enrollments=mine, tt=_picker(request))

    @post("/courses/{code:str}/v/{version:int}/enroll", operation_id="page_enroll", guards=[require_login])
    async def enroll(self, tx: Tx, user: User, code: Code, version: VersionInPath) -> Redirect:
        await queries.enroll_self(tx, user=user, code=code, version=version)
        return Redirect(f"/courses/{code}?version={version}", status_code=303)

    @post("/learn/{code:str}/v/{version:int}/{key:str}/done", operation_id="page_lesson_done", guards=[require_login])
    async def lesson_done(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        code: Code,
        version: VersionInPath,
        key: Key,
        data: URLEncodedBody[DoneForm],
    ) -> Redirect:
        """The no-JavaScript way to finish a lesson: the same `completed` statement the player would send."""
        enrollment = await queries.enrollment_for(tx, user_id=user.id, code=code, version=version)
        if enrollment is None:
            raise Forbidden(N_("enrol in this course first"), field="enrollment")
        activity = await catalog.activity_page(tx, code=code, version=version, key=key)
        if activity is None:
            raise NotFound(
                N_("no activity %(key)s in %(code)s v%(version)s"),
                params={"key": key, "code": code, "version": version},
            )
        if activity.kind != "lesson":
            raise Invalid(
                N_("only lessons are marked as done; quizzes, sessions and skills are recorded by what you do"),
                field="key",
            )
        statement = xapi.build_statement(
            base_url=settings.public_base_url,
            user_id=user.id,
            verb="completed",
            code=code,
            version=version,
            key=key,
            title=activity.title,
            registration=enrollment["id"],
            language=content_language(request_language(request), activity.languages),
            statement_id=data.statement_id if xapi.is_uuid(data.statement_id) else None,
        )
        try:
            await record_statements(tx, [statement], user=user, base_url=settings.public_base_url)
        except Conflict:
            pass  # the player already sent this click (with the phone's own timestamp): it counts once
        following = (
            f"/courses/{code}/v/{version}/{activity.next_key}"
            if activity.next_key
            else f"/courses/{code}?version={version}"
        )
        return Redirect(safe_next(data.next, following), status_code=303)

    @get("/quiz/{code:str}/v/{version:int}/{key:str}", operation_id="page_quiz", guards=[require_login])
    async def quiz(
        self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, version: VersionInPath, key: Key
    ) -> Template:
        found = await quiz_queries.quiz_for(db, user_id=user.id, code=code, version=version, key=key)
        if found is None:
            raise NotFound()
        return self._quiz_page(request, found, code=code, version=version, key=key)

    @post("/quiz/{code:str}/v/{version:int}/{key:str}", operation_id="page_quiz_submit", guards=[require_login])
    async def submit_quiz(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        code: Code,
        version: VersionInPath,
        key: Key,
    ) -> Template:
        form = await request.form()
        attempt_id = form.get("attempt_id", "")
        answers = {
            name[2:]: [v for v in form.getall(name) if isinstance(v, str) and v]
            for name in form
            if name.startswith("q.")
        }
        found = await quiz_queries.quiz_for(tx, user_id=user.id, code=code, version=version, key=key)
        if found is None:
            raise NotFound()
        clang = content_language(request_language(request), found["languages"])
        try:
            attempt = await quizzes.submit(
                tx,
                user_id=user.id,
                code=code,
                version=version,
                key=key,
                attempt_id=UUID(attempt_id) if xapi.is_uuid(attempt_id) else uuid.uuid4(),
                answers=answers,
                base_url=settings.public_base_url,
                language=clang,
            )
        except Conflict as exc:
            return self._quiz_page(
                request, found, code=code, version=version, key=key, error=shown(request, exc), status=409
            )
        return self._quiz_page(request, found, code=code, version=version, key=key, attempt=attempt)

    def _quiz_page(
        self,
        request: Request[Any, Any, Any],
        found: Any,
        *,
        code: str,
        version: int,
        key: str,
        error: str | None = None,
        status: int = 200,
        attempt: Any = None,
    ) -> Template:
        """The quiz to answer (with a fresh attempt id, so a resent form counts once), or an attempt's result."""
        clang = content_language(request_language(request), found["languages"])
        t, missing = text_picker(clang, found["languages"])
        return page(
            request,
            "learning/quiz.html.jinja2",
            status=status,
            quiz=dict(found),
            questions=quizzes.learner_questions(found),
            attempt=attempt,
            code=code,
            version=version,
            key=key,
            clang=clang,
            t=t,
            missing=missing,
            attempt_id=None if attempt is not None else uuid.uuid4(),
            error=error,
        )

    @post("/sessions/{session_id:uuid}/register", operation_id="page_session_register", guards=[require_login])
    async def register(
        self, tx: Tx, user: User, session_id: FromPath[UUID], data: URLEncodedBody[DoneForm]
    ) -> Redirect:
        await sessions.register(tx, user_id=user.id, session_id=session_id)
        return Redirect(safe_next(data.next, "/my"), status_code=303)

    @post("/sessions/{session_id:uuid}/unregister", operation_id="page_session_unregister", guards=[require_login])
    async def unregister(
        self, tx: Tx, user: User, session_id: FromPath[UUID], data: URLEncodedBody[DoneForm]
    ) -> Redirect:
        await session_queries.unregister(tx, user_id=user.id, session_id=session_id)
        return Redirect(safe_next(data.next, "/my"), status_code=303)

    @get("/attend/{token:str}", operation_id="page_attend_scan")
    async def scan(
        self, request: Request[Any, Any, Any], db: Db, settings: SettingsDep, token: FromPath[str]
    ) -> Template | Redirect:
        """Where the code in the room leads. Signed out: sign in first; the arrival time is kept in a signed pass."""
        session_id = qr.read_attendance_token(settings.secret_key, token)
        if session_id is None:
            return page(
                request,
                "learning/attend.html.jinja2",
                status=400,
                state="expired",
                session=None,
                attendance=None,
                tt=_picker(request),
            )
        user = request.scope.get("user")
        now = datetime.now(UTC)
        if user is None:
            return Redirect(f"/login?next=/attend/pass/{qr.arrival_pass(settings.secret_key, session_id, now)}")
        return await self._confirm(
            request, db, session_id=session_id, arrival=qr.arrival_pass(settings.secret_key, session_id, now, user.id)
        )

    @get("/attend/pass/{arrival:str}", operation_id="page_attend_pass", guards=[require_login])
    async def after_sign_in(
        self, request: Request[Any, Any, Any], db: Db, user: User, settings: SettingsDep, arrival: FromPath[str]
    ) -> Template:
        found = qr.read_arrival_pass(settings.secret_key, arrival, user.id)
        if found is None:
            return page(
                request,
                "learning/attend.html.jinja2",
                status=400,
                state="expired",
                session=None,
                attendance=None,
                tt=_picker(request),
            )
        session_id, arrived_at = found
        return await self._confirm(
            request,
            db,
            session_id=session_id,
            arrival=qr.arrival_pass(settings.secret_key, session_id, arrived_at, user.id),
        )

    async def _confirm(self, request: Request[Any, Any, Any], db: Any, *, session_id: UUID, arrival: str) -> Template:
        session = await session_queries.session_for_worker(db, session_id=session_id)
        if session is None:
            raise NotFound(N_("no such session"))
        return page(
            request,
            "learning/attend.html.jinja2",
            state="confirm",
            session=dict(session),
            arrival=arrival,
            attendance=None,
            tt=_picker(request),
        )

    @post("/attend", operation_id="page_attend_confirm", guards=[require_login])
    async def attend(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        data: URLEncodedBody[AttendForm],
    ) -> Template:
        found = qr.read_arrival_pass(settings.secret_key, data.attendance_pass, user.id)
        if found is None:
            return page(
                request,
                "learning/attend.html.jinja2",
                status=400,
                state="expired",
                session=None,
                attendance=None,
                tt=_picker(request),
            )
        session_id, arrived_at = found
        return await self._record(
            request, tx, settings, user, session_id=session_id, scanned_at=arrived_at, method="qr"
        )

    async def _record(
        self,
        request: Request[Any, Any, Any],
        tx: Any,
        settings: Any,
        user: Any,
        *,
        session_id: UUID,
        scanned_at: datetime,
        method: str,
    ) -> Template:
        try:
            done = await attendance.record_scan(
                tx,
                session_id=session_id,
                user_id=user.id,
                scanned_at=scanned_at,
                method=method,
                base_url=settings.public_base_url,
            )
        except (Forbidden, Conflict) as exc:
            state = "not_enrolled" if isinstance(exc, Forbidden) else "closed"
            return page(
                request,
                "learning/attend.html.jinja2",
                status=exc.status,
                state=state,
                session=None,
                attendance=None,
                tt=_picker(request),
            )
        session = await session_queries.session_for_worker(tx, session_id=session_id)
        return page(
            request,
            "learning/attend.html.jinja2",
            state="recorded",
            session=dict(session) if session else None,
            attendance=done,
            tt=_picker(request),
        )

    @get("/attend", operation_id="page_attend_code_form", guards=[require_login])
    async def code_form(self, request: Request[Any, Any, Any]) -> Template:
        """Check in by typing the short code shown in the room (for a phone that cannot scan)."""
        return page(
            request,
            "learning/attend.html.jinja2",
            state="type",
            session=None,
            attendance=None,
            tt=_picker(request),
            error=None,
        )

    @post("/attend/code", operation_id="page_attend_code", guards=[require_login])
    async def by_code(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        settings: SettingsDep,
        data: URLEncodedBody[CheckinCodeForm],
    ) -> Template:
        typed = sessions.normalize_checkin_code(data.code)
        session_id = await session_queries.session_by_checkin_code(tx, typed) if typed else None
        if session_id is None:
            return page(
                request,
                "learning/attend.html.jinja2",
                status=400,
                state="type",
                session=None,
                attendance=None,
                tt=_picker(request),
                error=True,
                typed=data.code[:20],
            )
        return await self._record(
            request, tx, settings, user, session_id=session_id, scanned_at=datetime.now(UTC), method="code"
        )
