"""Does a worker's credit meet the renewal requirement of the credential they hold? Requirements are rows
(``credential_requirements`` and ``credential_category_minimums``), so a new credential is data, not code.

Pure functions over frozen certificate facts; the clinic page and its CSV both come from ``evaluate``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from lms.credit.rules import CreditRule, add_months, number, quantize
from lms.schemas import Response


class CategoryMinimum(Response):
    category: str
    min_units: float  # 0: "a course in this category" (a required topic)
    needs_live: bool = False  # with an in-person part
    must_be_current: bool = False  # a certificate in it still valid today (CCBMA: current CPR)


class CategoryCap(Response):
    """What one category may count toward a renewal (RDA: BLS at most 4 and only with an in-person part; courses
    mainly for the licensee's own benefit at most 20 %)."""

    category: str
    max_units: float | None = None
    max_share: float | None = None
    live_only: bool = False  # only courses with an in-person part count (the whole course, up to the caps)


class Requirement(Response):
    credential: str  # RDA, CHW, CCBMA_CMA, AAMA_CMA ...
    name: dict[str, str]
    body: str
    units: float
    cycle_months: int
    max_non_live_share: float | None = None
    categories: list[CategoryMinimum] = []
    caps: list[CategoryCap] = []
    min_approved_units: float | None = None  # AAMA: at least 30 from AAMA-approved programs
    rule_text: str = ""
    source: str = ""
    effective_from: date | None = None
    effective_until: date | None = None
    version_of: str | None = None  # a later (or earlier) version of this credential's rule
    first_renewal_exempt: bool = False  # the cycle in which the licence was issued needs no credit (RDA)


class EarnedCredit(Response):
    """One body's line on one certificate (or an approved outside record), as frozen when it was issued."""

    code: str
    completed_on: date
    body: str
    category: str | None
    credit: float
    live_credit: float
    non_live_credit: float
    revoked: bool = False
    minutes: int = 0  # exact minutes this body counts (0: only the rounded credit is known)
    live_minutes: int = 0
    below_minimum: bool = False  # shorter than the body's minimum for one event: earns nothing
    valid_until: date | None = None
    approved: bool = True  # from a provider the body approved (this service's approvals always are)
    # Minutes in person (a BLS skills part): None means all live minutes were (this service's sessions and checkoffs);
    # a live webinar is live for a non-live cap, but never in person.
    in_person_minutes: int | None = None
    outside: bool = False  # an approved outside record, not a certificate of this service

    def in_person(self) -> bool:
        if self.in_person_minutes is not None:
            return self.in_person_minutes > 0
        return self.live_minutes > 0 or (self.minutes <= 0 and self.live_credit > 0)


class Shortfall(Response):
    kind: str  # units | category | live | current | approved | non_live_cap (information, not a shortfall)
    category: str | None
    needed: float
    have: float
    missing: float = 0  # needed - have, in the body's unit
    expired_on: date | None = None  # current: the last certificate in the category ran out that day


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
    cycle_end: date  # exclusive: the next cycle starts that day
    required: float
    earned: float  # all credit from this body in the cycle (category caps applied)
    counted: float  # what counts toward renewal after the limits, exact minutes added and rounded once
    live: float
    non_live: float
    non_live_limit: float | None
    categories: list[CategoryStatus]
    shortfalls: list[Shortfall]
    meets: bool
    unit: str = ""
    rounding: str = ""  # how `counted` was rounded, e.g. "floor to 0.1"
    rule_text: str = ""
    source: str = ""
    rule_effective_from: date | None = None  # the version of the rule this cycle is judged by
    exempt: bool = False  # the first renewal, exempt by the rule's text: nothing is needed


def in_effect(
    requirements: dict[str, Requirement], credential: str, *, cycle_start: date, today: date
) -> Requirement | None:
    """The version of ``credential``'s rule that judges the cycle containing ``today``: the latest one whose effective
    dates contain the day that cycle starts (a rule changed in the middle of a cycle applies from the next one)."""
    base = requirements.get(credential)
    if base is None or base.version_of is not None:
        return None
    start, _end = current_cycle(cycle_start, base.cycle_months, today)
    versions = [r for r in requirements.values() if r.credential == credential or r.version_of == credential]
    usable = [
        r
        for r in versions
        if (r.effective_from or date.min) <= start and (r.effective_until is None or start < r.effective_until)
    ]
    if not usable:
        return base
    chosen = max(usable, key=lambda r: r.effective_from or date.min)
    return chosen if chosen is base else msgspec.structs.replace(chosen, credential=credential, version_of=None)


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


def _exact(line: EarnedCredit, rule: CreditRule | None) -> tuple[Decimal, Decimal]:
    """(credit, live credit) of one line, unrounded: its exact minutes over the body's minutes per unit."""
    if line.below_minimum:
        return Decimal(0), Decimal(0)
    if rule is None or line.minutes <= 0:
        return Decimal(str(line.credit)), Decimal(str(line.live_credit))
    per_unit = Decimal(rule.minutes_per_unit)
    total = Decimal(line.minutes) / per_unit
    live = min(Decimal(line.live_minutes) / per_unit, total)
    cap = rule.category(line.category)
    if cap is not None and cap.max_units is not None:  # a category's cap per course (BLS: 4 units)
        total = min(total, Decimal(str(cap.max_units)))
        live = min(live, total)
    return total, live


def add_once(lines: list[EarnedCredit], rule: CreditRule | None) -> tuple[Decimal, Decimal]:
    """(total, live) of these lines: exact credit added, then rounded once the body's way."""
    total = live = Decimal(0)
    for line in lines:
        t, lv = _exact(line, rule)
        total += t
        live += lv
    rounded = _round(total, rule)
    return rounded, min(_round(live, rule), rounded)


def _round(value: Decimal, rule: CreditRule | None) -> Decimal:
    return quantize(value, step=rule.step, rounding=rule.rounding) if rule else value


def rounding_label(rule: CreditRule | None) -> str:
    return f"{rule.rounding} to {number(Decimal(str(rule.step)))}" if rule else ""


def evaluate(
    requirement: Requirement,
    rule: CreditRule | None,
    *,
    cycle_start: date,
    earned: list[EarnedCredit],
    today: date,
    licensed_on: date | None = None,
) -> RenewalStatus:
    """Worked example (RDA: DBC, 25 units per 2 years, non-live at most half, IC >= 2, DPA >= 2, BLS live):
    16 home-study units + 8 live units: non-live counts only up to 12.5, so 20.5 of 25 count and the worker is
    4.5 units short even though 24 units were earned.

    Exact minutes are added across courses and the total is rounded once, the body's way (IACET: eight 90-minute
    courses are 720 minutes = 1.2 CEU, although each course's certificate says 0.1)."""
    start, end = current_cycle(cycle_start, requirement.cycle_months, today)
    of_body = [e for e in earned if e.body == requirement.body and not e.revoked]
    lines = [e for e in of_body if start <= e.completed_on < end]
    by_category: dict[str, list[EarnedCredit]] = {}
    for line in lines:
        by_category.setdefault(line.category or "", []).append(line)
    caps = {c.category: c for c in requirement.caps}
    required = Decimal(str(requirement.units))

    live = non_live = approved = Decimal(0)
    category_totals: dict[str, tuple[Decimal, Decimal]] = {}
    for category, group in by_category.items():
        cap = caps.get(category)
        if cap is not None and cap.live_only:  # only courses with an in-person part count (all of such a course)
            group = [e for e in group if e.in_person()]
        exact = [(_exact(e, rule), e.approved) for e in group]
        cat_total = sum((t for (t, _l), _a in exact), Decimal(0))
        cat_live = sum((lv for (_t, lv), _a in exact), Decimal(0))
        cat_approved = sum((t for (t, _l), a in exact if a), Decimal(0))
        limits = []
        body_cap = rule.category(category) if rule else None
        if body_cap is not None and body_cap.max_units is not None:
            limits.append(Decimal(str(body_cap.max_units)))
        if cap is not None:
            if cap.max_units is not None:
                limits.append(Decimal(str(cap.max_units)))
            if cap.max_share is not None:
                limits.append(required * Decimal(str(cap.max_share)))
        for limit in limits:  # caps keep live credit first
            cat_total = min(cat_total, limit)
            cat_live = min(cat_live, cat_total)
            cat_approved = min(cat_approved, cat_total)
        category_totals[category] = (cat_live, cat_total - cat_live)
        live += cat_live
        non_live += cat_total - cat_live
        approved += cat_approved

    non_live_limit = (
        None if requirement.max_non_live_share is None else required * Decimal(str(requirement.max_non_live_share))
    )
    counted_non_live = non_live if non_live_limit is None else min(non_live, non_live_limit)
    counted = _round(live + counted_non_live, rule)

    shortfalls: list[Shortfall] = []
    categories: list[CategoryStatus] = []
    for minimum in requirement.categories:
        cat_live, cat_non_live = category_totals.get(minimum.category, (Decimal(0), Decimal(0)))
        have = _round(cat_live + cat_non_live, rule)
        needed = Decimal(str(minimum.min_units))
        has_any = bool(by_category.get(minimum.category)) if needed == 0 else have >= needed
        in_person = any(e.in_person() for e in by_category.get(minimum.category, []))
        live_ok = not minimum.needs_live or in_person
        current_ok = True
        expired_on = None
        if minimum.must_be_current:
            held = [e for e in of_body if e.category == minimum.category and e.completed_on <= today]
            current_ok = any(e.valid_until is None or e.valid_until >= today for e in held)
            if held and not current_ok:
                expired_on = max(e.valid_until for e in held if e.valid_until is not None)
            has_any = has_any or current_ok  # a current certificate from an earlier cycle still counts as held
        categories.append(
            CategoryStatus(
                category=minimum.category,
                needed=number(needed),
                have=number(have),
                live=in_person,
                needs_live=minimum.needs_live,
                met=has_any and live_ok and current_ok,
            )
        )
        if minimum.must_be_current and not current_ok:
            shortfalls.append(
                Shortfall(kind="current", category=minimum.category, needed=0, have=0, expired_on=expired_on)
            )
        elif not has_any:
            shortfalls.append(
                Shortfall(
                    kind="category",
                    category=minimum.category,
                    needed=number(needed),
                    have=number(have),
                    missing=number(needed - have),
                )
            )
        elif not live_ok:
            shortfalls.append(Shortfall(kind="live", category=minimum.category, needed=0, have=0))
    if counted < required:
        shortfalls.insert(
            0,
            Shortfall(
                kind="units",
                category=None,
                needed=number(required),
                have=number(counted),
                missing=number(required - counted),
            ),
        )
    if requirement.min_approved_units is not None:
        need_approved = Decimal(str(requirement.min_approved_units))
        have_approved = _round(approved, rule)
        if have_approved < need_approved:
            shortfalls.append(
                Shortfall(
                    kind="approved",
                    category=None,
                    needed=number(need_approved),
                    have=number(have_approved),
                    missing=number(need_approved - have_approved),
                )
            )
    if non_live_limit is not None and non_live > non_live_limit:
        shortfalls.append(
            Shortfall(
                kind="non_live_cap", category=None, needed=number(non_live_limit), have=number(_round(non_live, rule))
            )
        )
    exempt = requirement.first_renewal_exempt and licensed_on is not None and start <= licensed_on < end
    return RenewalStatus(
        credential=requirement.credential,
        body=requirement.body,
        cycle_start=start,
        cycle_end=end,
        required=number(required),
        earned=number(_round(live + non_live, rule)),
        counted=number(counted),
        live=number(_round(live, rule)),
        non_live=number(_round(non_live, rule)),
        non_live_limit=None if non_live_limit is None else number(non_live_limit),
        categories=categories,
        shortfalls=[] if exempt else shortfalls,
        meets=exempt or not [s for s in shortfalls if s.kind != "non_live_cap"],
        unit=rule.unit if rule else "",
        rounding=rounding_label(rule),
        rule_text=requirement.rule_text,
        source=requirement.source,
        rule_effective_from=requirement.effective_from,
        exempt=exempt,
    )
