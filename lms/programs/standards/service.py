"""Reading the standards forms: every number bounded as its table's CHECK is, with errors naming the field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lms.errors import Invalid
from lms.i18n import N_
from lms.programs.standards.schemas import ApprenticeshipStandardForm, CapForm, SupervisionForm


def whole(value: str, field: str, low: int, high: int) -> int:
    text = (value or "").strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise Invalid(
            N_("%(field)s: give a whole number from %(low)s to %(high)s"),
            field=field,
            params={"field": field, "low": low, "high": high},
        )
    return int(text)


def cap(form: CapForm) -> tuple[int, int]:
    year = whole(form.year, "year", 2000, 2100)
    try:
        dollars = Decimal((form.cap or "").strip().replace(",", ""))
    except InvalidOperation:
        raise Invalid(N_("cap: give an amount in dollars, such as 5250"), field="cap") from None
    if not dollars.is_finite() or dollars <= 0 or dollars > 100_000 or dollars != dollars.quantize(Decimal("0.01")):
        raise Invalid(N_("cap: give an amount in dollars, such as 5250"), field="cap")
    return year, int(dollars * 100)


def supervision(form: SupervisionForm) -> tuple[str, str, int]:
    role_key, _slash, board = form.requirement.partition("/")
    if not role_key or not board:
        raise Invalid(N_("requirement: choose a role and board"), field="requirement")
    return role_key, board, whole(form.required_hours, "required_hours", 1, 10000)


def hourly_cents(value: str, field: str) -> int:
    """An hourly wage in dollars ('23.50') as cents, up to $1,000 an hour."""
    try:
        amount = Decimal((value or "").strip().replace(",", "").replace("$", ""))
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or not 0 < amount <= 1000 or amount != amount.quantize(Decimal("0.01")):
        raise Invalid(
            N_("%(field)s: give an hourly wage in dollars, such as 23.50"), field=field, params={"field": field}
        )
    return int(amount * 100)


def apprenticeship(form: ApprenticeshipStandardForm) -> tuple[str, int, int, int | None]:
    """The model, on-the-job and related-instruction hours, and the journeyworker's hourly wage (blank: none)."""
    if form.model not in ("time", "competency", "hybrid"):
        raise Invalid(N_("model: choose time-based, competency-based or hybrid"), field="model")
    wage = hourly_cents(form.journeyworker_wage, "journeyworker_wage") if form.journeyworker_wage.strip() else None
    return (
        form.model,
        whole(form.ojt_hours, "ojt_hours", 1, 20000),
        whole(form.ri_hours, "ri_hours", 0, 5000),
        wage,
    )
