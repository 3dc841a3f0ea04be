"""The reports' SQL: dashboard figures from the summary tables (report_monthly, report_daily, report_worker_tracks,
never statements), a clinic's workers and renewals, the partnership's targets, and the append-only audit log.

A clinic admin's clinic is in each query's WHERE (lms.reports.dashboards.scope_clinic decides which), not only in the
guard. The audit log is read newest first in keyset pages (``id < before``), so page 1,000 costs what page 1 costs;
only the conditions asked for go into its SQL, so each filter walks its own index.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.catalog.content import TRACKS
from lms.clinic_time import ZONE_NAME
from lms.credit.outside.queries import APPROVED_JSON
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.reports.dashboards import buckets, whole_months
from lms.reports.schemas import (
    AuditEntry,
    AuditPage,
    ClinicWorker,
    Figures,
    FilterOptions,
    Filters,
    GroupRow,
    TargetIn,
    TargetProgress,
    TrendPoint,
)


async def plan_each_time(conn: asyncpg.Connection) -> None:
    """Report queries take optional filters (`$n IS NULL OR column = $n`) and periods of any length. After five runs
    PostgreSQL may switch a prepared statement to one generic plan, estimated for no value in particular: at 100,000
    workers that turned a 0.3 s survey summary into a 2 s nested loop. Plan each run for its values instead (a few ms).
    For this transaction only (SET LOCAL): pooled connections go back without a reset, and the hot paths that use them
    next want their cached plans."""
    if not conn.is_in_transaction():
        raise RuntimeError("report queries run in a transaction (inject `tx`), so their planning setting ends with it")
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")


async def refresh_summaries(conn: asyncpg.Connection) -> tuple[int, int]:
    """Rebuild report_daily and report_worker_tracks (triggers keep them current; this repairs or backfills)."""
    await conn.execute("SELECT report_rebuild()")
    return (
        await conn.fetchval("SELECT count(*) FROM report_daily"),
        await conn.fetchval("SELECT count(*) FROM report_worker_tracks"),
    )


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


_FIGURE_FIELDS = ("enrolled", "completed", "certificates", "credit_hours", "ehr_participants", "inperson_hours")


def _figures(row: Any) -> Figures:
    return Figures(**{name: row[name] for name in _FIGURE_FIELDS})


async def figures(
    conn: asyncpg.Connection,
    filters: Filters,
    *,
    bucket: str,
    clinic_names: dict[str, str],
    none_label: str = "—",
) -> tuple[Figures, list[GroupRow], list[GroupRow], list[TrendPoint]]:
    """Totals, by track, by clinic and over time, in one round trip (GROUPING SETS over the daily summary)."""
    first, after = whole_months(filters, bucket)
    rows = await conn.fetch(
        _FIGURES,
        filters.start,
        filters.end,
        filters.track,
        filters.clinic_id,
        filters.local_id,
        filters.language,
        bucket,
        first,
        after,
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
            trend[r["bucket"]] = TrendPoint(
                period=r["bucket"], enrolled=r["enrolled"], completed=r["completed"], certificates=r["certificates"]
            )
        else:
            totals = _figures(r)
    tracks = [
        GroupRow(key=t, label=t, figures=by_track.get(t, Figures())) for t in TRACKS if filters.track in (None, t)
    ]
    by_clinic.sort(key=lambda g: g.label.lower())
    points = [
        trend.get(day, TrendPoint(period=day, enrolled=0, completed=0, certificates=0))
        for day in buckets(filters, bucket)
    ]
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
        raise NotFound(N_("no such clinic"), field="clinic")
    return name


# ---------------------------------------------------------------- a clinic's workers


async def clinic_workers(
    conn: asyncpg.Connection,
    *,
    clinic_id: UUID,
    after: UUID | None,
    limit: int | None,
) -> tuple[list[ClinicWorker], UUID | None]:
    """This clinic's workers (name order, keyset pages), each with their enrolments, completions and credit. Workers
    who left (deactivated) stay in the list, marked with the day they left: their training happened here."""
    rows = await conn.fetch(
        """SELECT u.id AS user_id, u.display_name AS name, u.email, e.enrolled, e.completed, k.certificates,
                  CASE WHEN NOT u.active THEN coalesce(u.deactivated_at, u.created_at) END AS left_at,
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
           WHERE u.clinic_id = $1 AND u.role = 'worker'
             AND ($2::uuid IS NULL OR (u.display_name, u.id) > (SELECT p.display_name, p.id FROM users p
                                                                  WHERE p.id = $2 AND p.clinic_id = $1))
           ORDER BY u.display_name, u.id
           LIMIT $3""",
        clinic_id,
        after,
        None if limit is None else limit + 1,
    )
    workers = [msgspec.convert(dict(r), ClinicWorker) for r in rows]
    if limit is not None and len(workers) > limit:
        return workers[:limit], workers[limit - 1].user_id
    return workers, None


async def clinic_headcount(conn: asyncpg.Connection, *, clinic_id: UUID) -> tuple[int, int]:
    """(workers active, workers who left) of this clinic."""
    row = await conn.fetchrow(
        """SELECT count(*) FILTER (WHERE active) AS active, count(*) FILTER (WHERE NOT active) AS left_
           FROM users WHERE clinic_id = $1 AND role = 'worker'""",
        clinic_id,
    )
    return row["active"], row["left_"]


async def renewal_candidates(
    conn: asyncpg.Connection, *, clinic_id: UUID, today: date, days: int
) -> list[dict[str, Any]]:
    """This clinic's workers whose renewal cycle ends within ``days``, with their certificates' frozen credit lines and
    their approved outside records, shaped as the credit feature's standing reads them (lms.credit.standing)."""
    rows = await conn.fetch(
        f"""SELECT u.id AS user_id, u.display_name AS name, w.credential, r.name AS credential_name, w.cycle_start,
                  w.licensed_on, renewal_cycle_end(w.cycle_start, r.cycle_months, $2) AS cycle_end,
                  (SELECT coalesce(json_agg(json_build_object(
                              'code', c.code, 'completed_on', c.facts ->> 'completed_on', 'revoked', c.revoked_at IS NOT NULL,
                              'credits', coalesce(c.facts -> 'credits', '[]'), 'live_minutes', c.facts -> 'live_minutes',
                              'in_person_minutes', c.facts -> 'in_person_minutes',
                              'valid_until', c.valid_until) ORDER BY c.completed_at), '[]')
                   FROM certificates c WHERE c.user_id = u.id AND c.facts ->> 'completed_on' IS NOT NULL) AS certificates,
                  {APPROVED_JSON} AS outside
           FROM worker_credentials w
           JOIN credential_requirements r ON r.credential = w.credential
           JOIN users u ON u.id = w.user_id
           WHERE u.clinic_id = $1 AND u.role = 'worker' AND u.active
             AND renewal_cycle_end(w.cycle_start, r.cycle_months, $2) <= $2 + $3::int
           ORDER BY cycle_end, u.display_name, u.id""",
        clinic_id,
        today,
        days,
    )
    return [dict(r) for r in rows]


