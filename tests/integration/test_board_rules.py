"""The boards' rules as written, read from the database as the service reads them, walked with worked cases derived
from the rule texts (DOMAIN.md): each threshold and just below it, a required topic missing, every cap, credit outside
the cycle, fractional CEUs, and each body's rounding (exact minutes added across courses, rounded once).

A case is a list of courses a worker finished: (body, category, minutes, live minutes, day[, approved, valid until]).
Each becomes a credit line the way a certificate makes it (lms.credit.rules.credit_for)."""

from __future__ import annotations

from datetime import date

import pytest

from lms.credit import queries
from lms.credit.renewal import EarnedCredit, evaluate
from lms.credit.rules import credit_for
from lms.credit.standing import totals_by_body

TODAY = date(2026, 12, 1)
CYCLE = date(2025, 1, 1)  # RDA (2 years): 2025-01-01 to 2027-01-01; CHW (1 year): 2026-01-01 to 2027-01-01


@pytest.fixture
async def board(conn):
    return await queries.rules_and_requirements(conn)


def course(
    rules, body, category, minutes, live=0, day=date(2026, 3, 1), approved=True, valid_until=None
) -> EarnedCredit:
    rule = rules[body]
    earned = credit_for(rule, live_minutes=live, self_paced_minutes=minutes - live, category=category)
    return EarnedCredit(
        code="X",
        completed_on=day,
        body=body,
        category=category,
        credit=earned.credit,
        live_credit=earned.live_credit,
        non_live_credit=earned.non_live_credit,
        minutes=earned.minutes_counted,
        live_minutes=live,
        below_minimum=earned.below_minimum,
        approved=approved,
        valid_until=valid_until,
    )


def check(board, credential, courses, cycle_start=CYCLE):
    rules, requirements = board
    requirement = requirements[credential]
    return evaluate(requirement, rules[requirement.body], cycle_start=cycle_start, earned=courses, today=TODAY)


def kinds(status):
    return [(s.kind, s.category) for s in status.shortfalls if s.kind != "non_live_cap"]


# ---------------------------------------------------------------- every rule is data with its text and source


async def test_every_credential_rule_carries_its_text_source_and_dates(board):
    _rules, requirements = board
    assert set(requirements) >= {"RDA", "CHW", "CCBMA_CMA", "AAMA_CMA"}
    for r in requirements.values():
        assert r.rule_text and r.source and r.effective_from is not None
    assert "HIPAA and cultural-competency" in requirements["CCBMA_CMA"].rule_text
    assert requirements["AAMA_CMA"].min_approved_units == 30
    assert {(c.category, c.max_units, c.max_share, c.live_only) for c in requirements["RDA"].caps} == {
        ("bls", 4, None, True),
        ("self_benefit", None, 0.2, False),
    }


# ---------------------------------------------------------------- IACET


async def test_iacet_events_and_totals(board):
    rules, _ = board
    iacet = rules["IACET"]
    assert credit_for(iacet, live_minutes=59, self_paced_minutes=0).credit == 0  # under 0.1 CEU: nothing
    assert credit_for(iacet, live_minutes=59, self_paced_minutes=0).below_minimum
    assert credit_for(iacet, live_minutes=60, self_paced_minutes=0).credit == 0.1  # the minimum itself
    ninety = credit_for(iacet, live_minutes=90, self_paced_minutes=0)
    assert (ninety.credit, ninety.exact_credit) == (0.1, 0.15)  # the certificate states both
    assert credit_for(iacet, live_minutes=720, self_paced_minutes=0).credit == 1.2  # 12 h = 1.2 CEU
    # Eight 90-minute courses: 720 exact minutes = 1.2 CEU, not 8 x 0.1.
    eight = [course(rules, "IACET", None, 90, 90) for _ in range(8)]
    total = totals_by_body(eight, rules)[0]
    assert (total.body, total.credit) == ("IACET", 1.2)
    # Courses under the minimum add nothing even together.
    assert totals_by_body([course(rules, "IACET", None, 50, 50) for _ in range(3)], rules)[0].credit == 0


# ---------------------------------------------------------------- Dental Board of California: RDA


def rda_complete(rules, *, general_minutes=720, home_study=300):
    return [
        course(rules, "DBC", "infection_control", 120, 120),
        course(rules, "DBC", "dental_practice_act", 120, 120),
        course(rules, "DBC", "bls", 240, 240),
        course(rules, "DBC", None, general_minutes, general_minutes),
        course(rules, "DBC", None, home_study, 0),
    ]


async def test_rda_at_the_threshold_meets_and_a_tenth_below_does_not(board):
    rules, _ = board
    status = check(board, "RDA", rda_complete(rules))  # 2 + 2 + 4 + 12 live + 5 home study = 25
    assert (status.counted, status.meets, kinds(status)) == (25, True, [])
    short = check(board, "RDA", rda_complete(rules, general_minutes=714))  # 11.9 live
    assert (short.counted, short.meets) == (24.9, False)
    assert [(s.kind, s.missing) for s in short.shortfalls] == [("units", 0.1)]
    assert (short.cycle_end, short.rounding) == (date(2027, 1, 1), "floor to 0.1")


