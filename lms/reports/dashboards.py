"""Dashboard figures, read from the summary tables (report_daily, report_worker_tracks) and never from statements.

A program admin sees everything and filters by track, clinic, local, language and period; a clinic admin sees only
their own clinic, and the clinic is in each query's WHERE, not only in the guard.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.catalog.content import TRACKS
from lms.errors import Forbidden, Invalid, NotFound
from lms.reports.schemas import (
    ClinicWorker, FilterOptions, Filters, Figures, GroupRow, TrendPoint,
)

MAX_DAYS = 3660


def today_in_california() -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("America/Los_Angeles")).date()


def parse_day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{field}: use a date like 2026-03-31", field=field) from None


def _uuid(value: str | None, field: str) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise Invalid(f"{field}: not a valid id", field=field) from None


def parse_filters(
    *, track: str | None = None, clinic: str | None = None, local: str | None = None, language: str | None = None,
    start: str | None = None, end: str | None = None, today: date | None = None,
) -> Filters:
    """Query-string values (empty means "all") as Filters; the period defaults to the last twelve months."""
    today = today or today_in_california()
    end_day = parse_day(end, "end") or today
    first = date(end_day.year - 1, end_day.month, 1) + timedelta(days=32)
    start_day = parse_day(start, "start") or first.replace(day=1)
    if end_day < start_day:
        raise Invalid("end: the period ends before it starts", field="end")
    if (end_day - start_day).days > MAX_DAYS:
        raise Invalid("start: choose a period of at most ten years", field="start")
    if track and track not in TRACKS:
        raise Invalid(f"track: one of {', '.join(TRACKS)}", field="track")
    if language and not (2 <= len(language) <= 3 and language.isalpha()):
        raise Invalid("language: a language code such as en or es", field="language")
    return Filters(
        start=start_day, end=end_day, track=track or None, clinic_id=_uuid(clinic, "clinic"), local_id=_uuid(local, "local"),
        language=language.lower() if language else None,
    )


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
            raise Forbidden("your account has no clinic", field="clinic")
        if requested is not None and requested != viewer.clinic_id:
            raise Forbidden("clinic admins see only their own clinic", field="clinic")
        return viewer.clinic_id
    if viewer.role == "program_admin":
        if requested is None:
            raise Invalid("clinic: name the clinic", field="clinic")
        return requested
    raise Forbidden("only clinic and program admins see clinic dashboards", field="role")


# ---------------------------------------------------------------- figures

# Whole months come from report_monthly, the partial months at either end of the period from report_daily ($8..$9 is
# the run of whole months; empty when the period has none). Both are first reduced to (period, track, clinic), a few
# thousand rows, and the grouping sets run over those.
_FILTERS = """($3::text IS NULL OR track = $3) AND ($4::uuid IS NULL OR clinic_id = $4)
              AND ($5::uuid IS NULL OR local_id = $5) AND ($6::text IS NULL OR language = $6)"""
_SUMS = """sum(enrolled) AS enrolled, sum(new_participants) AS new_participants, sum(completed) AS completed,
           sum(certificates) AS certificates, sum(credit_minutes) AS credit_minutes, sum(inperson_minutes) AS inperson_minutes"""
_FIGURES = f"""
WITH d AS MATERIALIZED (
    SELECT day AS bucket, track, clinic_id, {_SUMS}
    FROM report_monthly
    WHERE day >= $8::date AND day < $9::date AND {_FILTERS}
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT date_trunc($7::text, day::timestamp)::date, track, clinic_id, {_SUMS}
    FROM report_daily
    WHERE ((day >= $1::date AND day < least($8::date, $2::date + 1)) OR (day >= greatest($9::date, $1::date) AND day <= $2::date))
      AND {_FILTERS}
    GROUP BY 1, 2, 3
)
SELECT grouping(bucket) = 0 AS by_bucket, grouping(track) = 0 AS by_track, grouping(clinic_id) = 0 AS by_clinic,
       bucket, track, clinic_id,
       coalesce(sum(enrolled), 0)::bigint AS enrolled, coalesce(sum(completed), 0)::bigint AS completed,
       coalesce(sum(certificates), 0)::bigint AS certificates,
       round(coalesce(sum(credit_minutes), 0) / 60.0, 1)::float8 AS credit_hours,
       coalesce(sum(new_participants) FILTER (WHERE track = 'EHR'), 0)::bigint AS ehr_participants,
       round(coalesce(sum(inperson_minutes), 0) / 60.0, 1)::float8 AS inperson_hours
