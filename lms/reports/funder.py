"""The funder's report: each of the partnership's targets (program_targets) counted over a chosen period, for the
whole partnership and by clinic and by union local, in one query. Course measures read the summary tables (as the
dashboards do); the program measures read the apprenticeship, tuition and preceptorship records.

Where a worker is counted: a course event at the clinic of the enrolment and the local at the time (as in
report_daily); an apprentice at her employer clinic, a tuition request at the clinic it was made from, a preceptor
assignment at its clinic, each with the worker's current local. Workers are counted once per target, however many
groups they appear in; by month and by quarter (of the calendar year) likewise, on the day each is counted."""

from __future__ import annotations

from datetime import date

import asyncpg

from lms.reports import funder_queries
from lms.reports.anonymity import next_month
from lms.reports.schemas import Filters, FunderTarget, GroupCount, PeriodCount


async def funder_report(
    conn: asyncpg.Connection,
    filters: Filters,
    *,
    labels: dict[str, dict[str, str]],
    none_label: str = "—",
) -> list[FunderTarget]:
    """Every target, in the targets' order, with what the period achieved overall, by clinic and by local (groups with
    nothing counted are left out). ``labels``: clinic and local names by id."""
    targets = await funder_queries.program_targets(conn)
    rows = await funder_queries.achieved_by_group(
        conn, start=filters.start, end=filters.end, clinic_id=filters.clinic_id, local_id=filters.local_id
    )
    totals: dict[str, int] = {}
    periods: dict[tuple[str, str], dict[date, int]] = {}
    clinics: dict[str, list[GroupCount]] = {}
    locals_: dict[str, list[GroupCount]] = {}
    for r in rows:
        if r["by_month"] or r["by_quarter"]:
            period = "month" if r["by_month"] else "quarter"
            periods.setdefault((r["key"], period), {})[r[period]] = r["achieved"]
        elif r["by_clinic"]:
            key = r["clinic_id"]
            clinics.setdefault(r["key"], []).append(
                GroupCount(key=key, label=labels.get("clinic", {}).get(key or "", none_label), achieved=r["achieved"])
            )
        elif r["by_local"]:
            key = r["local_id"]
            locals_.setdefault(r["key"], []).append(
                GroupCount(key=key, label=labels.get("local", {}).get(key or "", none_label), achieved=r["achieved"])
            )
        else:
            totals[r["key"]] = r["achieved"]
    return [
        FunderTarget(
            key=t["key"],
            name=t["name"],
            description=t["description"],
            measure=t["measure"],
            tracks=list(t["tracks"]),
            target=t["target"],
            period_start=t["period_start"],
            period_end=t["period_end"],
            achieved=totals.get(t["key"], 0),
            by_clinic=sorted(clinics.get(t["key"], []), key=lambda g: g.label.lower()),
            by_local=sorted(locals_.get(t["key"], []), key=lambda g: g.label.lower()),
            by_month=[
                PeriodCount(period=p, achieved=periods.get((t["key"], "month"), {}).get(p, 0))
                for p in period_starts(filters, "month")
            ],
            by_quarter=[
                PeriodCount(period=p, achieved=periods.get((t["key"], "quarter"), {}).get(p, 0))
                for p in period_starts(filters, "quarter")
            ],
        )
        for t in targets
    ]


def period_starts(filters: Filters, period: str) -> list[date]:
    """The first day of every month (or calendar quarter) the report's period touches, empty ones included."""
    day = filters.start.replace(day=1)
    if period == "quarter":
        day = day.replace(month=(day.month - 1) // 3 * 3 + 1)
    out = []
    while day <= filters.end:
        out.append(day)
        for _ in range(3 if period == "quarter" else 1):
            day = next_month(day)
    return out


def periods_table(report: list[FunderTarget], period: str) -> tuple[list[str], list[list[object]]]:
    """CSV: one row per month (or quarter) of the period, by its first day, one column per target."""
    header = [period, *[t.key for t in report]]
    if not report:
        return header, []
    columns = [t.by_month if period == "month" else t.by_quarter for t in report]
    return header, [[p.period, *[c[i].achieved for c in columns]] for i, p in enumerate(columns[0])]


def groups_table(report: list[FunderTarget], dimension: str) -> tuple[list[str], list[list[object]]]:
    """CSV: one row per clinic (or local), one column per target."""
    header = [dimension, *[t.key for t in report]]
    counts: dict[str, dict[str, int]] = {}
    for t in report:
        for g in t.by_clinic if dimension == "clinic" else t.by_local:
            counts.setdefault(g.label, {})[t.key] = g.achieved
    return header, [
        [label, *[by_target.get(t.key, 0) for t in report]]
        for label, by_target in sorted(counts.items(), key=lambda kv: kv[0].lower())
    ]


def totals_table(report: list[FunderTarget], filters: Filters) -> tuple[list[str], list[list[object]]]:
    return (
        ["target", "name", "definition", "period_start", "period_end", "achieved", "target_value", "percent"],
        [
            [
                t.key,
                t.name.get("en", t.key),
                t.description.get("en", ""),
                filters.start,
                filters.end,
                t.achieved,
                t.target,
                round(100 * t.achieved / t.target, 1),
            ]
            for t in report
        ],
    )