async def test_rda_mandatory_topics_missing_or_just_short(board):
    rules, _ = board
    no_ic = [c for c in rda_complete(rules, general_minutes=840) if c.category != "infection_control"]
    status = check(board, "RDA", no_ic)
    assert status.counted == 25 and kinds(status) == [("category", "infection_control")]
    assert status.shortfalls[0].missing == 2
    almost = rda_complete(rules, general_minutes=726)
    almost[0] = course(rules, "DBC", "infection_control", 114, 114)  # 1.9 units
    status = check(board, "RDA", almost)
    assert kinds(status) == [("category", "infection_control")] and status.shortfalls[0].have == 1.9


async def test_rda_bls_counts_at_most_four_and_only_with_an_in_person_part(board):
    rules, _ = board
    six_bls = rda_complete(rules, general_minutes=600)
    six_bls[2] = course(rules, "DBC", "bls", 360, 360)  # 6 units of BLS: 4 count
    status = check(board, "RDA", six_bls)
    assert status.counted == 23 and kinds(status) == [("units", None)]
    home_bls = rda_complete(rules, general_minutes=960)
    home_bls[2] = course(rules, "DBC", "bls", 240, 0)  # BLS as home study: no skills part, counts 0
    status = check(board, "RDA", home_bls)
    assert kinds(status) == [("live", "bls")] and status.counted == 25 and not status.meets


async def test_rda_non_live_counts_at_most_half_and_self_benefit_at_most_a_fifth(board):
    rules, _ = board
    home = rda_complete(rules, general_minutes=0, home_study=1140)  # 8 live + 19 home study: 12.5 of it count
    status = check(board, "RDA", home)
    assert status.counted == 20.5 and not status.meets
    assert [s for s in status.shortfalls if s.kind == "non_live_cap"][0].needed == 12.5
    selfish = rda_complete(rules, general_minutes=300)
    selfish.append(course(rules, "DBC", "self_benefit", 420, 420))  # 7 units for her own benefit: 5 count (20 % of 25)
    status = check(board, "RDA", selfish)
    assert status.counted == 23 and not status.meets


async def test_rda_credit_outside_the_cycle_does_not_count(board):
    rules, _ = board
    courses = rda_complete(rules)
    courses[3] = course(rules, "DBC", None, 720, 720, day=date(2024, 12, 31))  # the day before the cycle
    status = check(board, "RDA", courses)
    assert status.counted == 13 and not status.meets
    courses[3] = course(rules, "DBC", None, 720, 720, day=date(2025, 1, 1))  # its first day
    assert check(board, "RDA", courses).meets


# ---------------------------------------------------------------- CCBMA


def ccbma(rules, *, general=3360, hipaa=True, cultural=True, cpr_until=date(2027, 6, 1)):
    courses = [course(rules, "CCBMA", None, general, 0)]
    if hipaa:
        courses.append(course(rules, "CCBMA", "hipaa", 120, 0))
    if cultural:
        courses.append(course(rules, "CCBMA", "cultural_competency", 120, 0))
    courses.append(course(rules, "CCBMA", "cpr", 240, 240, day=date(2025, 6, 1), valid_until=cpr_until))
    return courses


async def test_ccbma_sixty_credits_with_hipaa_cultural_competency_and_current_cpr(board):
    rules, _ = board
    status = check(board, "CCBMA_CMA", ccbma(rules), cycle_start=date(2022, 1, 1))  # 56 + 2 + 2 + 4 hours
    assert status.meets and status.counted == 64
    just_below = check(board, "CCBMA_CMA", ccbma(rules, general=3114), cycle_start=date(2022, 1, 1))  # 51.9 + 8
    assert (just_below.counted, just_below.meets) == (59.9, False)


async def test_ccbma_62_hours_without_hipaa_does_not_meet(board):
    rules, _ = board
    status = check(board, "CCBMA_CMA", ccbma(rules, general=3360, hipaa=False), cycle_start=date(2022, 1, 1))
    assert status.counted == 62 and not status.meets
    assert kinds(status) == [("category", "hipaa")]


async def test_ccbma_cpr_expired_is_named_with_its_date(board):
    rules, _ = board
    status = check(board, "CCBMA_CMA", ccbma(rules, cpr_until=date(2026, 11, 30)), cycle_start=date(2022, 1, 1))
    assert not status.meets
    expired = [s for s in status.shortfalls if s.kind == "current"]
    assert expired and expired[0].category == "cpr" and expired[0].expired_on == date(2026, 11, 30)


# ---------------------------------------------------------------- AAMA CMA


def aama(rules, *, admin=500, clinical=500, general=500, other=1500, approved_other=True):
    return [
        course(rules, "AAMA", "administrative", admin),
        course(rules, "AAMA", "clinical", clinical),
        course(rules, "AAMA", "general", general),
        course(rules, "AAMA", None, other, approved=approved_other),
    ]


