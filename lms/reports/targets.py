"""The partnership's targets (rows in program_targets) and progress toward them, partnership-wide over each target's
own period. What each target counts is data too: a measure and the tracks that count (see 0006_reports.sql), or one
of the programs' records (0060_programs.sql)."""

from __future__ import annotations

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Invalid, NotFound
from lms.reports.schemas import TargetIn, TargetProgress


# Whole months of a target's period from report_monthly, the days at its ends from report_daily.
_SUMMED = """(SELECT coalesce(sum(m.{column}), 0) FROM report_monthly m
              WHERE m.track = ANY (t.tracks) AND m.day >= w.first AND m.day < w.after)
           + (SELECT coalesce(sum(d.{column}), 0) FROM report_daily d
              WHERE d.track = ANY (t.tracks)
                AND ((d.day >= t.period_start AND d.day < least(w.first, t.period_end + 1))
                     OR (d.day >= greatest(w.after, t.period_start) AND d.day <= t.period_end)))"""


async def progress(conn: asyncpg.Connection) -> list[TargetProgress]:
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
        key, data.target, data.period_start, data.period_end,
    )
    if not row["found"]:
        raise NotFound("no such target", field="key")
    if row["target"] is None:
        raise Invalid("period_end: the period ends before it starts", field="period_end")
    await record(conn, actor_id=actor.id, action="report.target_changed", subject=key,
                 detail={"target": row["target"], "period_start": row["period_start"].isoformat(), "period_end": row["period_end"].isoformat()})
