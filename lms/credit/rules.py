"""From contact minutes to credit, by each accrediting body's rule (rules are rows in ``accrediting_bodies``).

Pure functions: the service loads the rules and the minutes a worker actually completed or attended, and freezes
what these return into the certificate.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from lms.schemas import Response

_ROUNDING = {"floor": ROUND_FLOOR, "round": ROUND_HALF_UP, "ceil": ROUND_CEILING}


class CategoryRule(Response):
    """A body's credit category: a cap on the credit one course (and one renewal cycle) may count, an expiry."""

    category: str
    name: dict[str, str]
    max_units: float | None = None
    valid_months: int | None = None


class CreditRule(Response):
    body: str
    name: str
    unit: str  # a key of UNIT_NAMES: ceu, unit, credit, point, hour
    minutes_per_unit: int
    rounding: str  # floor | round | ceil, to a multiple of `step`
    step: float
    counts_live: bool  # in-person attendance and checkoffs
    counts_self_paced: bool  # online lessons and quizzes
    min_minutes: int  # a course shorter than this earns nothing from this body
    categories: list[CategoryRule] = []

    def category(self, key: str | None) -> CategoryRule | None:
        return next((c for c in self.categories if c.category == key), None) if key else None


class Credit(Response):
    body: str
    credit: float
    live_credit: float
    non_live_credit: float
    minutes_counted: int
    below_minimum: bool = False
    exact_credit: float = 0  # minutes over minutes per unit, before rounding (4 decimals)


def quantize(value: Decimal, *, step: float, rounding: str) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (0.1, 0.25, 1 ...) the rule's way."""
    unit = Decimal(str(step))
    return (value / unit).quantize(Decimal(1), rounding=_ROUNDING[rounding]) * unit


def number(value: Decimal | float | int) -> float | int:
    """A plain JSON number: integral values as int (so JSON-LD sees xsd:integer the same way in every library)."""
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return int(d) if d == d.to_integral_value() else float(d)


def credit_for(rule: CreditRule, *, live_minutes: int, self_paced_minutes: int, category: str | None = None) -> Credit:
    """Credit one completed course earns from one body.

    Worked example (IACET, 600 minutes per CEU, floor to 0.1): 60 live + 65 self-paced minutes = 125 minutes =
    0.2083 CEU, floored to 0.2. Live credit is rounded on its own and the rest is non-live, so live + non-live is
    always the total. A category cap (DBC Basic Life Support: at most 4 units) lowers both, live first kept.
    """
    live = live_minutes if rule.counts_live else 0
    self_paced = self_paced_minutes if rule.counts_self_paced else 0
    counted = live + self_paced
    if counted <= 0 or counted < rule.min_minutes:
        return Credit(
            body=rule.body,
            credit=0,
            live_credit=0,
            non_live_credit=0,
            minutes_counted=counted,
            below_minimum=counted > 0,
        )
    per_unit = Decimal(rule.minutes_per_unit)
    exact = (Decimal(counted) / per_unit).quantize(Decimal("0.0001"))
    total = quantize(Decimal(counted) / per_unit, step=rule.step, rounding=rule.rounding)
    live_units = min(quantize(Decimal(live) / per_unit, step=rule.step, rounding=rule.rounding), total)
    cap = rule.category(category)
    if cap is not None and cap.max_units is not None:
        total = min(total, Decimal(str(cap.max_units)))
        live_units = min(live_units, total)
    return Credit(
        body=rule.body,
        credit=number(total),
        live_credit=number(live_units),
        non_live_credit=number(total - live_units),
        minutes_counted=counted,
        exact_credit=float(exact),
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def valid_until(rule: CreditRule, category: str | None, completed_on: date) -> date | None:
    cap = rule.category(category)
    if cap is None or cap.valid_months is None:
        return None
    return add_months(completed_on, cap.valid_months)
