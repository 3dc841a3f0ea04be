"""A dashboard's filters and periods: what a request asks for, checked, and the buckets of its chart. The figures
themselves come from lms.reports.queries.

A program admin sees everything and filters by track, clinic, local, language and period; a clinic admin sees only
their own clinic (``scope_clinic``), and the clinic is in each query's WHERE, not only in the guard.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.catalog.content import TRACKS
from lms.errors import Forbidden, Invalid
from lms.i18n import N_
from lms.reports.schemas import Filters

MAX_DAYS = 3660


def parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("%(field)s: use a date like 2026-03-31"), params={"field": field}, field=field) from None


def _uuid(value: str | None, field: str) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise Invalid(N_("%(field)s: not a valid id"), params={"field": field}, field=field) from None


def parse_filters(
    *,
    track: str | None = None,
    clinic: str | None = None,
    local: str | None = None,
    language: str | None = None,
    start: str | None = None,
    end: str | None = None,
    today: date | None = None,
) -> Filters:
    """Query-string values (empty means "all") as Filters; the period defaults to the last twelve months."""
    today = today or clinic_time.today()
    end_day = parse_day(end, "end") or today
    first = date(end_day.year - 1, end_day.month, 1) + timedelta(days=32)
    start_day = parse_day(start, "start") or first.replace(day=1)
    if end_day < start_day:
        raise Invalid(N_("end: the period ends before it starts"), field="end")
    if (end_day - start_day).days > MAX_DAYS:
        raise Invalid(N_("start: choose a period of at most ten years"), field="start")
    if track and track not in TRACKS:
        raise Invalid(N_("track: one of %(tracks)s"), params={"tracks": ", ".join(TRACKS)}, field="track")
    if language and not (2 <= len(language) <= 3 and language.isalpha()):
        raise Invalid(N_("language: a language code such as en or es"), field="language")
    return Filters(
        start=start_day,
        end=end_day,
        track=track or None,
        clinic_id=_uuid(clinic, "clinic"),
        local_id=_uuid(local, "local"),
        language=language.lower() if language else None,
    )


Choice = Annotated[str | None, QueryParameter(max_length=64)]
Day = Annotated[str | None, QueryParameter(max_length=10, description="A date, YYYY-MM-DD (California)")]


async def report_filters(
    track: Choice = None,
    clinic: Choice = None,
    local: Choice = None,
    language: Choice = None,
    start: Day = None,
    end: Day = None,
) -> Filters:
    """The report filters of a query string, for every report page and its JSON twin: a bad one is a 400 naming it."""
    return parse_filters(track=track, clinic=clinic, local=local, language=language, start=start, end=end)


# ``filters: ReportFilters`` in a handler of a controller with ``dependencies = {"filters": FILTERS}``
FILTERS = Provide(report_filters)
ReportFilters = NamedDependency[Filters]


def bucket_for(filters: Filters) -> str:
    days = (filters.end - filters.start).days
    return "month" if days > 92 else "week" if days > 31 else "day"


def buckets(filters: Filters, bucket: str) -> list[date]:
    """Every period start in the range, so a chart shows empty months as zero instead of skipping them."""
    if bucket == "month":
        day, out = filters.start.replace(day=1), []
        while day <= filters.end:
            out.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return out
    if bucket == "week":
        day = filters.start - timedelta(days=filters.start.weekday())
        step = 7
    else:
        day, step = filters.start, 1
    out = []
    while day <= filters.end:
        out.append(day)
        day += timedelta(days=step)
    return out


def scope_clinic(viewer: CurrentUser, requested: UUID | None) -> UUID:
    """The clinic a viewer may see: a clinic admin only their own (asking for another is refused), a program admin any."""
    if viewer.role == "clinic_admin":
        if viewer.clinic_id is None:
            raise Forbidden(N_("your account has no clinic"), field="clinic")
        if requested is not None and requested != viewer.clinic_id:
            raise Forbidden(N_("clinic admins see only their own clinic"), field="clinic")
        return viewer.clinic_id
    if viewer.role == "program_admin":
        if requested is None:
            raise Invalid(N_("clinic: name the clinic"), field="clinic")
        return requested
    raise Forbidden(N_("only clinic and program admins see clinic dashboards"), field="role")


def whole_months(filters: Filters, bucket: str, today: date | None = None) -> tuple[date, date]:
    """[first, after) of the whole months inside the period, for report_monthly; empty (first == after) when the chart
    is by day or week, or the period holds no whole month. A month running past today counts as whole: nothing has
    happened in it after today."""
    none = (filters.end + timedelta(days=1),) * 2
    if bucket != "month":
        return none
    today = today or clinic_time.today()
    first = (
        filters.start if filters.start.day == 1 else (filters.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    )
    next_month = (filters.end.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (
        next_month
        if (filters.end + timedelta(days=1) == next_month or filters.end >= today)
        else filters.end.replace(day=1)
    )
    return (first, after) if first < after else none