# ---------------------------------------------------------------- targets
# What each target counts is data too: a measure and the tracks that count (0006_reports.sql), or one of the programs'
# records (0060_programs.sql).


# Whole months of a target's period from report_monthly, the days at its ends from report_daily.
_SUMMED = """(SELECT coalesce(sum(m.{column}), 0) FROM report_monthly m
              WHERE m.track = ANY (t.tracks) AND m.day >= w.first AND m.day < w.after)
           + (SELECT coalesce(sum(d.{column}), 0) FROM report_daily d
              WHERE d.track = ANY (t.tracks)
                AND ((d.day >= t.period_start AND d.day < least(w.first, t.period_end + 1))
                     OR (d.day >= greatest(w.after, t.period_start) AND d.day <= t.period_end)))"""


async def target_progress(conn: asyncpg.Connection) -> list[TargetProgress]:
    rows = await conn.fetch(
        f"""SELECT t.key, t.name, t.description, t.measure, t.tracks, t.target, t.period_start, t.period_end,
                   CASE t.measure
                       WHEN 'certificates' THEN {_SUMMED.format(column="certificates")}
                       WHEN 'completions' THEN {_SUMMED.format(column="completed")}
                       WHEN 'apprentices_placed' THEN (SELECT count(DISTINCT a.user_id) FROM apprenticeships a
                                                       WHERE a.placed_on BETWEEN t.period_start AND t.period_end)
                       WHEN 'tuition_reimbursed' THEN (SELECT count(DISTINCT r.user_id) FROM tuition_requests r
                                                       WHERE r.status IN ('approved', 'paid')
                                                         AND report_day(r.approved_at) BETWEEN t.period_start AND t.period_end)
                       WHEN 'preceptorship_workers' THEN (SELECT count(DISTINCT p.user_id) FROM preceptorships p
                                                          WHERE p.starts_on BETWEEN t.period_start AND t.period_end)
                       ELSE (SELECT count(DISTINCT x.user_id) FROM report_worker_tracks x
                             WHERE x.track = ANY (t.tracks) AND x.first_enrolled_on BETWEEN t.period_start AND t.period_end)
                   END::bigint AS achieved
            FROM program_targets t
            CROSS JOIN LATERAL (
                SELECT CASE WHEN extract(day FROM t.period_start) = 1 THEN t.period_start
                            ELSE (date_trunc('month', t.period_start) + interval '1 month')::date END AS first,
                       date_trunc('month', t.period_end + 1)::date AS after) w
            ORDER BY t.position, t.key"""
    )
    return [msgspec.convert(dict(r), TargetProgress) for r in rows]


