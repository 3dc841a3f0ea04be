"""Survey results under lms.reports.anonymity's rule: the database answers per cell (track, clinic, local, language,
month that has ended), the rule keeps the cells that count, and every group shown (by track, clinic, local, language
and month) is a sum of those. Free text goes
only to program admins, sorted by text (never by time) and never with identity; comments of cells too small to count
never leave the database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg
import msgspec

from lms.reports import anonymity, survey_queries
from lms.reports.anonymity import MIN_GROUP, Cell, Figures
from lms.reports.schemas import Filters, GroupResult, QuestionResult, Survey, SurveyResults

DIMENSIONS = anonymity.DIMENSIONS


def _key(row: Any) -> tuple[Any, ...]:
    return (row["track"], row["clinic"], row["local"], row["language"], row["month"])


async def cells(
    conn: asyncpg.Connection, *, survey_id: Any, filters: Filters, first: date, stop: date, with_comments: bool
) -> list[Cell]:
    """Every cell in the filtered months [first, stop) as stored, before the rule."""
    people = await survey_queries.respondents_by_cell(
        conn, survey_id=survey_id, filters=filters, first=first, stop=stop
    )
    answers = await survey_queries.answers_by_cell(
        conn, survey_id=survey_id, filters=filters, first=first, stop=stop, with_comments=with_comments
    )
    scores: dict[tuple[Any, ...], dict[str, tuple[int, int, int, int, int]]] = {}
    written: dict[tuple[Any, ...], dict[str, int]] = {}
    comments: dict[tuple[Any, ...], dict[str, tuple[str, ...]]] = {}
    for a in answers:
        key = _key(a)
        if a["written"]:
            written.setdefault(key, {})[a["question_key"]] = a["written"]
            if a["comments"]:
                comments.setdefault(key, {})[a["question_key"]] = tuple(a["comments"])
        else:
            scores.setdefault(key, {})[a["question_key"]] = tuple(a["distribution"])
    return [
        Cell(
            track=p["track"],
            clinic=p["clinic"],
            local=p["local"],
            language=p["language"],
            month=p["month"],
            respondents=p["respondents"],
            scores=scores.get(_key(p), {}),
            written=written.get(_key(p), {}),
            comments=comments.get(_key(p), {}),
        )
        for p in people
    ]


def _group(
    survey: Survey, found: Figures, *, dimension: str, key: str | None, label: str, with_comments: bool
) -> GroupResult:
    questions = []
    enough = found.respondents is not None
    for q in survey.questions:
        if q.kind == "likert":
            dist = found.scores.get(q.key) if enough else None
            answers = sum(dist) if dist else 0
            questions.append(
                QuestionResult(
                    key=q.key,
                    kind=q.kind,
                    prompt=q.prompt,
                    answers=answers or None,
                    mean=round(sum(i * n for i, n in enumerate(dist, start=1)) / answers, 2)
                    if dist and answers
                    else None,
                    distribution=list(dist) if dist and answers else None,
                )
            )
        else:
            written = found.written.get(q.key) if enough else None
            questions.append(
                QuestionResult(
                    key=q.key,
                    kind=q.kind,
                    prompt=q.prompt,
                    answers=written or None,
                    mean=None,
                    distribution=None,
                    comments=found.comments.get(q.key, []) if (written and with_comments) else None,
                )
            )
    return GroupResult(dimension=dimension, key=key, label=label, respondents=found.respondents, questions=questions)


async def results(
    conn: asyncpg.Connection,
    *,
    survey: Survey,
    filters: Filters,
    with_comments: bool,
    labels: dict[str, dict[str, str]],
    today: date,
) -> SurveyResults:
    """``labels``: dimension -> group key -> name shown (clinic and local names, track names ...). Groups are listed
    for every value that has answers in the period, shown or not."""
    months = anonymity.closed_months(filters.start, filters.end, today=today)
    stored = (
        await cells(
            conn, survey_id=survey.id, filters=filters, first=months[0], stop=months[1], with_comments=with_comments
        )
        if months
        else []
    )
    kept = anonymity.counted(stored)
    breakdowns = []
    for dimension in DIMENSIONS:
        names = labels.get(dimension, {})
        present = {c.value(dimension) for c in stored}
        for key, found in anonymity.breakdown(kept, dimension, keys=present).items():
            label = names.get(key, key) if key else names.get("", "—")
            breakdowns.append(
                _group(survey, found, dimension=dimension, key=key or None, label=label, with_comments=False)
            )
    for first_day, found in anonymity.by_month(kept, months={c.month for c in stored}).items():
        group = _group(
            survey,
            found,
            dimension="month",
            key=first_day.isoformat(),
            label=first_day.isoformat()[:7],
            with_comments=False,
        )
        breakdowns.append(msgspec.structs.replace(group, month=first_day))
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    breakdowns.sort(key=lambda g: (order.get(g.dimension, 9), g.label))
    overall = _group(survey, anonymity.figures(kept), dimension="all", key=None, label="", with_comments=with_comments)
    return SurveyResults(
        survey_id=survey.id,
        title=survey.title,
        languages=survey.languages,
        min_group=MIN_GROUP,
        overall=overall,
        breakdowns=breakdowns,
        first_month=months[0] if months else None,
        last_month=(months[1] - timedelta(days=1)).replace(day=1) if months else None,
    )
