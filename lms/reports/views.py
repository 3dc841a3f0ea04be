"""What the report pages show, built from the Structs: the SVG charts, and each table as (header, rows) for CSV."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from lms import clinic_time
from lms.catalog.language import TRACK_NAMES, pick
from lms.reports.anonymity import MIN_GROUP
from lms.reports.charts import Progress, Series, bar_chart, line_chart, progress_chart
from lms.reports.schemas import (
    BUCKET_NAMES,
    DIMENSION_NAMES,
    LIKERT_LABELS,
    MEASURE_NAMES,
    ClinicWorker,
    Filters,
    FunderTarget,
    GroupRow,
    RenewalDue,
    SurveyResults,
    TargetProgress,
    TrendPoint,
)
from lms.reports.service import language_name

Gettext = Callable[..., str]
PROGRAM_TABLES = (
    "targets",
    "trend",
    "by_track",
    "by_clinic",
    "survey",
    "funder",
    "funder_by_clinic",
    "funder_by_local",
    "funder_by_month",
    "funder_by_quarter",
)
CLINIC_TABLES = ("trend", "by_track", "workers", "renewals", "survey")
FIGURE_COLUMNS = ("enrolled", "completed", "certificates", "credit_hours", "ehr_participants", "inperson_hours")


def page_helpers(language: str) -> dict[str, Any]:
    """What every report template uses: names to translate, and the language names in the page's language."""
    return {
        "track_names": TRACK_NAMES,
        "dimension_names": DIMENSION_NAMES,
        "likert_labels": LIKERT_LABELS,
        "min_group": MIN_GROUP,
        "bucket_names": BUCKET_NAMES,
        "measure_names": MEASURE_NAMES,
        "language_name": lambda code: language_name(code, language),
    }


def query_string(filters: Filters, **extra: Any) -> str:
    values = {
        "track": filters.track,
        "clinic": filters.clinic_id,
        "local": filters.local_id,
        "language": filters.language,
        "start": filters.start.isoformat(),
        "end": filters.end.isoformat(),
        **extra,
    }
    return urlencode({k: str(v) for k, v in values.items() if v not in (None, "")})


@functools.lru_cache(maxsize=4096)
def period_label(day: date, bucket: str, locale: str) -> str:
    from babel.dates import format_date

    if bucket == "quarter":
        return format_date(day, "QQQ yyyy", locale=locale)
    if bucket == "month":
        return format_date(day, "MMM yyyy", locale=locale)
    return format_date(day, "d MMM", locale=locale)


def trend_chart(
    trend: Sequence[TrendPoint], bucket: str, *, _: Gettext, locale: str, chart_id: str = "trend"
) -> Markup:
    return line_chart(
        chart_id=chart_id,
        title=_("Enrolments, completions and certificates over time"),
        desc=_("A line chart; the same numbers are in the table below it."),
        labels=[period_label(p.period, bucket, locale) for p in trend],
        series=[
            Series(_("Enrolled"), [p.enrolled for p in trend]),
            Series(_("Completed"), [p.completed for p in trend]),
            Series(_("Certificates"), [p.certificates for p in trend]),
        ],
        locale=locale,
        empty=_("No activity in this period."),
    )


def groups_chart(
    rows: Sequence[GroupRow],
    *,
    title: str,
    _: Gettext,
    locale: str,
    chart_id: str,
    labels: dict[str, str] | None = None,
) -> Markup:
    names = [_(labels[r.label]) if labels and r.label in labels else r.label for r in rows]
    return bar_chart(
        chart_id=chart_id,
        title=title,
        desc=_("A bar chart; the same numbers are in the table below it."),
        categories=names,
        series=[
            Series(_("Enrolled"), [r.figures.enrolled for r in rows]),
            Series(_("Completed"), [r.figures.completed for r in rows]),
            Series(_("Certificates"), [r.figures.certificates for r in rows]),
        ],
        locale=locale,
        empty=_("No activity in this period."),
    )


def targets_chart(items: Sequence[TargetProgress], *, _: Gettext, locale: str) -> Markup:
    return progress_chart(
        chart_id="targets",
        title=_("Progress toward the partnership's targets"),
        desc=_("One bar per target: the full bar is the target. The numbers are in the table below it."),
        items=[Progress(pick(t.name, locale)[0], t.achieved, t.target) for t in items],
        locale=locale,
        of=lambda value, target, share: _(
            "%(value)s of %(target)s (%(share)s)", value=value, target=target, share=share
        ),
    )


def funder_chart(report: Sequence[FunderTarget], *, _: Gettext, locale: str) -> Markup:
    return progress_chart(
        chart_id="funder",
        title=_("The funder's targets in this period"),
        desc=_("One bar per target: the full bar is the target. The numbers are in the table below it."),
        items=[Progress(pick(t.name, locale)[0], t.achieved, t.target) for t in report],
        locale=locale,
        of=lambda value, target, share: _(
            "%(value)s of %(target)s (%(share)s)", value=value, target=target, share=share
        ),
    )


def funder_groups_chart(
    report: Sequence[FunderTarget], dimension: str, *, title: str, _: Gettext, locale: str
) -> Markup:
    """One group of bars per clinic (or local), one bar per target."""
    groups = sorted(
        {g.label for t in report for g in (t.by_clinic if dimension == "clinic" else t.by_local)}, key=str.lower
    )
    counts = {
        t.key: {g.label: g.achieved for g in (t.by_clinic if dimension == "clinic" else t.by_local)} for t in report
    }
    return bar_chart(
        chart_id=f"funder-by-{dimension}",
        title=title,
        desc=_("A bar chart; the same numbers are in the table below it."),
        categories=groups,
        series=[
            Series(pick(t.name, locale)[0], [counts[t.key].get(g, 0) for g in groups]) for t in report if counts[t.key]
        ],  # a target with nothing anywhere draws no bars
        locale=locale,
        empty=_("No activity in this period."),
    )


