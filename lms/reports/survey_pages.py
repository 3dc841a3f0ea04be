"""HTML for surveys: workers answer them (in their language, anonymously); program admins write them and read results."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from lms.accounts.auth import require_login, require_role
from lms.catalog.language import content_language, text_picker
from lms.deps import Db, Tx, User
from lms.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, invalid_value, shown
from lms.i18n import N_, gettext_for, locale_of, request_language
from lms.reports import dashboards, exports, queries, service, survey_queries, surveys, views
from lms.reports.schemas import LIKERT_LABELS, SURVEY_KIND_NAMES, Survey, SurveyIn
from lms.schemas import VersionInPath
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Text = Annotated[str | None, QueryParameter(max_length=64)]
FORM_LANGUAGES = ("en", "es")
MAX_QUESTIONS = 30


async def _form(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# ---------------------------------------------------------------- workers


def _worker_page(
    request: Request[Any, Any, Any],
    found: dict[str, Any],
    *,
    action: str,
    state: str,
    status: int = 200,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> Template:
    survey: Survey = found["survey"]
    clang = content_language(request_language(request), survey.languages)
    t, missing = text_picker(clang, survey.languages)
    course_title = None
    if found.get("course_title"):
        course_title = text_picker(content_language(clang, list(found["course_title"])), list(found["course_title"]))[
            0
        ](found["course_title"])
    return page(
        request,
        "reports/survey_form.html.jinja2",
        status=status,
        survey=survey,
        t=t,
        missing=missing,
        clang=clang,
        state=state,
        action=action,
        error=error,
        values=values or {},
        likert_labels=LIKERT_LABELS,
        course_title=course_title,
        course_code=found.get("code"),
    )


def _state(found: dict[str, Any]) -> str:
    if found["answered_by_me"]:
        return "answered"
    if not found["may_answer"]:
        return "not_completed" if found["survey"].kind == "post_course" else "closed"
    return "open"


class SurveyPages(Controller):
    path = "/surveys"
    include_in_schema = False
    guards = [require_login]

    @get("/", operation_id="page_surveys_mine")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        waiting = await survey_queries.pending(db, user_id=user.id) if user.role == "worker" else []
        lang = request_language(request)
        return page(
            request,
            "reports/my_surveys.html.jinja2",
            waiting=waiting,
            pick=lambda texts, languages: text_picker(content_language(lang, languages), languages)[0](texts),
        )

    async def _show(
        self,
        request: Request[Any, Any, Any],
        db: Any,
        user: Any,
        *,
        survey_id: UUID | None,
        code: str | None,
        version: int | None,
        action: str,
    ) -> Template:
        found = await survey_queries.survey_for_worker(
            db, user_id=user.id, survey_id=survey_id, code=code, version=version
        )
        if found is None or (found["survey"].kind == "post_course" and found["version_id"] is None):
            raise NotFound(N_("no such survey"))
        if survey_id is not None and found["survey"].kind == "post_course" and code is None:
            raise NotFound(N_("this survey is about a course: open it from the course"))
        return _worker_page(request, found, action=action, state=_state(found) if user.role == "worker" else "preview")

    async def _submit(
        self,
        request: Request[Any, Any, Any],
        tx: Any,
        user: Any,
        *,
        survey_id: UUID | None,
        code: str | None,
        version: int | None,
        action: str,
    ) -> Template:
        form = await _form(request)
        answers = {key[2:]: value for key, value in form.items() if key.startswith("q.")}
        try:
            await surveys.answer(
                tx,
                user=user,
                survey_id=survey_id,
                language=form.get("language", "en"),
                answers=answers,
                code=code,
                version=version,
                strict=False,
            )
        except (Invalid, Conflict, Forbidden) as exc:
            found = await survey_queries.survey_for_worker(
                tx, user_id=user.id, survey_id=survey_id, code=code, version=version
            )
            if found is None:
                raise
            state = "open" if isinstance(exc, Invalid) else _state(found)
            return _worker_page(
                request, found, action=action, state=state, status=exc.status, error=shown(request, exc), values=answers
            )
        found = await survey_queries.survey_for_worker(
            tx, user_id=user.id, survey_id=survey_id, code=code, version=version
        )
        assert found is not None
        return _worker_page(request, found, action=action, state="thanks")

    @get("/{survey_id:uuid}", operation_id="page_survey")
    async def on_demand(
        self, request: Request[Any, Any, Any], db: Db, user: User, survey_id: FromPath[UUID]
    ) -> Template:
        return await self._show(
            request, db, user, survey_id=survey_id, code=None, version=None, action=f"/surveys/{survey_id}"
        )

    @post("/{survey_id:uuid}", operation_id="page_survey_answer")
    async def answer_on_demand(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, survey_id: FromPath[UUID]
    ) -> Template:
        return await self._submit(
            request, tx, user, survey_id=survey_id, code=None, version=None, action=f"/surveys/{survey_id}"
        )

    @get("/after/{code:str}/{version:int}", operation_id="page_survey_after_course")
    async def after_course(
        self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, version: VersionInPath
    ) -> Template:
        return await self._show(
            request, db, user, survey_id=None, code=code, version=version, action=f"/surveys/after/{code}/{version}"
        )

    @post("/after/{code:str}/{version:int}", operation_id="page_survey_after_course_answer")
    async def answer_after_course(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, version: VersionInPath
    ) -> Template:
        return await self._submit(
            request, tx, user, survey_id=None, code=code, version=version, action=f"/surveys/after/{code}/{version}"
        )


# ---------------------------------------------------------------- program admins


def _key_from(text: str, taken: set[str], position: int) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-") or f"q{position + 1}"
    if not base[0].isalnum():
        base = f"q{position + 1}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def survey_from_form(form: dict[str, str], languages: list[str], existing: Survey | None) -> SurveyIn:
    """The admin form (one column per language) as a SurveyIn; other languages of an existing survey are kept."""
    keep = {q.key: q.prompt for q in existing.questions} if existing else {}

    def texts(prefix: str, old: dict[str, str]) -> dict[str, str]:
        merged = {k: v for k, v in old.items() if k not in languages}
        merged.update({lang: form.get(f"{prefix}.{lang}", "").strip() for lang in languages})
        return {k: v for k, v in merged.items() if v}

    questions: list[dict[str, Any]] = []
    taken: set[str] = set()
    for i in range(MAX_QUESTIONS):
        kind = form.get(f"q{i}.kind", "")
        if kind not in ("likert", "text"):
            continue
        key = form.get(f"q{i}.key", "").strip()
        if not key or key in taken:
            key = _key_from(
                form.get(f"q{i}.en", "") or next((form.get(f"q{i}.{lang}", "") for lang in languages), ""),
                taken | set(keep),
                i,
            )
        taken.add(key)
        questions.append({"key": key, "kind": kind, "prompt": texts(f"q{i}", keep.get(key, {}))})
    data = {
        "kind": form.get("kind", "post_course"),
        "title": texts("title", existing.title if existing else {}),
        "intro": texts("intro", existing.intro if existing else {}),
        "questions": questions,
        "is_default": form.get("is_default") == "on",
        "opens_at": surveys.opening(form.get("opens_on")),
        "closes_at": surveys.opening(form.get("closes_on"), end=True),
    }
    if not questions:
        raise Invalid(N_("questions: add at least one question"), field="questions")
    try:
        return msgspec.convert(data, SurveyIn)
    except msgspec.ValidationError as exc:
        raise invalid_value(exc, field="survey") from None


class SurveyAdminPages(Controller):
    path = "/reports/surveys"
    dependencies = {"filters": dashboards.FILTERS}
    include_in_schema = False
    guards = [require_role("program_admin")]

    def _edit(
        self,
        request: Request[Any, Any, Any],
        *,
        survey: Survey | None,
        status: int = 200,
        error: str | None = None,
        form: dict[str, str] | None = None,
        results: Any = None,
        filters: Any = None,
        options: Any = None,
        charts: Any = None,
        saved: bool = False,
    ) -> Template:
        languages = list(FORM_LANGUAGES) + [
            tag for tag in (survey.languages if survey else []) if tag not in FORM_LANGUAGES
        ]
        rows = len(survey.questions) + 3 if survey else 6
        lang = request_language(request)
        return page(
            request,
            "reports/survey_edit.html.jinja2",
            status=status,
            survey=survey,
            error=error,
            form=form,
            languages=languages,
            rows=min(rows, MAX_QUESTIONS),
            kind_names=SURVEY_KIND_NAMES,
            results=results,
            filters=filters,
            options=options,
            charts=charts or {},
            saved=saved,
            qs=views.query_string(filters) if filters else "",
            **views.page_helpers(locale_of(lang)),
        )

    @get("/", operation_id="page_reports_surveys")
    async def list_surveys(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(
            request,
            "reports/surveys.html.jinja2",
            surveys=await survey_queries.list_surveys(db),
            kind_names=SURVEY_KIND_NAMES,
            pick=lambda texts, languages: text_picker(
                content_language(request_language(request), languages), languages
            )[0](texts),
        )

    @get("/new", operation_id="page_reports_survey_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return self._edit(request, survey=None)

    @post("/new", operation_id="page_reports_survey_create")
    async def create(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Redirect | Template:
        form = await _form(request)
        try:
            created = await surveys.create_survey(tx, survey_from_form(form, list(FORM_LANGUAGES), None), actor=user)
        except (Invalid, Conflict) as exc:
            return self._edit(request, survey=None, status=exc.status, error=shown(request, exc), form=form)
        return Redirect(f"/reports/surveys/{created.id}?saved=1", status_code=303)

    @get("/{survey_id:uuid}", operation_id="page_reports_survey")
    async def show(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        survey_id: FromPath[UUID],
        filters: dashboards.ReportFilters,
        saved: Text = None,
    ) -> Template:
        survey = await survey_queries.get_survey(tx, survey_id)
        if survey is None:
            raise NotFound(N_("no such survey"))
        lang = request_language(request)
        _ = gettext_for(lang)
        options = await queries.filter_options(tx)
        results = await service.survey_results_for(
            tx,
            survey_id=survey_id,
            filters=filters,
            with_comments=True,
            labels=service.group_labels(options, ui_language=lang, gettext=_),
        )
        charts = {"survey": views.likert_chart(results, _=_, locale=locale_of(lang))} if results else {}
        return self._edit(
            request, survey=survey, results=results, filters=filters, options=options, charts=charts, saved=bool(saved)
        )

    @post("/{survey_id:uuid}", operation_id="page_reports_survey_update")
    async def update(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, survey_id: FromPath[UUID]
    ) -> Redirect | Template:
        survey = await survey_queries.get_survey(tx, survey_id)
        if survey is None:
            raise NotFound(N_("no such survey"))
        form = await _form(request)
        languages = list(FORM_LANGUAGES) + [tag for tag in survey.languages if tag not in FORM_LANGUAGES]
        try:
            await surveys.update_survey(tx, survey_id, survey_from_form(form, languages, survey), actor=user)
        except DomainError as exc:
            return self._edit(request, survey=survey, status=exc.status, error=shown(request, exc), form=form)
        return Redirect(f"/reports/surveys/{survey_id}?saved=1", status_code=303)

    @get("/{survey_id:uuid}/results.csv", operation_id="page_reports_survey_export")
    async def export(
        self,
        tx: Tx,
        user: User,
        survey_id: FromPath[UUID],
        filters: dashboards.ReportFilters,
    ) -> Response[bytes]:
        results = await service.survey_results_for(
            tx,
            survey_id=survey_id,
            filters=filters,
            with_comments=False,
            labels=service.group_labels(await queries.filter_options(tx)),
        )
        if results is None:
            raise NotFound(N_("no such survey"))
        header, rows = views.survey_table(results)
        await exports.audit_export(
            tx, actor_id=user.id, scope="survey", table=str(survey_id), filters=filters, rows=len(rows)
        )
        return exports.csv_response(exports.filename("survey", str(survey_id)[:8], filters), header, rows)
