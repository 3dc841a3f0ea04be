"""What the programs share: who may see a record (as SQL, for each query's WHERE), and reading hours, money and
dates from forms with errors that name the field."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.catalog.language import pick
from lms.errors import Invalid
from lms.i18n import N_, locale_of

MAX_WEEK_MINUTES = 80 * 60


def sees(alias: str, supervisor: str, first: int) -> str:
    """SQL: the viewer ($first = id, +1 = role, +2 = clinic) may read this record: it is theirs, they supervise it,
    it belongs to their clinic (clinic admins), or they run the programs (program admins)."""
    v, role, clinic = f"${first}", f"${first + 1}", f"${first + 2}"
    return (
        f"({alias}.user_id = {v} OR {alias}.{supervisor} = {v} OR {role} = 'program_admin'"
        f" OR ({role} = 'clinic_admin' AND {alias}.clinic_id = {clinic}))"
    )


def viewer_args(viewer: CurrentUser) -> tuple[Any, str, Any]:
    return viewer.id, viewer.role, viewer.clinic_id


def hours_to_minutes(value: str, field: str, *, allow_zero: bool = True) -> int:
    """'7.5' or '7,5' hours -> 450 minutes; quarter hours at most."""
    text = (value or "").strip().replace(",", ".")
    if not text:
        return 0
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise Invalid(
            N_("%(field)s: give hours as a number, such as 7.5"), params={"field": field}, field=field
        ) from None
    if not hours.is_finite() or hours < 0 or hours > 168:
        raise Invalid(N_("%(field)s: give hours between 0 and 168"), params={"field": field}, field=field)
    minutes = hours * 60
    if minutes % 15:
        raise Invalid(N_("%(field)s: round to the quarter hour (0.25)"), params={"field": field}, field=field)
    if not allow_zero and minutes == 0:
        raise Invalid(N_("%(field)s: give more than 0 hours"), params={"field": field}, field=field)
    return int(minutes)


def money_to_cents(value: str, field: str) -> int:
    """'1,250.50' or '1250.5' dollars -> 125050 cents."""
    text = (value or "").strip().replace("$", "").replace(",", "")
    if not re.fullmatch(r"\d{1,6}(\.\d{1,2})?", text):
        raise Invalid(N_("%(field)s: give an amount in dollars, such as 1250.00"), params={"field": field}, field=field)
    return int(Decimal(text) * 100)


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise Invalid(N_("%(field)s: give a date such as 2026-03-02"), params={"field": field}, field=field) from None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def today() -> date:
    return clinic_time.today()


def dollars(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:,.2f}"


def hours(minutes: int | None) -> str:
    """450 -> '7.5'; whole hours without decimals."""
    value = (minutes or 0) / 60
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def name_in(texts: dict[str, str], language: str) -> str:
    return pick(texts, language)[0]


def page_helpers(language: str) -> dict[str, Any]:
    """Hours and amounts as the reader's language writes numbers (7,5 h in Spanish, 2.400,00 in Vietnamese); the CSV
    exports keep ``hours``/``dollars`` above, which a spreadsheet reads the same in every language."""
    locale = locale_of(language)

    def page_hours(minutes: int | None) -> str:
        return format_decimal((minutes or 0) / 60, "#,##0.##", locale=locale)

    def page_dollars(cents: int | None) -> str:
        return "" if cents is None else format_decimal(cents / 100, "#,##0.00", locale=locale)

    return {"hours": page_hours, "dollars": page_dollars, "name_in": lambda texts: name_in(texts, language)}
