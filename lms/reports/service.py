"""Use cases that span several queries: the program dashboard, a clinic's dashboard, renewals coming due."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import AuditEntry, record_many
from lms.catalog.language import TRACK_NAMES
from lms.credit import queries as credit_queries
from lms.credit.renewal import evaluate, in_effect
from lms.credit.rules import number
from lms.credit.standing import earned_lines, outside_lines
from lms.reports import dashboards, funder, queries, survey_queries, survey_results
from lms.reports.schemas import ClinicDashboard, FilterOptions, Filters, ProgramDashboard, RenewalDue, SurveyResults

RENEWAL_WINDOW_DAYS = 90
WORKERS_PER_PAGE = 50


@functools.lru_cache(maxsize=1024)
def language_name(code: str, ui_language: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(ui_language)
    except (ValueError, UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def group_labels(
    options: FilterOptions, *, ui_language: str = "en", gettext: Callable[[str], str] = lambda s: s
) -> dict[str, dict[str, str]]:
    none = gettext("Not recorded")
    return {
        "track": {k: gettext(v) for k, v in TRACK_NAMES.items()} | {"": none},
        "clinic": {o.id: o.name for o in options.clinics} | {"": none},
        "local": {o.id: o.name for o in options.locals} | {"": none},
        "language": {code: language_name(code, ui_language) for code in options.languages} | {"": none},
    }


async def survey_results_for(
    conn: asyncpg.Connection,
    *,
    survey_id: UUID | None,
    filters: Filters,
    with_comments: bool,
    labels: dict[str, dict[str, str]],
) -> SurveyResults | None:
    await queries.plan_each_time(conn)
    survey_id = survey_id or await survey_queries.default_survey_id(conn)
    survey = await survey_queries.get_survey(conn, survey_id) if survey_id else None
    if survey is None:
        return None
    return await survey_results.results(
        conn,
        survey=survey,
        filters=filters,
        with_comments=with_comments,
        labels=labels,
        today=clinic_time.today(),
    )


async def program_dashboard(
    conn: asyncpg.Connection,
    *,
    filters: Filters,
    options: FilterOptions,
    survey_id: UUID | None = None,
    labels: dict[str, dict[str, str]] | None = None,
    none_label: str = "Not recorded",
) -> ProgramDashboard:
    await queries.plan_each_time(conn)
    labels = labels or group_labels(options)
    bucket = dashboards.bucket_for(filters)
    totals, by_track, by_clinic, trend = await queries.figures(
        conn,
        filters,
        bucket=bucket,
        clinic_names=labels["clinic"],
        none_label=none_label,
    )
    survey = await survey_results_for(conn, survey_id=survey_id, filters=filters, with_comments=True, labels=labels)
    return ProgramDashboard(
        filters=filters,
        bucket=bucket,
        totals=totals,
        by_track=by_track,
        by_clinic=by_clinic,
        trend=trend,
        targets=await queries.target_progress(conn),
        survey=survey,
        funder=await funder.funder_report(conn, filters, labels=labels, none_label=none_label),
    )


async def clinic_dashboard(
    conn: asyncpg.Connection,
    *,
    viewer: CurrentUser,
    clinic_id: UUID,
    filters: Filters,
    after: UUID | None,
    options: FilterOptions,
    labels: dict[str, dict[str, str]] | None = None,
    today: date | None = None,
    audit: str = "page",
) -> ClinicDashboard:
    """``clinic_id`` must come from dashboards.scope_clinic; every query below also filters by it. Audit-logged: a
    clinic dashboard is a lookup of worker records."""
    board = await clinic_figures(
        conn, clinic_id=clinic_id, filters=filters, after=after, options=options, labels=labels, today=today
    )
    await audit_clinic_view(
        conn, viewer=viewer, clinic_id=clinic_id, worker_ids=[str(w.user_id) for w in board.workers], via=audit
    )
    return board


async def clinic_figures(
    conn: asyncpg.Connection,
    *,
    clinic_id: UUID,
    filters: Filters,
    after: UUID | None,
    options: FilterOptions,
    labels: dict[str, dict[str, str]] | None = None,
    today: date | None = None,
) -> ClinicDashboard:
    """A clinic dashboard's figures, the same for every viewer allowed to see the clinic; not audit-logged (the caller
    records each viewing)."""
    await queries.plan_each_time(conn)
    labels = labels or group_labels(options)
    name = await queries.clinic_name(conn, clinic_id)
    scoped = Filters(start=filters.start, end=filters.end, track=filters.track, clinic_id=clinic_id)
    bucket = dashboards.bucket_for(scoped)
    totals, by_track, _by_clinic, trend = await queries.figures(
        conn, scoped, bucket=bucket, clinic_names=labels["clinic"]
    )
    workers, next_after = await queries.clinic_workers(conn, clinic_id=clinic_id, after=after, limit=WORKERS_PER_PAGE)
    active, left = await queries.clinic_headcount(conn, clinic_id=clinic_id)
    due = await renewals_due(conn, clinic_id=clinic_id, today=today or clinic_time.today())
    survey = await survey_results_for(conn, survey_id=None, filters=scoped, with_comments=False, labels=labels)
    return ClinicDashboard(
        clinic_id=clinic_id,
        clinic_name=name,
        filters=scoped,
        bucket=bucket,
        totals=totals,
        by_track=by_track,
        trend=trend,
        workers=workers,
        next_after=next_after,
        renewals=due,
        survey=survey,
        workers_active=active,
        workers_left=left,
    )


def clinic_view_entry(*, viewer: CurrentUser, clinic_id: UUID, worker_ids: list[str], via: str = "page") -> AuditEntry:
    """The audit record of one viewing of a clinic's dashboard (or export): who, which clinic, which workers shown."""
    return AuditEntry(
        actor_id=viewer.id,
        action="report.clinic_viewed",
        subject=str(clinic_id),
        detail={"via": via, "workers": worker_ids},
    )


