"""Worked examples: contact minutes to credit by each body's rule, caps, rounding, cycles and renewal requirements."""

from __future__ import annotations

from datetime import date

import pytest

from lms.credit import codes
from lms.credit.renewal import EarnedCredit, Requirement, current_cycle, evaluate
from lms.credit.rules import CreditRule, add_months, credit_for, valid_until
from tests.board_rules import AAMA, DBC, IACET, RDA

LIVE_ONLY = CreditRule(
    body="LIVE",
    name="Live only",
    unit="hour",
    minutes_per_unit=60,
    rounding="round",
    step=0.5,
    counts_live=True,
    counts_self_paced=False,
    min_minutes=0,
)

CHW = Requirement(credential="CHW", name={"en": "CHW"}, body="DHCS_CHW", units=6, cycle_months=12)


def test_iacet_twelve_contact_hours_are_one_point_two_ceu():
    assert credit_for(IACET, live_minutes=0, self_paced_minutes=720).credit == 1.2


def test_iacet_floors_to_a_tenth_and_splits_live_from_online():
    # DA-IC-101 as taught: 60 min skills lab + 10 min checkoff live, 50 min online = 120 min = 0.2 CEU
    credit = credit_for(IACET, live_minutes=70, self_paced_minutes=50)
    assert (credit.credit, credit.live_credit, credit.non_live_credit) == (0.2, 0.1, 0.1)
    assert credit_for(IACET, live_minutes=0, self_paced_minutes=59).credit == 0  # 0.098 CEU floors to 0


def test_dbc_one_unit_per_contact_hour_with_live_and_home_study_tracked():
    credit = credit_for(DBC, live_minutes=70, self_paced_minutes=50, category="infection_control")
    assert (credit.credit, credit.live_credit, credit.non_live_credit) == (2, 1.1, 0.9)


def test_dbc_basic_life_support_counts_at_most_four_units():
    credit = credit_for(DBC, live_minutes=180, self_paced_minutes=180, category="bls")
    assert (credit.credit, credit.live_credit, credit.non_live_credit) == (4, 3, 1)


def test_aama_needs_one_fifty_minute_contact_hour():
    assert credit_for(AAMA, live_minutes=0, self_paced_minutes=45).credit == 0
    assert credit_for(AAMA, live_minutes=0, self_paced_minutes=45).below_minimum
    assert credit_for(AAMA, live_minutes=20, self_paced_minutes=30).credit == 1
    assert credit_for(AAMA, live_minutes=0, self_paced_minutes=125).credit == 2.5


def test_a_body_that_counts_only_live_minutes_ignores_online_ones_and_rounds_half_up():
    credit = credit_for(LIVE_ONLY, live_minutes=75, self_paced_minutes=600)
    assert (credit.credit, credit.minutes_counted) == (1.5, 75)  # 1.25 h rounds to 1.5 at a 0.5 step


def test_bls_certificates_expire_two_years_after_completion():
    assert valid_until(DBC, "bls", date(2026, 2, 28)) == date(2028, 2, 28)
    assert valid_until(DBC, "infection_control", date(2026, 2, 28)) is None
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_cycles_run_back_to_back_from_the_cycle_start():
    assert current_cycle(date(2023, 7, 1), 24, date(2026, 3, 15)) == (date(2025, 7, 1), date(2027, 7, 1))
    assert current_cycle(date(2025, 1, 1), 12, date(2025, 12, 31)) == (date(2025, 1, 1), date(2026, 1, 1))
    assert current_cycle(date(2025, 1, 1), 12, date(2026, 1, 1)) == (date(2026, 1, 1), date(2027, 1, 1))


def _line(
    code: str, on: date, category: str | None, live: float, non_live: float, body: str = "DBC", revoked: bool = False
) -> EarnedCredit:
    return EarnedCredit(
        code=code,
        completed_on=on,
        body=body,
        category=category,
        credit=live + non_live,
        live_credit=live,
        non_live_credit=non_live,
        revoked=revoked,
    )


def test_rda_home_study_counts_only_up_to_half_of_the_25_units():
    earned = [
        _line("A", date(2026, 1, 10), "infection_control", 0, 2),
        _line("B", date(2026, 1, 11), "dental_practice_act", 0, 2),
        _line("C", date(2026, 1, 12), "bls", 4, 0),
        _line("D", date(2026, 2, 1), None, 0, 12),
        _line("E", date(2026, 2, 2), None, 4, 0),
    ]
    status = evaluate(RDA, DBC, cycle_start=date(2025, 7, 1), earned=earned, today=date(2026, 3, 1))
    assert (status.earned, status.live, status.non_live, status.counted) == (24, 8, 16, 20.5)
    assert not status.meets
    assert [(s.kind, s.needed, s.have) for s in status.shortfalls] == [("units", 25, 20.5), ("non_live_cap", 12.5, 16)]

    earned.append(_line("F", date(2026, 2, 3), None, 4.5, 0))
    assert evaluate(RDA, DBC, cycle_start=date(2025, 7, 1), earned=earned, today=date(2026, 3, 1)).meets


