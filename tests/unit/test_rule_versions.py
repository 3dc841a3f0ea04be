"""A changed board rule is a new version row: a cycle is judged by the version in effect on the day it starts; the
Dental Board's first renewal after the licence was issued is exempt (its rule text says so)."""

from __future__ import annotations

from datetime import date

from msgspec.structs import replace

from lms.credit.renewal import CategoryMinimum, EarnedCredit, evaluate, in_effect
from tests import board_rules
from tests.board_rules import DBC

# The seeded rule, but for units and the exemption alone: one required category, no caps.
RDA = replace(
    board_rules.RDA,
    categories=[CategoryMinimum(category="infection_control", min_units=2)],
    caps=[],
    first_renewal_exempt=True,
    effective_from=date(2000, 1, 1),
)
# A new rule from 2027: 30 units, effective for cycles starting on or after 1 January 2027.
RDA_2027 = replace(
    RDA,
    credential="RDA_2027",
    units=30,
    first_renewal_exempt=False,
    version_of="RDA",
    effective_from=date(2027, 1, 1),
    rule_text="30 units from 2027",
)
REQUIREMENTS = {"RDA": RDA, "RDA_2027": RDA_2027}


def test_a_cycle_is_judged_by_the_rule_in_effect_on_the_day_it_starts():
    # Her cycle started 2026-06-01: on 2027-03-01 she is still in it, judged by the old rule (25 units).
    old = in_effect(REQUIREMENTS, "RDA", cycle_start=date(2026, 6, 1), today=date(2027, 3, 1))
    assert old is not None and old.units == 25
    # The next cycle starts 2028-06-01, after the new rule's date: 30 units, still called RDA.
    new = in_effect(REQUIREMENTS, "RDA", cycle_start=date(2026, 6, 1), today=date(2028, 7, 1))
    assert new is not None and (new.units, new.credential, new.rule_text) == (30, "RDA", "30 units from 2027")
    # A cycle starting exactly on the effective date takes the new rule; the day before, the old one.
    assert in_effect(REQUIREMENTS, "RDA", cycle_start=date(2027, 1, 1), today=date(2027, 2, 1)).units == 30
    assert in_effect(REQUIREMENTS, "RDA", cycle_start=date(2026, 12, 31), today=date(2027, 2, 1)).units == 25
    # A version is not a credential anyone holds.
    assert in_effect(REQUIREMENTS, "RDA_2027", cycle_start=date(2027, 1, 1), today=date(2027, 2, 1)) is None


def test_26_units_meet_the_old_rule_and_fall_short_of_the_new_one():
    earned = [
        EarnedCredit(
            code="A",
            completed_on=date(2028, 8, 1),
            body="DBC",
            category="infection_control",
            credit=2,
            live_credit=2,
            non_live_credit=0,
            minutes=120,
            live_minutes=120,
        ),
        EarnedCredit(
            code="B",
            completed_on=date(2028, 9, 1),
            body="DBC",
            category=None,
            credit=24,
            live_credit=24,
            non_live_credit=0,
            minutes=1440,
            live_minutes=1440,
        ),
    ]
    rule = in_effect(REQUIREMENTS, "RDA", cycle_start=date(2026, 6, 1), today=date(2028, 10, 1))
    status = evaluate(rule, DBC, cycle_start=date(2026, 6, 1), earned=earned, today=date(2028, 10, 1))
    assert not status.meets and status.shortfalls[0].missing == 4 and status.rule_effective_from == date(2027, 1, 1)
    status = evaluate(RDA, DBC, cycle_start=date(2026, 6, 1), earned=earned, today=date(2028, 10, 1))
    assert status.meets


def test_the_first_renewal_after_the_licence_is_exempt_and_the_next_one_is_not():
    # Licensed 2025-03-15, cycles from 2025-03-01: the cycle ending 2027-03-01 is her first renewal.
    first = evaluate(
        RDA, DBC, cycle_start=date(2025, 3, 1), earned=[], today=date(2026, 12, 7), licensed_on=date(2025, 3, 15)
    )
    assert first.exempt and first.meets and first.shortfalls == []
    second = evaluate(
        RDA, DBC, cycle_start=date(2025, 3, 1), earned=[], today=date(2027, 3, 2), licensed_on=date(2025, 3, 15)
    )
    assert not second.exempt and not second.meets and second.shortfalls[0].kind == "units"
    # Without the licence date nothing is assumed: the cycle is judged in full.
    unknown = evaluate(RDA, DBC, cycle_start=date(2025, 3, 1), earned=[], today=date(2026, 12, 7))
    assert not unknown.exempt and not unknown.meets