async def test_aama_sixty_points_with_ten_in_each_category(board):
    rules, _ = board
    status = check(board, "AAMA_CMA", aama(rules), cycle_start=date(2022, 1, 1))  # 10 + 10 + 10 + 30 points of 50 min
    assert (status.counted, status.meets) == (60, True)
    short_admin = check(board, "AAMA_CMA", aama(rules, admin=495, other=1505), cycle_start=date(2022, 1, 1))
    assert kinds(short_admin) == [("category", "administrative")] and short_admin.shortfalls[0].have == 9.9


async def test_aama_needs_thirty_points_from_approved_programs(board):
    rules, _ = board
    # 30 approved points (the three categories) and 31 from programs AAMA did not approve: at the threshold.
    status = check(board, "AAMA_CMA", aama(rules, other=1550, approved_other=False), cycle_start=date(2022, 1, 1))
    assert (status.counted, status.meets) == (61, True)
    # 29.9 approved points: short of approved credit (and of administrative), whatever the total.
    below = check(
        board, "AAMA_CMA", aama(rules, admin=495, other=1600, approved_other=False), cycle_start=date(2022, 1, 1)
    )
    assert below.counted == 61.9 and ("approved", None) in kinds(below)
    approved = next(s for s in below.shortfalls if s.kind == "approved")
    assert (approved.have, approved.missing) == (29.9, 0.1)


async def test_aama_outside_programs_count_from_one_fifty_minute_hour(board):
    rules, _ = board
    assert course(rules, "AAMA", None, 49).credit == 0 and course(rules, "AAMA", None, 49).below_minimum
    assert course(rules, "AAMA", None, 50).credit == 1


# ---------------------------------------------------------------- DHCS CHW


async def test_chw_six_hours_every_year(board):
    rules, _ = board
    assert check(board, "CHW", [course(rules, "DHCS_CHW", None, 360, 360)]).meets
    short = check(board, "CHW", [course(rules, "DHCS_CHW", None, 359, 359)])
    assert (short.counted, short.meets, short.shortfalls[0].missing) == (5.9, False, 0.1)
    assert (short.cycle_start, short.cycle_end) == (date(2026, 1, 1), date(2027, 1, 1))
    last_year = check(board, "CHW", [course(rules, "DHCS_CHW", None, 360, 360, day=date(2025, 12, 31))])
    assert not last_year.meets and last_year.counted == 0


# ---------------------------------------------------------------- the renewal view, to the worker and her clinic admin


async def test_the_worker_and_her_clinic_admin_read_exactly_what_is_missing_in_her_language(client, conn):
    from tests.helpers import make_clinic, make_user, sign_in
    from tests.integration.test_credit import do_everything, make_course

    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns", language="es", name="Ana Pérez")
    await make_user(conn, "clara@example.org", "clinic_admin", clinic="st-johns", name="Clara Admin")
    teacher = await make_user(conn, "maria@example.org", "instructor")
    # 10 hours of CCBMA credit; no HIPAA, cultural-competency or CPR course.
    general = await make_course(
        conn,
        "MA-GEN-101",
        [("lab", "in_person", 600)] * 1,
        [{"body": "CCBMA", "provider_number": "C-1", "approved_from": "2020-01-01"}],
    )
    await do_everything(conn, user_id=worker.id, version_id=general, instructor_id=teacher.id)
    await conn.execute(
        "INSERT INTO worker_credentials (user_id, credential, cycle_start) VALUES ($1, 'CCBMA_CMA', $2)",
        worker.id,
        date(2024, 1, 1),
    )
    await sign_in(client, "ana@example.org")
    page = await client.get("/my/certificates")
    assert page.status_code == 200
    assert "Un curso de HIPAA." in page.text and "Un curso vigente de RCP." in page.text
    assert "1 ene 2029" in page.text  # the cycle's end (5 years from 2024-01-01), as Spanish writes a date
    await sign_in(client, "clara@example.org")
    admin = await client.get("/clinic/credit", headers={"Accept-Language": "en"})
    assert "A HIPAA course." in admin.text and "50 credits more before Jan 1, 2029" in admin.text


async def test_a_certificate_states_how_its_credit_was_rounded(client, conn):
    from tests.helpers import make_clinic, make_user
    from tests.integration.test_credit import certificate_code, do_everything, make_course

    await make_clinic(conn, "st-johns")
    worker = await make_user(conn, "ana@example.org", "worker", clinic="st-johns")
    teacher = await make_user(conn, "maria@example.org", "instructor")
    version = await make_course(
        conn,
        "CE-NINETY-1",
        [("lab", "in_person", 90)],
        [{"body": "IACET", "provider_number": "I-1", "approved_from": "2020-01-01"}],
    )
    code = await certificate_code(
        conn, await do_everything(conn, user_id=worker.id, version_id=version, instructor_id=teacher.id)
    )
    shown = await client.get(f"/verify/{code}", headers={"Accept-Language": "en"})
    assert "90 minutes at 600 minutes a unit = 0.15, rounded down to 0.1 once for this course." in shown.text
    line = (await client.get(f"/api/v1/certificates/{code}")).json()["facts"]["credits"][0]
    assert (line["credit"], line["exact_credit"], line["rounding"]) == (0.1, 0.15, "floor to 0.1")
