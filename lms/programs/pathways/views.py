"""The advancement report as the page and the CSV show it: overall, by clinic and by union local, with names."""

from __future__ import annotations

from datetime import date
from typing import Any

from lms.catalog.language import pick
from lms.programs.pathways.schemas import StepCount
from lms.reports.schemas import FilterOptions


def group_rows(steps: list[StepCount], dimension: str, options: FilterOptions, none_label: str) -> list[dict[str, Any]]:
    """One row per (step, clinic or local) with anyone counted, named; in the steps' order, then by name."""
    names = {o.id: o.name for o in (options.clinics if dimension == "clinic" else options.locals)}
    out = []
    for s in steps:
        groups = [g for g in s.groups if g.by == dimension]
        for g in sorted(groups, key=lambda g: names.get(g.key, none_label).lower()):
            out.append({"step": s, "group": names.get(g.key, none_label), "reached": g.reached, "retained": g.retained})
    return out


def advancement_table(
    steps: list[StepCount], options: FilterOptions, *, start: date, end: date, none_label: str = "Not recorded"
) -> tuple[list[str], list[list[Any]]]:
    header = [
        "ladder",
        "ladder_name",
        "position",
        "step",
        "kind",
        "group",
        "group_name",
        "reached",
        "retained",
        "period_start",
        "period_end",
    ]

    def row(s: StepCount, group: str, label: str, reached: int, retained: int) -> list[Any]:
        ladder_name, step_name = pick(s.ladder_name, "en")[0], pick(s.name, "en")[0]
        return [s.ladder, ladder_name, s.position, step_name, s.kind, group, label, reached, retained, start, end]

    rows = [row(s, "all", "", s.reached, s.retained) for s in steps]
    for dimension in ("clinic", "local"):
        rows += [
            row(r["step"], dimension, r["group"], r["reached"], r["retained"])
            for r in group_rows(steps, dimension, options, none_label)
        ]
    return header, rows
