"""Which survey figures may be published, so that no viewer can recover one person's answer.

Hiding each small group on its own is not enough: "all respondents" minus "clinic A" is the one worker of clinic B;
"January to March" minus "January to February" is whoever answered in March; asking twice, before and after one more
answer, is that answer. So the rule works on the smallest pieces any published figure is made of.

**Cells.** Responses are grouped by everything a viewer can cut by: one value each of track, clinic, local and
language, and one calendar month. Every figure the service shows (the total, any filter, any breakdown, any period,
in pages, CSV and API alike) is a sum over whole cells.

**The rule.** A cell of fewer than ``MIN_GROUP`` respondents counts nowhere: not in the total, not in any group. Per
question likewise: a cell's answers to a question count only when at least ``MIN_GROUP`` of its respondents answered
it, and a cell's comments to a free-text question only when at least ``MIN_GROUP`` of them wrote one.

**Why it holds.** Every published figure is then a sum of counted cells, each of ``MIN_GROUP`` people or more.
Subtracting or combining published figures (totals minus groups, two overlapping filters, two periods, per-option
counts) can only isolate sums of whole counted cells, never fewer than ``MIN_GROUP`` people. This is complementary
suppression done once, at the level of the cells, instead of table by table: it holds across every cut at once.

**Time.** Only months that have ended count (``closed_months``): a past month's cells never change, so a figure
asked for before and after one more answer is the same figure. A period filter covers the whole months it touches.

**The price.** Answers from small cells are left out of every figure, so totals can be lower than the number of
answers stored; a small program sees its results once cells fill up. That is the point: a group of one is never
shown, even by difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# Aggregates of fewer respondents than this are never shown, directly or by difference.
MIN_GROUP = 5

# What a cell is made of, besides the month: the cuts a viewer can filter or break results down by.
DIMENSIONS = ("track", "clinic", "local", "language")


@dataclass(frozen=True)
class Cell:
    """One cell's answers, as stored (before the rule): ``scores`` question -> how many chose 1..5; ``written``
    question -> how many wrote a free-text answer; ``comments`` question -> those texts (when asked for)."""

    track: str | None
    clinic: str | None
    local: str | None
    language: str
    month: date
    respondents: int
    scores: Mapping[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    written: Mapping[str, int] = field(default_factory=dict)
    comments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def value(self, dimension: str) -> str | None:
        return getattr(self, dimension)


@dataclass(frozen=True)
class Figures:
    """What one group publishes: ``respondents`` None when nothing in it may be shown."""

    respondents: int | None
    scores: dict[str, list[int]]
    written: dict[str, int]
    comments: dict[str, list[str]]


def counted(cells: Iterable[Cell], *, min_group: int = MIN_GROUP) -> list[Cell]:
    """The cells that count, each holding only the questions and comments that count (see the module's rule)."""
    out = []
    for cell in cells:
        if cell.respondents < min_group:
            continue
        scores = {key: dist for key, dist in cell.scores.items() if sum(dist) >= min_group}
        written = {key: n for key, n in cell.written.items() if n >= min_group}
        comments = {key: texts for key, texts in cell.comments.items() if key in written and len(texts) >= min_group}
        out.append(
            Cell(
                cell.track,
                cell.clinic,
                cell.local,
                cell.language,
                cell.month,
                cell.respondents,
                scores,
                written,
                comments,
            )
        )
    return out


def figures(cells: Iterable[Cell]) -> Figures:
    """The sum over counted cells (pass ``counted(...)``): never between 1 and MIN_GROUP - 1 people."""
    respondents = 0
    scores: dict[str, list[int]] = {}
    written: dict[str, int] = {}
    comments: dict[str, list[str]] = {}
    for cell in cells:
        respondents += cell.respondents
        for key, dist in cell.scores.items():
            total = scores.setdefault(key, [0, 0, 0, 0, 0])
            for i, n in enumerate(dist):
                total[i] += n
        for key, n in cell.written.items():
            written[key] = written.get(key, 0) + n
        for key, texts in cell.comments.items():
            comments.setdefault(key, []).extend(texts)
    for kept in comments.values():
        kept.sort()  # by text, never by time or group: the order tells nothing about who wrote what
    return Figures(respondents=respondents or None, scores=scores, written=written, comments=comments)


def breakdown(cells: Iterable[Cell], dimension: str, *, keys: Iterable[str | None] = ()) -> dict[str | None, Figures]:
    """Figures per value of ``dimension`` over counted cells; ``keys``: values to list even with nothing counted."""
    groups: dict[str | None, list[Cell]] = {key: [] for key in keys}
    for cell in cells:
        groups.setdefault(cell.value(dimension), []).append(cell)
    return {key: figures(members) for key, members in groups.items()}


def by_month(cells: Iterable[Cell], *, months: Iterable[date] = ()) -> dict[date, Figures]:
    """Figures per calendar month over counted cells, in order; ``months``: months to list even with nothing counted.
    The month is part of every cell, so each month is a sum of whole counted cells: no month can be recovered from
    the total or from the other months by difference, nor a cut of a month from the same cut over the period."""
    groups: dict[date, list[Cell]] = {m: [] for m in months}
    for cell in cells:
        groups.setdefault(cell.month, []).append(cell)
    return {m: figures(members) for m, members in sorted(groups.items())}


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def closed_months(start: date, end: date, *, today: date) -> tuple[date, date] | None:
    """The whole months a period touches that have ended by ``today``: (first day of the first, first day after the
    last), or None when none has."""
    first = month_start(start)
    stop = min(next_month(end), month_start(today))
    return (first, stop) if first < stop else None