def test_an_rda_without_the_dental_practice_act_course_is_short_of_it_whatever_the_total():
    earned = [
        _line("A", date(2026, 1, 10), "infection_control", 1, 1),
        _line("C", date(2026, 1, 12), "bls", 4, 0),
        _line("D", date(2026, 2, 1), None, 20, 0),
    ]
    status = evaluate(RDA, DBC, cycle_start=date(2025, 7, 1), earned=earned, today=date(2026, 3, 1))
    assert status.counted == 26 and not status.meets
    assert [(s.kind, s.category) for s in status.shortfalls] == [("category", "dental_practice_act")]


def test_bls_must_have_an_in_person_part_and_counts_four_units_a_cycle():
    earned = [
        _line("A", date(2026, 1, 10), "infection_control", 2, 0),
        _line("B", date(2026, 1, 11), "dental_practice_act", 2, 0),
        _line("C", date(2026, 1, 12), "bls", 0, 3),  # online-only BLS
        _line("D", date(2026, 1, 13), "bls", 0, 3),
        _line("E", date(2026, 2, 1), None, 20, 0),
    ]
    status = evaluate(RDA, DBC, cycle_start=date(2025, 7, 1), earned=earned, today=date(2026, 3, 1))
    # online-only BLS counts for nothing (the cap is live only), so the 24 other units fall short too
    assert [(s.kind, s.category) for s in status.shortfalls] == [("units", None), ("live", "bls")]
    bls = next(c for c in status.categories if c.category == "bls")
    assert bls.have == 0 and not bls.met

    earned[2:4] = [_line("C", date(2026, 1, 12), "bls", 3, 0), _line("D", date(2026, 1, 13), "bls", 3, 0)]
    status = evaluate(RDA, DBC, cycle_start=date(2025, 7, 1), earned=earned, today=date(2026, 3, 1))
    assert status.meets and status.counted == 28  # 6 units of in-person BLS, capped at 4
    bls = next(c for c in status.categories if c.category == "bls")
    assert bls.have == 4 and bls.met


def test_credit_outside_the_cycle_or_revoked_does_not_count():
    earned = [
        _line("OLD", date(2025, 6, 30), None, 6, 0, body="DHCS_CHW"),  # previous cycle
        _line("REV", date(2025, 8, 1), None, 6, 0, body="DHCS_CHW", revoked=True),
        _line("OK", date(2025, 8, 2), None, 2, 3.5, body="DHCS_CHW"),
    ]
    status = evaluate(CHW, None, cycle_start=date(2024, 7, 1), earned=earned, today=date(2026, 1, 15))
    assert (status.cycle_start, status.counted, status.meets) == (date(2025, 7, 1), 5.5, False)
    assert status.shortfalls[0].needed == 6 and status.shortfalls[0].have == 5.5


def test_codes_are_ten_unambiguous_characters_with_a_check_character():
    code = codes.new_code()
    assert len(code) == 10 and not set(code) & set("01ILO")
    assert codes.normalize(codes.grouped(code).lower()) == code
    assert codes.normalize(" " + code[:4] + " " + code[4:]) == code
    for i in range(10):  # every single-character typo is caught
        for ch in codes.ALPHABET:
            if ch != code[i]:
                assert codes.normalize(code[:i] + ch + code[i + 1 :]) is None
    for i in range(8):  # and every swap of two different neighbours in the random part
        if code[i] != code[i + 1]:
            assert codes.normalize(code[:i] + code[i + 1] + code[i] + code[i + 2 :]) is None


@pytest.mark.parametrize("typed", ["", "ABC", "0000-0000-00", "ABCD-EFGH-JKL", "!!!!-!!!!-!!"])
def test_what_cannot_be_a_code_is_refused(typed):
    assert codes.normalize(typed) is None


def test_a_certificate_is_valid_until_its_expiry_date_and_revoked_wins():
    from datetime import UTC, datetime

    from lms.credit.certificates import status_of

    assert status_of(revoked_at=None, valid_until=None, today=date(2030, 1, 1)) == "valid"
    assert status_of(revoked_at=None, valid_until=date(2028, 2, 28), today=date(2028, 2, 28)) == "valid"
    assert status_of(revoked_at=None, valid_until=date(2028, 2, 28), today=date(2028, 2, 29)) == "expired"
    assert (
        status_of(revoked_at=datetime(2027, 1, 1, tzinfo=UTC), valid_until=date(2028, 2, 28), today=date(2029, 1, 1))
        == "revoked"
    )
