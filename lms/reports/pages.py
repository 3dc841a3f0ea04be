"""HTML: the program dashboard, clinic dashboards, CSV exports of their tables, and the audit log viewer."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.response import Redirect, Template
from markupsafe import Markup

from lms import clinic_time
from lms.accounts.auth import require_role
from lms.catalog.language import TRACK_NAMES
from lms.deps import Db, Tx, User
from lms.errors import Invalid, NotFound
from lms.i18n import N_, gettext_for, locale_of, request_language
from lms.kept_figures import STORE as FIGURES
from lms.kept_figures import KeptView, kept_figures
from lms.reports import dashboards, exports, funder, queries, service, views
from lms.reports.schemas import Filters
from lms.schemas import IdInQuery
from lms.web import page, rendered_block

Text = Annotated[str | None, QueryParameter(max_length=64)]
Table = Annotated[str, PathParameter(pattern=r"^[a-z_]{2,20}\.csv$")]


class ReportPages(Controller):
    path = "/reports"
    dependencies = {"filters": dashboards.FILTERS}
    include_in_schema = False

    @get("/", operation_id="page_reports_home", guards=[require_role("clinic_admin", "program_admin")])
    async def home(self, user: User) -> Redirect:
        return Redirect("/reports/program" if user.role == "program_admin" else "/reports/clinic", status_code=303)

    # ------------------------------------------------------------ program

    @get("/program", operation_id="page_reports_program", guards=[require_role("program_admin")])
    async def program(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        filters: dashboards.ReportFilters,
    ) -> Template:
        lang = request_language(request)
        _ = gettext_for(lang)
        options = await queries.filter_options(tx)
        labels = service.group_labels(options, ui_language=lang, gettext=_)
        board = await service.program_dashboard(
            tx, filters=filters, options=options, labels=labels, none_label=_("Not recorded")
        )
        charts = {
            "targets": views.targets_chart(board.targets, _=_, locale=locale_of(lang)),
            "trend": views.trend_chart(board.trend, board.bucket, _=_, locale=locale_of(lang)),
            "by_track": views.groups_chart(
                board.by_track, title=_("Outcomes by track"), _=_, locale=lang, chart_id="by-track", labels=TRACK_NAMES
            ),
            "by_clinic": views.groups_chart(
                board.by_clinic, title=_("Outcomes by clinic"), _=_, locale=lang, chart_id="by-clinic"
            ),
            "survey": views.likert_chart(board.survey, _=_, locale=locale_of(lang)) if board.survey else None,
            "funder": views.funder_chart(board.funder, _=_, locale=locale_of(lang)),
            "funder_by_clinic": views.funder_groups_chart(
                board.funder, "clinic", title=_("The funder's targets by clinic"), _=_, locale=locale_of(lang)
            ),
            "funder_by_local": views.funder_groups_chart(
                board.funder, "local", title=_("The funder's targets by union local"), _=_, locale=locale_of(lang)
            ),
            "funder_by_month": views.funder_periods_chart(
                board.funder, "month", title=_("The funder's targets month by month"), _=_, locale=locale_of(lang)
            ),
            "funder_by_quarter": views.funder_periods_chart(
                board.funder, "quarter", title=_("The funder's targets quarter by quarter"), _=_, locale=locale_of(lang)
            ),
        }
        return page(
            request,
            "reports/program.html.jinja2",
            board=board,
            charts=charts,
            options=options,
            qs=views.query_string(filters),
            period_label=lambda d: views.period_label(d, board.bucket, locale_of(lang)),
            funder_period_label=lambda d, period: views.period_label(d, period, locale_of(lang)),
            **views.page_helpers(locale_of(lang)),
        )

    @get(
        "/program/export/{table:str}",
        operation_id="page_reports_program_export",
        guards=[require_role("program_admin")],
    )
    async def program_export(
        self,
        tx: Tx,
        user: User,
        table: Table,
        filters: dashboards.ReportFilters,
    ) -> Response[bytes]:
        name = table.removesuffix(".csv")
        if name not in views.PROGRAM_TABLES:
            raise NotFound(
                N_("no table '%(name)s'; one of %(tables)s"),
                params={"name": name, "tables": ", ".join(views.PROGRAM_TABLES)},
                field="table",
            )
        board = await service.program_dashboard(tx, filters=filters, options=await queries.filter_options(tx))
        header, rows = {
            "targets": lambda: views.targets_table(board.targets),
            "trend": lambda: views.trend_table(board.trend, board.bucket),
            "by_track": lambda: views.groups_table(board.by_track, "track"),
            "by_clinic": lambda: views.groups_table(board.by_clinic, "clinic"),
            "survey": lambda: views.survey_table(board.survey),
            "funder": lambda: funder.totals_table(board.funder, filters),
            "funder_by_clinic": lambda: funder.groups_table(board.funder, "clinic"),
            "funder_by_local": lambda: funder.groups_table(board.funder, "local"),
            "funder_by_month": lambda: funder.periods_table(board.funder, "month"),
            "funder_by_quarter": lambda: funder.periods_table(board.funder, "quarter"),
        }[name]()
        await exports.audit_export(tx, actor_id=user.id, scope="program", table=name, filters=filters, rows=len(rows))
        return exports.csv_response(exports.filename("program", name, filters), header, rows)

    # ------------------------------------------------------------ clinics

    @get("/clinic", operation_id="page_reports_my_clinic", guards=[require_role("clinic_admin", "program_admin")])
    async def my_clinic(self, request: Request[Any, Any, Any], db: Db, user: User) -> Redirect | Template:
        if user.role == "clinic_admin":
            return Redirect(f"/reports/clinics/{dashboards.scope_clinic(user, None)}", status_code=303)
        options = await queries.filter_options(db)
        return page(request, "reports/clinics.html.jinja2", clinics=options.clinics)

    @get(
        "/clinics/{clinic_id:uuid}",
        operation_id="page_reports_clinic",
        guards=[require_role("clinic_admin", "program_admin")],
    )
    async def clinic(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: User,
        clinic_id: FromPath[UUID],
        track: Text = None,
        start: Text = None,
        end: Text = None,
        after: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Template:
        """The figures and the page's content block are kept a minute (lms.kept_figures); every viewing is rendered
        for its viewer and audit-logged with the workers shown: one round trip when the view is kept."""
        lang = request_language(request)
        _ = gettext_for(lang)
        scoped = dashboards.scope_clinic(user, clinic_id)
        filters = dashboards.parse_filters(track=track, start=start, end=end)

        async def render_view() -> KeptView:  # the content block holds nothing of the viewer (the subnav is by role)
            async with db.transaction():  # the renewals' query plans itself inside one (queries.plan_each_time)
                options = await queries.filter_options(db)
                labels = service.group_labels(options, ui_language=lang, gettext=_)
                board = await service.clinic_figures(
                    db, clinic_id=scoped, filters=filters, after=after, options=options, labels=labels
                )
            charts = {
                "trend": views.trend_chart(board.trend, board.bucket, _=_, locale=locale_of(lang)),
                "by_track": views.groups_chart(
                    board.by_track,
                    title=_("Outcomes by track"),
                    _=_,
                    locale=lang,
                    chart_id="by-track",
                    labels=TRACK_NAMES,
                ),
                "survey": views.likert_chart(board.survey, _=_, locale=locale_of(lang)) if board.survey else None,
            }
            content = rendered_block(
                request,
                "reports/clinic.html.jinja2",
                board=board,
                charts=charts,
                bodies=sorted({b for w in board.workers for b in w.credit}),
                qs=views.query_string(board.filters, clinic=None),
                after=after,
                period_label=lambda d: views.period_label(d, board.bucket, locale_of(lang)),
                **views.page_helpers(locale_of(lang)),
            )
            return KeptView(
                blocks={"content": str(content)},
                worker_ids=[str(w.user_id) for w in board.workers],
                title=board.clinic_name,
            )

        view = ("report", lang, filters.start, filters.end, filters.track, after, user.role)
        kept = await kept_figures(request.app.stores.get(FIGURES), scoped, view, KeptView, render_view)
        await service.audit_clinic_view(db, viewer=user, clinic_id=scoped, worker_ids=kept.worker_ids)
        return page(
            request,
            "_kept_block.html.jinja2",
            extends="reports/clinic.html.jinja2",
            content=Markup(kept.blocks["content"]),
            clinic_name=kept.title,
        )

    @get(
        "/clinics/{clinic_id:uuid}/export/{table:str}",
        operation_id="page_reports_clinic_export",
        guards=[require_role("clinic_admin", "program_admin")],
    )
    async def clinic_export(
        self,
        tx: Tx,
        user: User,
        clinic_id: FromPath[UUID],
        table: Table,
        track: Text = None,
        start: Text = None,
        end: Text = None,
    ) -> Response[bytes]:
        name = table.removesuffix(".csv")
        if name not in views.CLINIC_TABLES:
            raise NotFound(
                N_("no table '%(name)s'; one of %(tables)s"),
                params={"name": name, "tables": ", ".join(views.CLINIC_TABLES)},
                field="table",
            )
        scoped = dashboards.scope_clinic(user, clinic_id)
        filters = dashboards.parse_filters(track=track, start=start, end=end)
        if name == "workers":
            await queries.plan_each_time(tx)
            workers, _next = await queries.clinic_workers(tx, clinic_id=scoped, after=None, limit=None)
            header, rows = views.workers_table(workers, sorted({b for w in workers for b in w.credit}))
        elif name == "renewals":
            header, rows = views.renewals_table(
                await service.renewals_due(tx, clinic_id=scoped, today=clinic_time.today())
            )
        else:
            board = await service.clinic_dashboard(
                tx,
                viewer=user,
                clinic_id=scoped,
                filters=filters,
                after=None,
                options=await queries.filter_options(tx),
                audit="export",
            )
            header, rows = {
                "trend": lambda: views.trend_table(board.trend, board.bucket),
                "by_track": lambda: views.groups_table(board.by_track, "track"),
                "survey": lambda: views.survey_table(board.survey),
            }[name]()
        scoped_filters = Filters(start=filters.start, end=filters.end, track=filters.track, clinic_id=scoped)
        await exports.audit_export(
            tx, actor_id=user.id, scope="clinic", table=name, filters=scoped_filters, rows=len(rows), clinic_id=scoped
        )
        return exports.csv_response(exports.filename("clinic", name, scoped_filters), header, rows)

    # ------------------------------------------------------------ audit log

    @get("/audit", operation_id="page_reports_audit", guards=[require_role("program_admin")])
    async def audit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        action: Text = None,
        actor: Annotated[str | None, QueryParameter(max_length=254)] = None,
        start: Text = None,
        end: Text = None,
        before: IdInQuery = None,
    ) -> Template:
        start_day = dashboards.parse_day(start, "start")
        end_day = dashboards.parse_day(end, "end")
        if start_day and end_day and end_day < start_day:
            raise Invalid(N_("end: the period ends before it starts"), field="end")
        found = await queries.audit_entries(
            db, action=action or None, actor_email=actor or None, start=start_day, end=end_day, before=before, limit=50
        )
        base = {k: v for k, v in {"action": action, "actor": actor, "start": start, "end": end}.items() if v}
        return page(
            request,
            "reports/audit.html.jinja2",
            found=found,
            action=action or "",
            actor=actor or "",
            start=start or "",
            end=end or "",
            next_qs=urlencode({**base, "before": found.next_before}) if found.next_before else None,
            first_qs=urlencode(base),
            paged=before is not None,
        )