FROM d
GROUP BY GROUPING SETS ((), (track), (clinic_id), (bucket))
"""


def whole_months(filters: Filters, bucket: str, today: date | None = None) -> tuple[date, date]:
    """[first, after) of the whole months inside the period, for report_monthly; empty (first == after) when the chart
    is by day or week, or the period holds no whole month. A month running past today counts as whole: nothing has
    happened in it after today."""
    none = (filters.end + timedelta(days=1),) * 2
    if bucket != "month":
        return none
    today = today or today_in_california()
    first = filters.start if filters.start.day == 1 else (filters.start.replace(day=1) + timedelta(days=32)).replace(day=1)
    next_month = (filters.end.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = next_month if (filters.end + timedelta(days=1) == next_month or filters.end >= today) else filters.end.replace(day=1)
    return (first, after) if first < after else none

_FIGURE_FIELDS = ("enrolled", "completed", "certificates", "credit_hours", "ehr_participants", "inperson_hours")


def _figures(row: Any) -> Figures:
    return Figures(**{name: row[name] for name in _FIGURE_FIELDS})


async def figures(
    conn: asyncpg.Connection, filters: Filters, *, bucket: str, clinic_names: dict[str, str], none_label: str = "—",
) -> tuple[Figures, list[GroupRow], list[GroupRow], list[TrendPoint]]:
    """Totals, by track, by clinic and over time, in one round trip (GROUPING SETS over the daily summary)."""
    first, after = whole_months(filters, bucket)
    rows = await conn.fetch(
        _FIGURES, filters.start, filters.end, filters.track, filters.clinic_id, filters.local_id, filters.language, bucket,
        first, after,
    )
    totals = Figures()
    by_track: dict[str, Figures] = {}
    by_clinic: list[GroupRow] = []
    trend: dict[date, TrendPoint] = {}
    for r in rows:
        if r["by_track"]:
            by_track[r["track"]] = _figures(r)
        elif r["by_clinic"]:
            key = str(r["clinic_id"]) if r["clinic_id"] else None
            by_clinic.append(GroupRow(key=key, label=clinic_names.get(key or "", none_label), figures=_figures(r)))
        elif r["by_bucket"]:
            trend[r["bucket"]] = TrendPoint(period=r["bucket"], enrolled=r["enrolled"], completed=r["completed"],
                                            certificates=r["certificates"])
        else:
            totals = _figures(r)
    tracks = [GroupRow(key=t, label=t, figures=by_track.get(t, Figures())) for t in TRACKS
              if filters.track in (None, t)]
    by_clinic.sort(key=lambda g: g.label.lower())
    points = [trend.get(day, TrendPoint(period=day, enrolled=0, completed=0, certificates=0)) for day in buckets(filters, bucket)]
    return totals, tracks, by_clinic, points


async def filter_options(conn: asyncpg.Connection) -> FilterOptions:
    row = await conn.fetchrow(
        """SELECT (SELECT coalesce(json_agg(json_build_object('id', id::text, 'name', name) ORDER BY name), '[]') FROM clinics) AS clinics,
                  (SELECT coalesce(json_agg(json_build_object('id', id::text, 'name', name) ORDER BY name), '[]') FROM union_locals) AS locals,
                  ARRAY(WITH RECURSIVE l AS (    -- the distinct languages, skipping through the index
                            SELECT min(language) AS language FROM report_worker_tracks
                            UNION ALL
                            SELECT (SELECT min(w.language) FROM report_worker_tracks w WHERE w.language > l.language)
                            FROM l WHERE l.language IS NOT NULL)
                        SELECT language FROM l WHERE language IS NOT NULL
                        UNION SELECT 'en' UNION SELECT 'es' ORDER BY 1) AS languages"""
    )
    return msgspec.convert(dict(row), FilterOptions)


async def clinic_name(conn: asyncpg.Connection, clinic_id: UUID) -> str:
    name = await conn.fetchval("SELECT name FROM clinics WHERE id = $1", clinic_id)
    if name is None:
        raise NotFound("no such clinic", field="clinic")
    return name


# ---------------------------------------------------------------- a clinic's workers

async def clinic_workers(
    conn: asyncpg.Connection, *, clinic_id: UUID, after: UUID | None, limit: int | None,
) -> tuple[list[ClinicWorker], UUID | None]:
    """This clinic's workers (name order, keyset pages), each with their enrolments, completions and credit."""
    rows = await conn.fetch(
        """SELECT u.id AS user_id, u.display_name AS name, u.email, e.enrolled, e.completed, k.certificates,
                  round(k.minutes / 60.0, 1)::float8 AS contact_hours, coalesce(b.credit, '{}') AS credit
           FROM users u
           CROSS JOIN LATERAL (SELECT count(*) AS enrolled, count(x.completed_at) AS completed
                               FROM enrollments x WHERE x.user_id = u.id) e
           CROSS JOIN LATERAL (SELECT count(*) AS certificates, coalesce(sum((c.facts ->> 'contact_minutes')::int), 0) AS minutes
                               FROM certificates c WHERE c.user_id = u.id AND c.revoked_at IS NULL) k
           CROSS JOIN LATERAL (SELECT json_object_agg(body, credit) AS credit FROM (
                                   SELECT l ->> 'body' AS body, sum((l ->> 'credit')::numeric)::float8 AS credit
                                   FROM certificates c CROSS JOIN jsonb_array_elements(c.facts -> 'credits') l
                                   WHERE c.user_id = u.id AND c.revoked_at IS NULL
                                   GROUP BY 1 HAVING sum((l ->> 'credit')::numeric) > 0 ORDER BY 1) per_body) b
           WHERE u.clinic_id = $1 AND u.role = 'worker' AND u.active
             AND ($2::uuid IS NULL OR (u.display_name, u.id) > (SELECT p.display_name, p.id FROM users p
                                                                  WHERE p.id = $2 AND p.clinic_id = $1))
           ORDER BY u.display_name, u.id
           LIMIT $3""",
        clinic_id, after, None if limit is None else limit + 1,
    )
    workers = [msgspec.convert(dict(r), ClinicWorker) for r in rows]
    if limit is not None and len(workers) > limit:
        return workers[:limit], workers[limit - 1].user_id
    return workers, None


