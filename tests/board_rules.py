"""The boards' rules and renewal requirements as the service loads them from the seeded rows (migrations 0005 and
0022), for unit tests that work credit out without a database. A test that needs a variant says what differs with
``msgspec.structs.replace``."""

from __future__ import annotations

from lms.credit.renewal import CategoryCap, CategoryMinimum, Requirement
from lms.credit.rules import CategoryRule, CreditRule


def rule(body: str, name: str, unit: str, minutes_per_unit: int, *, min_minutes: int = 0, categories=()) -> CreditRule:
    """A board that counts live and self-paced minutes alike, rounded down to a tenth of its unit."""
    return CreditRule(
        body=body,
        name=name,
        unit=unit,
        minutes_per_unit=minutes_per_unit,
        rounding="floor",
        step=0.1,
        counts_live=True,
        counts_self_paced=True,
        min_minutes=min_minutes,
        categories=list(categories),
    )


IACET = rule("IACET", "IACET", "ceu", 600)
DBC = rule(
    "DBC",
    "Dental Board of California",
    "unit",
    60,
    categories=[
        CategoryRule(category="bls", name={"en": "BLS"}, max_units=4, valid_months=24),
        CategoryRule(category="infection_control", name={"en": "IC"}),
        CategoryRule(category="dental_practice_act", name={"en": "DPA"}),
        CategoryRule(category="self_benefit", name={"en": "Own benefit"}),
    ],
)
AAMA = rule(
    "AAMA",
    "AAMA",
    "point",
    50,
    min_minutes=50,
    categories=[CategoryRule(category=c, name={"en": c}) for c in ("administrative", "clinical", "general")],
)
CCBMA = rule(
    "CCBMA",
    "CCBMA",
    "credit",
    60,
    categories=[
        CategoryRule(category="hipaa", name={"en": "HIPAA"}),
        CategoryRule(category="cultural_competency", name={"en": "CC"}),
        CategoryRule(category="cpr", name={"en": "CPR"}, valid_months=24),
    ],
)

RDA = Requirement(
    credential="RDA",
    name={"en": "RDA"},
    body="DBC",
    units=25,
    cycle_months=24,
    max_non_live_share=0.5,
    categories=[
        CategoryMinimum(category="infection_control", min_units=2),
        CategoryMinimum(category="dental_practice_act", min_units=2),
        CategoryMinimum(category="bls", min_units=0, needs_live=True),
    ],
    caps=[
        CategoryCap(category="bls", max_units=4, live_only=True),
        CategoryCap(category="self_benefit", max_share=0.2),
    ],
)
AAMA_CMA = Requirement(
    credential="AAMA_CMA",
    name={"en": "CMA"},
    body="AAMA",
    units=60,
    cycle_months=60,
    min_approved_units=30,
    categories=[CategoryMinimum(category=c, min_units=10) for c in ("administrative", "clinical", "general")],
)
CCBMA_CMA = Requirement(
    credential="CCBMA_CMA",
    name={"en": "CCBMA"},
    body="CCBMA",
    units=60,
    cycle_months=60,
    categories=[
        CategoryMinimum(category="hipaa", min_units=0),
        CategoryMinimum(category="cultural_competency", min_units=0),
        CategoryMinimum(category="cpr", min_units=0, must_be_current=True),
    ],
)
