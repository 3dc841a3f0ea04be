"""JSON: dashboards, targets, the audit log, surveys (program admins), answering surveys (workers)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter

from lms.accounts.auth import require_login, require_role
from lms.deps import Db, Tx, User
from lms.errors import NotFound
from lms.i18n import N_
from lms.reports import dashboards, queries, service, survey_queries, surveys
from lms.reports.dashboards import Day
from lms.reports.schemas import (
    AuditPage,
    ClinicDashboard,
    PendingSurvey,
    ProgramDashboard,
    Survey,
    SurveyAnswered,
    SurveyAnswerIn,
    SurveyIn,
    SurveyResults,
    TargetIn,
    TargetProgress,
)
from lms.schemas import IdInQuery

Text = Annotated[str | None, QueryParameter(max_length=64)]
TargetKey = Annotated[str, PathParameter(pattern=r"^[a-z][a-z0-9_]{1,62}$")]


class ProgramReportsController(Controller):
    path = "/api/v1/reports"
    dependencies = {"filters": dashboards.FILTERS}
    tags = ["reports"]
    guards = [require_role("program_admin")]

    @get("/program", operation_id="reports_program")
    async def program(
        self,
        tx: Tx,
        filters: dashboards.ReportFilters,
        survey: Annotated[UUID | None, QueryParameter()] = None,
    ) -> ProgramDashboard:
        """Outcomes by track, clinic and period with targets and survey results; empty filters mean "all"."""
        return await service.program_dashboard(
            tx, filters=filters, options=await queries.filter_options(tx), survey_id=survey
        )

    @get("/targets", operation_id="reports_targets")
    async def list_targets(self, db: Db) -> list[TargetProgress]:
        return await queries.target_progress(db)

    @put("/targets/{key:str}", operation_id="reports_target_set")
    async def set_target(self, tx: Tx, user: User, key: TargetKey, data: JSONBody[TargetIn]) -> list[TargetProgress]:
        await queries.set_target(tx, key=key, data=data, actor=user)
        return await queries.target_progress(tx)

    @get("/audit", operation_id="reports_audit")
    async def audit(
        self,
        db: Db,
        action: Text = None,
        actor: Annotated[str | None, QueryParameter(max_length=254)] = None,
        start: Day = None,
        end: Day = None,
        before: IdInQuery = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> AuditPage:
        """Newest first; pass `next_before` back as `before` for the next page."""
        return await queries.audit_entries(
            db,
            action=action,
            actor_email=actor,
            start=dashboards.parse_day(start, "start"),
            end=dashboards.parse_day(end, "end"),
            before=before,
            limit=limit,
        )


class ClinicReportsController(Controller):
    path = "/api/v1/reports/clinics"
    tags = ["reports"]
    guards = [require_role("clinic_admin", "program_admin")]

    @get("/{clinic_id:uuid}", operation_id="reports_clinic")
    async def clinic(
        self,
        tx: Tx,
        user: User,
        clinic_id: FromPath[UUID],
        track: Text = None,
        start: Day = None,
        end: Day = None,
        after: Annotated[UUID | None, QueryParameter(description="next_after of the previous page")] = None,
    ) -> ClinicDashboard:
        """One clinic's enrolments, completions, credit and renewals due in 90 days. Clinic admins: their own only."""
        scoped = dashboards.scope_clinic(user, clinic_id)
        filters = dashboards.parse_filters(track=track, start=start, end=end)
        return await service.clinic_dashboard(
            tx,
            viewer=user,
            clinic_id=scoped,
            filters=filters,
            after=after,
            options=await queries.filter_options(tx),
            audit="api",
        )


class SurveysController(Controller):
    path = "/api/v1/reports/surveys"
    dependencies = {"filters": dashboards.FILTERS}
    tags = ["surveys"]
    guards = [require_login]

    @get("/", operation_id="surveys_list", guards=[require_role("program_admin")])
    async def list_surveys(self, db: Db) -> list[Survey]:
        return await survey_queries.list_surveys(db)

    @post("/", operation_id="surveys_create", guards=[require_role("program_admin")])
    async def create(self, tx: Tx, user: User, data: JSONBody[SurveyIn]) -> Survey:
        return await surveys.create_survey(tx, data, actor=user)

    @get("/pending", operation_id="surveys_pending")
    async def pending(self, db: Db, user: User) -> list[PendingSurvey]:
        """Surveys waiting for the caller: open on-demand ones, and one per completed course."""
        return await survey_queries.pending(db, user_id=user.id)

    @get("/{survey_id:uuid}", operation_id="surveys_get", guards=[require_role("program_admin")])
    async def get_survey(self, db: Db, survey_id: FromPath[UUID]) -> Survey:
        found = await survey_queries.get_survey(db, survey_id)
        if found is None:
            raise NotFound(N_("no such survey"), field="survey_id")
        return found

    @put("/{survey_id:uuid}", operation_id="surveys_update", guards=[require_role("program_admin")])
    async def update(self, tx: Tx, user: User, survey_id: FromPath[UUID], data: JSONBody[SurveyIn]) -> Survey:
        return await surveys.update_survey(tx, survey_id, data, actor=user)

    @get("/{survey_id:uuid}/results", operation_id="surveys_results", guards=[require_role("program_admin")])
    async def results(
        self,
        tx: Tx,
        survey_id: FromPath[UUID],
        filters: dashboards.ReportFilters,
    ) -> SurveyResults:
        """Aggregates for groups of at least 5 respondents only; free text likewise, never with identity."""
        found = await service.survey_results_for(
            tx,
            survey_id=survey_id,
            filters=filters,
            with_comments=True,
            labels=service.group_labels(await queries.filter_options(tx)),
        )
        if found is None:
            raise NotFound(N_("no such survey"), field="survey_id")
        return found

    @post("/{survey_id:uuid}/responses", operation_id="surveys_answer", status_code=201)
    async def answer(
        self, tx: Tx, user: User, survey_id: FromPath[UUID], data: JSONBody[SurveyAnswerIn]
    ) -> SurveyAnswered:
        """A worker's answers, stored without their identity; a second answer is refused (409)."""
        await surveys.answer(
            tx,
            user=user,
            survey_id=survey_id,
            language=data.language,
            answers=data.answers,
            code=data.course,
            version=data.version,
            strict=True,
        )
        return SurveyAnswered(survey_id=survey_id, recorded=True)