async def set_target(conn: asyncpg.Connection, *, key: str, data: TargetIn, actor: CurrentUser) -> None:
    row = await conn.fetchrow(
        """WITH t AS (SELECT key, period_start, period_end FROM program_targets WHERE key = $1),
                u AS (UPDATE program_targets p
                      SET target = $2, period_start = coalesce($3, t.period_start), period_end = coalesce($4, t.period_end)
                      FROM t WHERE p.key = t.key AND coalesce($4, t.period_end) >= coalesce($3, t.period_start)
                      RETURNING p.target, p.period_start, p.period_end)
           SELECT (SELECT count(*) FROM t) AS found, u.target, u.period_start, u.period_end FROM (SELECT 1) one LEFT JOIN u ON true""",
        key,
        data.target,
        data.period_start,
        data.period_end,
    )
    if not row["found"]:
        raise NotFound(N_("no such target"), field="key")
    if row["target"] is None:
        raise Invalid(N_("period_end: the period ends before it starts"), field="period_end")
    await record(
        conn,
        actor_id=actor.id,
        action="report.target_changed",
        subject=key,
        detail={
            "target": row["target"],
            "period_start": row["period_start"].isoformat(),
            "period_end": row["period_end"].isoformat(),
        },
    )


# ---------------------------------------------------------------- audit log


async def audit_actions(conn: asyncpg.Connection) -> list[str]:
    """The distinct actions, by skipping through the (action, id) index instead of reading the table."""
    rows = await conn.fetch(
        """WITH RECURSIVE a AS (
               SELECT min(action) AS action FROM audit_log
               UNION ALL
               SELECT (SELECT min(l.action) FROM audit_log l WHERE l.action > a.action) FROM a WHERE a.action IS NOT NULL)
           SELECT action FROM a WHERE action IS NOT NULL"""
    )
    return [r["action"] for r in rows]


async def audit_entries(
    conn: asyncpg.Connection,
    *,
    action: str | None = None,
    actor_email: str | None = None,
    start: date | None = None,
    end: date | None = None,
    before: int | None = None,
    limit: int = 50,
    with_actions: bool = True,
) -> AuditPage:
    where, args = [], []

    def arg(value: object) -> str:
        args.append(value)
        return f"${len(args)}"

    if action:
        where.append(f"a.action = {arg(action)}")
    if actor_email:
        where.append(f"a.actor_id = (SELECT id FROM users WHERE email = {arg(actor_email.strip().lower())})")
    if start:
        where.append(f"a.at >= ({arg(start)}::date::timestamp AT TIME ZONE '{ZONE_NAME}')")
    if end:
        where.append(f"a.at < (({arg(end)}::date + 1)::timestamp AT TIME ZONE '{ZONE_NAME}')")
    if before is not None:
        where.append(f"a.id < {arg(before)}")
    sql = f"""SELECT a.id, a.at, a.actor_id, u.email AS actor_email, u.display_name AS actor_name, a.action, a.subject, a.detail
              FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
              {"WHERE " + " AND ".join(where) if where else ""}
              ORDER BY a.id DESC LIMIT {arg(limit + 1)}"""
    rows = await conn.fetch(sql, *args)
    found = [msgspec.convert(dict(r), AuditEntry) for r in rows]
    next_before = found[limit - 1].id if len(found) > limit else None
    return AuditPage(
        entries=found[:limit], next_before=next_before, actions=await audit_actions(conn) if with_actions else []
    )
