"""The SQL of the funder's report (lms/reports/funder.py): the targets, and every target counted over a period for
the whole partnership, by clinic, by local, by month and by quarter, in one query (GROUPING SETS)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

_FUNDER = """
WITH t AS (SELECT key, measure, tracks FROM program_targets),
events AS (
    SELECT t.key, NULL::uuid AS user_id, d.clinic_id, d.local_id, d.day,
           (CASE t.measure WHEN 'certificates' THEN d.certificates ELSE d.completed END)::bigint AS n
    FROM t JOIN report_daily d ON d.track = ANY (t.tracks)
    WHERE t.measure IN ('certificates', 'completions') AND d.day BETWEEN $1 AND $2
    UNION ALL
    SELECT t.key, w.user_id, w.clinic_id, w.local_id, w.first_enrolled_on, 1
    FROM t JOIN report_worker_tracks w ON w.track = ANY (t.tracks)
    WHERE t.measure = 'workers_enrolled' AND w.first_enrolled_on BETWEEN $1 AND $2
    UNION ALL
    SELECT t.key, a.user_id, a.clinic_id, u.local_id, a.placed_on, 1
    FROM t CROSS JOIN apprenticeships a JOIN users u ON u.id = a.user_id
    WHERE t.measure = 'apprentices_placed' AND a.placed_on BETWEEN $1 AND $2
    UNION ALL
    SELECT t.key, r.user_id, r.clinic_id, u.local_id, report_day(r.approved_at), 1
    FROM t CROSS JOIN tuition_requests r JOIN users u ON u.id = r.user_id
    WHERE t.measure = 'tuition_reimbursed' AND r.status IN ('approved', 'paid') AND report_day(r.approved_at) BETWEEN $1 AND $2
    UNION ALL
    SELECT t.key, p.user_id, p.clinic_id, u.local_id, p.starts_on, 1
    FROM t CROSS JOIN preceptorships p JOIN users u ON u.id = p.user_id
    WHERE t.measure = 'preceptorship_workers' AND p.starts_on BETWEEN $1 AND $2
),
dated AS (
    SELECT key, user_id, clinic_id, local_id, n, date_trunc('month', day::timestamp)::date AS month,
           date_trunc('quarter', day::timestamp)::date AS quarter
    FROM events WHERE ($3::uuid IS NULL OR clinic_id = $3) AND ($4::uuid IS NULL OR local_id = $4)
)
SELECT key, grouping(clinic_id) = 0 AS by_clinic, grouping(local_id) = 0 AS by_local, grouping(month) = 0 AS by_month,
       grouping(quarter) = 0 AS by_quarter, clinic_id::text, local_id::text, month, quarter,
       (CASE WHEN count(user_id) = 0 THEN coalesce(sum(n), 0) ELSE count(DISTINCT user_id) END)::bigint AS achieved
FROM dated
GROUP BY GROUPING SETS ((key), (key, clinic_id), (key, local_id), (key, month), (key, quarter))
"""


async def program_targets(conn: asyncpg.Connection) -> list[Any]:
    """The partnership's targets, in their order."""
    return await conn.fetch(
        """SELECT key, name, description, measure, tracks, target, period_start, period_end FROM program_targets
           ORDER BY position, key"""
    )


async def achieved_by_group(
    conn: asyncpg.Connection, *, start: date, end: date, clinic_id: UUID | None, local_id: UUID | None
) -> list[Any]:
    """What each target achieved in [start, end]: one row per target overall, per clinic, per local, per month and per
    quarter (the ``by_*`` flags say which). Workers count once per row; summary counts add up."""
    return await conn.fetch(_FUNDER, start, end, clinic_id, local_id)
