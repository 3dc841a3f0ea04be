"""Does a worker's credit meet the renewal requirement of the credential they hold? Requirements are rows
(``credential_requirements`` and ``credential_category_minimums``), so a new credential is data, not code.

Pure functions over frozen certificate facts; the clinic page and its CSV both come from ``evaluate``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lms.credit.rules import CreditRule, add_months, number
from lms.schemas import Response


class CategoryMinimum(Response):
    category: str
    min_units: float          # 0 with needs_live: "a course in this category with an in-person part"
    needs_live: bool = False


class Requirement(Response):
    credential: str           # RDA, CHW, CCBMA_CMA, AAMA_CMA ...
    name: dict[str, str]
    body: str
    units: float
    cycle_months: int
    max_non_live_share: float | None = None
    categories: list[CategoryMinimum] = []


class EarnedCredit(Response):
    """One body's line on one certificate, as frozen when it was issued."""

    code: str
    completed_on: date
    body: str
    category: str | None
    credit: float
    live_credit: float
    non_live_credit: float
    revoked: bool = False


class Shortfall(Response):
    kind: str                 # units | category | live | non_live_cap
    category: str | None
    needed: float
    have: float


class CategoryStatus(Response):
    category: str
    needed: float
    have: float
    live: bool
    needs_live: bool
    met: bool


class RenewalStatus(Response):
    credential: str
    body: str
    cycle_start: date
    cycle_end: date           # exclusive: the next cycle starts that day
    required: float
    earned: float             # all credit from this body in the cycle (category caps applied)
    counted: float            # what counts toward renewal after the non-live limit
    live: float
    non_live: float
    non_live_limit: float | None
    categories: list[CategoryStatus]
    shortfalls: list[Shortfall]
    meets: bool


def current_cycle(cycle_start: date, months: int, today: date) -> tuple[date, date]:
    """The renewal cycle containing ``today``: cycles run back to back from ``cycle_start``."""
    if today < cycle_start:
        return cycle_start, add_months(cycle_start, months)
    elapsed = (today.year - cycle_start.year) * 12 + today.month - cycle_start.month
    k = max(elapsed // months, 0)
    start = add_months(cycle_start, k * months)
    while start > today:
        k -= 1
        start = add_months(cycle_start, k * months)
    end = add_months(cycle_start, (k + 1) * months)
    while end <= today:
        k += 1
        start, end = end, add_months(cycle_start, (k + 1) * months)
    return start, end


def evaluate(requirement: Requirement, rule: CreditRule | None, *, cycle_start: date, earned: list[EarnedCredit], today: date) -> RenewalStatus:
    """Worked example (RDA: DBC, 25 units per 2 years, non-live at most half, IC >= 2, DPA >= 2, BLS live):
    16 home-study units + 8 live units: non-live counts only up to 12.5, so 20.5 of 25 count and the worker is
    4.5 units short even though 24 units were earned."""
    start, end = current_cycle(cycle_start, requirement.cycle_months, today)
    lines = [e for e in earned if e.body == requirement.body and not e.revoked and start <= e.completed_on < end]
    by_category: dict[str, list[EarnedCredit]] = {}
    for line in lines:
        by_category.setdefault(line.category or "", []).append(line)

    live = non_live = Decimal(0)
    category_totals: dict[str, tuple[Decimal, Decimal]] = {}
    for category, group in by_category.items():
        cat_live = sum((Decimal(str(e.live_credit)) for e in group), Decimal(0))
        cat_non_live = sum((Decimal(str(e.non_live_credit)) for e in group), Decimal(0))
        cap = rule.category(category) if rule else None
        if cap is not None and cap.max_units is not None and cat_live + cat_non_live > Decimal(str(cap.max_units)):
            # the cycle's cap (BLS: 4 units) keeps live credit first
            limit = Decimal(str(cap.max_units))
            cat_live = min(cat_live, limit)
            cat_non_live = limit - cat_live
        category_totals[category] = (cat_live, cat_non_live)
        live += cat_live
        non_live += cat_non_live

    required = Decimal(str(requirement.units))
    non_live_cap = None if requirement.max_non_live_share is None else required * Decimal(str(requirement.max_non_live_share))
    counted_non_live = non_live if non_live_cap is None else min(non_live, non_live_cap)
    counted = live + counted_non_live

    shortfalls: list[Shortfall] = []
    categories: list[CategoryStatus] = []
    for minimum in requirement.categories:
        cat_live, cat_non_live = category_totals.get(minimum.category, (Decimal(0), Decimal(0)))
        have = cat_live + cat_non_live
        needed = Decimal(str(minimum.min_units))
        has_any = have > 0 if needed == 0 else have >= needed
        live_ok = not minimum.needs_live or cat_live > 0
        categories.append(CategoryStatus(
            category=minimum.category, needed=number(needed), have=number(have), live=cat_live > 0,
            needs_live=minimum.needs_live, met=has_any and live_ok,
        ))
        if not has_any:
            shortfalls.append(Shortfall(kind="category", category=minimum.category, needed=number(needed), have=number(have)))
        elif not live_ok:
            shortfalls.append(Shortfall(kind="live", category=minimum.category, needed=0, have=0))
    if counted < required:
        shortfalls.insert(0, Shortfall(kind="units", category=None, needed=number(required), have=number(counted)))
    if non_live_cap is not None and non_live > non_live_cap:
        shortfalls.append(Shortfall(kind="non_live_cap", category=None, needed=number(non_live_cap), have=number(non_live)))
    return RenewalStatus(
        credential=requirement.credential, body=requirement.body, cycle_start=start, cycle_end=end,
        required=number(required), earned=number(live + non_live), counted=number(counted), live=number(live),
        non_live=number(non_live), non_live_limit=None if non_live_cap is None else number(non_live_cap), categories=categories,
        shortfalls=shortfalls, meets=not [s for s in shortfalls if s.kind != "non_live_cap"],
    )