def funder_periods_chart(report: Sequence[FunderTarget], period: str, *, title: str, _: Gettext, locale: str) -> Markup:
    """Each target month by month (a line each) or quarter by quarter (a bar each), over the report's period."""
    columns = [(t, t.by_month if period == "month" else t.by_quarter) for t in report]
    periods = [p.period for p in columns[0][1]] if columns else []
    labels = [period_label(p, period, locale) for p in periods]
    series = [Series(pick(t.name, locale)[0], [p.achieved for p in counts]) for t, counts in columns]
    if period == "month":
        return line_chart(
            chart_id="funder-by-month",
            title=title,
            desc=_("A line chart; the same numbers are in the table below it."),
            labels=labels,
            series=series,
            locale=locale,
            empty=_("No activity in this period."),
        )
    return bar_chart(
        chart_id="funder-by-quarter",
        title=title,
        desc=_("A bar chart; the same numbers are in the table below it."),
        categories=labels,
        series=series,
        locale=locale,
        empty=_("No activity in this period."),
    )


def likert_chart(results: SurveyResults, *, _: Gettext, locale: str) -> Markup:
    questions = [q for q in results.overall.questions if q.kind == "likert"]
    return bar_chart(
        chart_id="survey",
        title=_("Average agreement, from 1 (strongly disagree) to 5 (strongly agree)"),
        desc=_("A bar chart of each question's average answer; questions with fewer than 5 answers show no bar."),
        categories=[pick(q.prompt, locale, results.languages)[0] for q in questions],
        series=[Series(_("Average"), [q.mean or 0 for q in questions])],
        locale=locale,
        max_value=5,
        empty=_("Fewer than 5 responses: no results are shown."),
    )


# ---------------------------------------------------------------- CSV tables


def _figures(row: GroupRow) -> list[Any]:
    return [getattr(row.figures, name) for name in FIGURE_COLUMNS]


def targets_table(items: Sequence[TargetProgress]) -> tuple[list[str], list[list[Any]]]:
    return (
        ["target", "name", "measure", "tracks", "period_start", "period_end", "achieved", "target_value", "percent"],
        [
            [
                t.key,
                t.name.get("en", t.key),
                MEASURE_NAMES.get(t.measure, t.measure),
                " ".join(t.tracks),
                t.period_start,
                t.period_end,
                t.achieved,
                t.target,
                round(100 * t.achieved / t.target, 1),
            ]
            for t in items
        ],
    )


def trend_table(trend: Sequence[TrendPoint], bucket: str) -> tuple[list[str], list[list[Any]]]:
    return (
        [f"{bucket}_starting", "enrolled", "completed", "certificates"],
        [[p.period, p.enrolled, p.completed, p.certificates] for p in trend],
    )


def groups_table(rows: Sequence[GroupRow], key: str) -> tuple[list[str], list[list[Any]]]:
    if key == "track":
        return ["track", "track_name", *FIGURE_COLUMNS], [
            [r.key, TRACK_NAMES.get(r.label, r.label), *_figures(r)] for r in rows
        ]
    return [key, *FIGURE_COLUMNS], [[r.label, *_figures(r)] for r in rows]


def survey_table(results: SurveyResults | None) -> tuple[list[str], list[list[Any]]]:
    header = ["group", "value", "respondents", "question", "answers", "average", "n_1", "n_2", "n_3", "n_4", "n_5"]
    rows: list[list[Any]] = []
    if results is None:
        return header, rows
    for group in [results.overall, *results.breakdowns]:
        label = "all" if group.dimension == "all" else group.label
        if group.respondents is None:
            rows.append([group.dimension, label, f"fewer than {results.min_group}", "", "", "", "", "", "", "", ""])
            continue
        for q in group.questions:
            if q.kind != "likert":
                continue
            dist: list[Any] = q.distribution or [""] * 5
            rows.append(
                [
                    group.dimension,
                    label,
                    group.respondents,
                    q.key,
                    q.answers if q.answers is not None else f"fewer than {results.min_group}",
                    q.mean if q.mean is not None else "",
                    *dist,
                ]
            )
    return header, rows


def workers_table(workers: Sequence[ClinicWorker], bodies: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    return (
        [
            "name",
            "email",
            "enrolled",
            "completed",
            "certificates",
            "contact_hours",
            "status",
            "left_on",
            *[f"credit_{b}" for b in bodies],
        ],
        [
            [
                w.name,
                w.email,
                w.enrolled,
                w.completed,
                w.certificates,
                w.contact_hours,
                "left" if w.left_at else "active",
                w.left_at.astimezone(clinic_time.ZONE).date().isoformat() if w.left_at else "",
                *[w.credit.get(b, 0) for b in bodies],
            ]
            for w in workers
        ],
    )


def renewals_table(items: Sequence[RenewalDue]) -> tuple[list[str], list[list[Any]]]:
    return (
        ["name", "credential", "cycle_ends", "required", "counted", "still_needed", "meets"],
        [
            [r.name, r.credential, r.cycle_end, r.required, r.counted, r.still_needed, "yes" if r.meets else "no"]
            for r in items
        ],
    )