async def audit_clinic_view(
    conn: asyncpg.Connection, *, viewer: CurrentUser, clinic_id: UUID, worker_ids: list[str], via: str = "page"
) -> None:
    await record_many(conn, [clinic_view_entry(viewer=viewer, clinic_id=clinic_id, worker_ids=worker_ids, via=via)])


async def renewals_due(
    conn: asyncpg.Connection, *, clinic_id: UUID, today: date, days: int = RENEWAL_WINDOW_DAYS
) -> list[RenewalDue]:
    """Workers of this clinic whose renewal cycle ends within ``days``, with the credit that counts so far (the credit
    feature's rules: lms.credit.renewal.evaluate over the certificates' frozen credit lines and the approved outside
    records, as lms.credit.standing counts them for the worker herself)."""
    await queries.plan_each_time(conn)
    candidates = await queries.renewal_candidates(conn, clinic_id=clinic_id, today=today, days=days)
    if not candidates:
        return []
    rules = await credit_queries.load_rules(conn)
    requirements = await credit_queries.load_requirements(conn)
    out = []
    for c in candidates:
        requirement = in_effect(requirements, c["credential"], cycle_start=c["cycle_start"], today=today)
        if requirement is None:  # pragma: no cover - the join makes this impossible
            continue
        # The same lines the worker's own renewal view counts: certificates and approved outside records.
        earned = earned_lines(c["certificates"], rules) + outside_lines(c["outside"], rules)
        status = evaluate(
            requirement,
            rules.get(requirement.body),
            cycle_start=c["cycle_start"],
            earned=earned,
            today=today,
            licensed_on=c["licensed_on"],
        )
        still = max(Decimal(str(status.required)) - Decimal(str(status.counted)), Decimal(0))
        out.append(
            RenewalDue(
                user_id=c["user_id"],
                name=c["name"],
                credential=c["credential"],
                credential_name=c["credential_name"],
                cycle_end=status.cycle_end,
                required=status.required,
                counted=status.counted,
                still_needed=number(still),
                meets=status.meets,
            )
        )
    return out