async def renewal_candidates(conn: asyncpg.Connection, *, clinic_id: UUID, today: date, days: int) -> list[dict[str, Any]]:
    """This clinic's workers whose renewal cycle ends within ``days``, with their certificates' frozen credit lines."""
    rows = await conn.fetch(
        """SELECT u.id AS user_id, u.display_name AS name, w.credential, r.name AS credential_name, w.cycle_start,
                  renewal_cycle_end(w.cycle_start, r.cycle_months, $2) AS cycle_end,
                  (SELECT coalesce(json_agg(json_build_object(
                              'code', c.code, 'completed_on', c.facts ->> 'completed_on', 'revoked', c.revoked_at IS NOT NULL,
                              'credits', c.facts -> 'credits') ORDER BY c.completed_at), '[]')
                   FROM certificates c WHERE c.user_id = u.id) AS certificates
           FROM worker_credentials w
           JOIN credential_requirements r ON r.credential = w.credential
           JOIN users u ON u.id = w.user_id
           WHERE u.clinic_id = $1 AND u.role = 'worker' AND u.active
             AND renewal_cycle_end(w.cycle_start, r.cycle_months, $2) <= $2 + $3::int
           ORDER BY cycle_end, u.display_name, u.id""",
        clinic_id, today, days,
    )
    return [dict(r) for r in rows]
