"""HTML of career ladders: a worker sees where she stands on each ladder and her next step; admins record steps
reached elsewhere; the partnership sees advancement and retention (a clinic admin, her own clinic's)."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import ADMINS, require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.audit.queries import record
from lms.csv_export import csv_response
from lms.deps import Db, Tx, User
from lms.errors import Invalid
from lms.i18n import N_, gettext_for, request_language
from lms.programs import common
from lms.programs.pathways import queries, views
from lms.programs.pathways.schemas import StepRecordForm
from lms.reports import dashboards
from lms.reports import queries as report_queries
from lms.web import page

Day = Annotated[str | None, QueryParameter(max_length=10)]


class PathwayPages(Controller):
    path = "/programs/pathways"
    include_in_schema = False
    guards = [require_login]

    @get("/", operation_id="page_programs_pathways")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(
            request,
            "programs/pathways.html.jinja2",
            ladders=await queries.ladders_of(db, user_id=user.id),
            **common.page_helpers(request_language(request)),
        )

    @get("/report", operation_id="page_programs_pathways_report", guards=[require_role(*ADMINS)])
    async def report(
        self, request: Request[Any, Any, Any], db: Db, user: User, start: Day = None, end: Day = None
    ) -> Template:
        """Counts, no names: who reached each step in the period and who is still at a member clinic, overall and by
        clinic and local (a clinic admin sees her clinic's workers only); the form for steps reached elsewhere."""
        filters = dashboards.parse_filters(start=start, end=end)
        steps = await queries.advancement(
            db, start=filters.start, end=filters.end, clinic_id=user.clinic_id if user.role == "clinic_admin" else None
        )
        options = await report_queries.filter_options(db)
        none_label = gettext_for(request_language(request))("Not recorded")
        return page(
            request,
            "programs/pathways_report.html.jinja2",
            steps=steps,
            by_clinic=views.group_rows(steps, "clinic", options, none_label),
            by_local=views.group_rows(steps, "local", options, none_label),
            filters=filters,
            outside=await queries.outside_steps(db),
            today=common.today(),
            **common.page_helpers(request_language(request)),
        )

    @get("/report.csv", operation_id="page_programs_pathways_report_csv", guards=[require_role(*ADMINS)])
    async def report_csv(self, tx: Tx, user: User, start: Day = None, end: Day = None) -> Response[bytes]:
        filters = dashboards.parse_filters(start=start, end=end)
        clinic_id = user.clinic_id if user.role == "clinic_admin" else None
        steps = await queries.advancement(tx, start=filters.start, end=filters.end, clinic_id=clinic_id)
        header, rows = views.advancement_table(
            steps, await report_queries.filter_options(tx), start=filters.start, end=filters.end
        )
        await record(
            tx,
            actor_id=user.id,
            action="report.exported",
            subject=f"pathways:{clinic_id or 'all'}:advancement",
            detail={"rows": len(rows), "filters": {"start": filters.start.isoformat(), "end": filters.end.isoformat()}},
        )
        name = f"lms-pathways-advancement-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
        return csv_response(name, header, rows)

    @post("/records", operation_id="page_programs_pathways_record", guards=[require_role(*ADMINS)])
    async def record_step(self, tx: Tx, user: User, data: URLEncodedBody[StepRecordForm]) -> Redirect:
        ladder, _slash, position = data.step.partition("/")
        if not position.isdigit() or len(position) > 6:
            raise Invalid(N_("step: choose a step"), field="step")
        reached_on = common.parse_date(data.reached_on, "reached_on")
        if reached_on > common.today():
            raise Invalid(N_("reached_on: a step cannot be reached in the future"), field="reached_on")
        done = await queries.record_step(
            tx, viewer=user, email=data.worker.strip(), ladder=ladder, position=int(position), reached_on=reached_on
        )
        if not done["worker"]:
            raise Invalid(N_("worker: no worker of your clinic has this email"), field="worker")
        if not done["step"]:
            raise Invalid(N_("step: not a step reached outside this service"), field="step")
        await record(
            tx,
            actor_id=user.id,
            action="pathways.step_recorded",
            subject=data.step,
            detail={"worker": data.worker.strip()},
        )
        return Redirect("/programs/pathways/report?recorded=1", status_code=303)
