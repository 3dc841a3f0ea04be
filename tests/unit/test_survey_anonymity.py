"""lms.reports.anonymity on worked cases: what an attacker subtracting published survey figures can and cannot get."""

from __future__ import annotations

import itertools
import random
from datetime import date

from lms.reports.anonymity import MIN_GROUP, Cell, breakdown, closed_months, counted, figures

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def cell(
    clinic: str,
    n: int,
    *,
    track: str = "CE",
    local: str | None = "521",
    language: str = "en",
    month: date = JAN,
    score: int = 4,
    written: int = 0,
) -> Cell:
    dist = [0, 0, 0, 0, 0]
    dist[score - 1] = n
    return Cell(
        track=track,
        clinic=clinic,
        local=local,
        language=language,
        month=month,
        respondents=n,
        scores={"relevance": tuple(dist)},
        written={"next": written} if written else {},  # type: ignore[arg-type]
        comments={"next": tuple(f"{clinic} wish {i}" for i in range(written))} if written else {},
    )


def test_the_total_minus_a_clinic_is_never_one_worker():
    # Clinic A: 5 workers who agree; clinic B: one worker who strongly disagrees.
    stored = [cell("A", 5, score=4), cell("B", 1, score=1)]
    kept = counted(stored)
    total = figures(kept)
    by_clinic = breakdown(kept, "clinic", keys=["A", "B"])
    assert total.respondents == 5 and total.scores["relevance"] == [0, 0, 0, 5, 0]
    assert by_clinic["A"].respondents == 5 and by_clinic["B"].respondents is None
    # the worker of clinic B is in no figure at all, so no difference can bring her back
    assert total.respondents - by_clinic["A"].respondents == 0


def test_a_breakdown_by_another_dimension_does_not_reveal_a_small_group_either():
    # 5 English answers and 2 Spanish ones in the same clinic: the language cut would give the Spanish two away.
    stored = [cell("A", 5, language="en"), cell("A", 2, language="es", score=1)]
    kept = counted(stored)
    assert figures(kept).respondents == 5
    assert breakdown(kept, "language", keys=["en", "es"])["es"].respondents is None
    assert breakdown(kept, "clinic")["A"].respondents == 5


def test_a_question_answered_by_fewer_than_5_in_a_cell_counts_nowhere():
    six = Cell(
        track="CE",
        clinic="A",
        local=None,
        language="en",
        month=JAN,
        respondents=6,
        scores={"relevance": (0, 0, 0, 6, 0), "schedule": (4, 0, 0, 0, 0)},
        written={"next": 4},
        comments={"next": ("a", "b", "c", "d")},
    )
    [kept] = counted([six])
    assert kept.respondents == 6 and set(kept.scores) == {"relevance"}
    assert kept.written == {} and kept.comments == {}  # 4 comments from 6 people: not enough to hide the writer


def test_comments_come_only_from_cells_with_5_writers_sorted_by_text():
    stored = [cell("B", 5, written=5), cell("A", 5, written=5), cell("C", 5, written=3)]
    got = figures(counted(stored))
    assert got.written == {"next": 10}
    assert got.comments["next"] == sorted(got.comments["next"]) and not any(
        c.startswith("C ") for c in got.comments["next"]
    )


def test_two_periods_differ_only_by_whole_months_of_5_or_more():
    # January 5 answers; February one more: January..February minus January must not be the February worker.
    stored = [cell("A", 5, month=JAN), cell("A", 1, month=FEB, score=1)]
    kept = counted(stored)
    jan = figures(c for c in kept if c.month == JAN)
    jan_feb = figures(c for c in kept if c.month in (JAN, FEB))
    assert jan == jan_feb


def test_months_counted_are_whole_months_that_have_ended():
    assert closed_months(date(2026, 1, 15), date(2026, 3, 3), today=date(2026, 3, 10)) == (JAN, MAR)
    assert closed_months(date(2026, 1, 15), date(2026, 1, 20), today=date(2026, 3, 10)) == (JAN, FEB)
    assert closed_months(date(2026, 3, 1), date(2026, 3, 9), today=date(2026, 3, 10)) is None  # this month: not yet
    assert closed_months(date(2025, 12, 2), date(2025, 12, 31), today=date(2026, 1, 1)) == (date(2025, 12, 1), JAN)


def test_no_combination_of_cuts_isolates_fewer_than_5_people():
    """Random data over every cut the service offers: any filter (each dimension fixed or open, any run of months),
    any breakdown. Every figure, and every difference between a figure and one nested inside it, is 0 or >= 5, in
    respondents and in each answer option's count."""
    rng = random.Random(22)
    values = {"track": ["CE", "MA"], "clinic": ["A", "B", "C"], "local": ["521", "721"], "language": ["en", "es"]}
    months = [JAN, FEB, MAR]
    stored = []
    for track, clinic, local, language, month in itertools.product(*values.values(), months):
        n = rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8])
        if n:
            dist = [0] * 5
            for _ in range(n):
                dist[rng.randrange(5)] += 1
            stored.append(
                Cell(
                    track=track,
                    clinic=clinic,
                    local=local,
                    language=language,
                    month=month,
                    respondents=n,
                    scores={"q": tuple(dist)},
                )
            )  # type: ignore[dict-item]
    kept = counted(stored)

    def vector(cells):
        got = figures(cells)
        return [got.respondents or 0, *got.scores.get("q", [0] * 5)]

    published = []
    choices = [[None, *v] for v in values.values()]
    runs = [(a, b) for a in range(3) for b in range(a, 3)]
    for fixed in itertools.product(*choices):
        for first, last in runs:
            chosen = [
                c
                for c in kept
                if all(v is None or c.value(d) == v for d, v in zip(values, fixed, strict=False))
                and months[first] <= c.month <= months[last]
            ]
            published.append((frozenset(map(id, chosen)), vector(chosen)))
    assert len(published) > 100
    for _members, figure in published:
        assert figure[0] == 0 or figure[0] >= MIN_GROUP
    for (outer, big), (inner, small) in itertools.combinations(published, 2):
        if inner < outer:
            assert big[0] - small[0] == 0 or big[0] - small[0] >= MIN_GROUP
        elif outer < inner:
            assert small[0] - big[0] == 0 or small[0] - big[0] >= MIN_GROUP
    # and the rule does keep data: some figures are shown
    assert any(figure[0] for _m, figure in published)
