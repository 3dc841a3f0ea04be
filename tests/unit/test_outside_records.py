"""Outside records in the renewal totals, worked from the rule texts (DOMAIN.md, migration 0022), and the checks an
outside record or a CSV line must pass before anything is stored."""

from __future__ import annotations

import base64
import itertools
from datetime import date

import pytest

from lms.credit.outside.checks import check_certificate, check_record, decode_certificate
from lms.credit.outside.imports import parse_records
from lms.credit.outside.schemas import OutsideRecordIn
from lms.credit.renewal import evaluate
from lms.credit.standing import outside_lines
from lms.errors import Invalid
from tests.board_rules import AAMA, AAMA_CMA, CCBMA, CCBMA_CMA, DBC, RDA

TODAY = date(2026, 12, 7)
CYCLE_START = date(2025, 6, 1)  # RDA cycle 2025-06-01 .. 2027-06-01
RULES = {"DBC": DBC, "AAMA": AAMA, "CCBMA": CCBMA}


_RECORD_IDS = itertools.count(1)


def rec(
    minutes: int,
    delivery: str = "in_person",
    category: str | None = None,
    *,
    body: str = "DBC",
    ended_on: date = date(2026, 3, 1),
    approved: bool = True,
) -> dict:
    return {
        "id": f"r{next(_RECORD_IDS)}",
        "ended_on": ended_on.isoformat(),
        "minutes": minutes,
        "delivery": delivery,
        "body": body,
        "category": category,
        "body_approved": approved,
    }


def rda(*records: dict):
    return evaluate(RDA, DBC, cycle_start=CYCLE_START, earned=outside_lines(list(records), RULES), today=TODAY)


MANDATORY = (
    rec(120, "in_person", "infection_control"),
    rec(120, "live_online", "dental_practice_act"),
    rec(240, "in_person", "bls"),
)


def test_rda_outside_records_meet_25_units_with_home_study_capped_at_half():
    # Live: IC 2 + DPA 2 (webinar: live) + BLS 4 + 6 = 14; home study 16, of which 12.5 count: 26.5 >= 25.
    status = rda(*MANDATORY, rec(360), rec(960, "home_study"))
    assert status.meets and status.counted == 26.5 and status.live == 14 and status.non_live == 16
    assert [s.kind for s in status.shortfalls] == ["non_live_cap"]


def test_rda_just_below_25_units_names_the_half_unit_missing():
    status = rda(*MANDATORY, rec(330), rec(960, "home_study"))  # 13.5 live + 12.5 non-live = 26
    assert status.counted == 26 and status.meets
    status = rda(*MANDATORY, rec(270), rec(960, "home_study"))  # 12.5 live + 12.5 non-live = 25.0: exactly enough
    assert status.counted == 25 and status.meets
    status = rda(*MANDATORY, rec(264), rec(960, "home_study"))  # 4.4 units: 24.9
    assert not status.meets and status.shortfalls[0].kind == "units" and status.shortfalls[0].missing == 0.1


def test_a_mandatory_topic_is_satisfied_by_an_outside_record_and_1_9_units_are_not_enough():
    status = rda(*MANDATORY, rec(900), rec(750, "home_study"))
    assert {c.category: c.met for c in status.categories} == {
        "infection_control": True,
        "dental_practice_act": True,
        "bls": True,
    }
    short = rda(rec(114, "in_person", "infection_control"), *MANDATORY[1:], rec(900), rec(750, "home_study"))
    ic = next(s for s in short.shortfalls if s.category == "infection_control")
    assert ic.kind == "category" and ic.have == 1.9 and ic.missing == 0.1


def test_bls_by_webinar_is_live_for_the_non_live_cap_but_not_the_in_person_skills_part():
    status = rda(
        rec(120, "in_person", "infection_control"),
        rec(120, "in_person", "dental_practice_act"),
        rec(240, "live_online", "bls"),
        rec(1080),
        rec(750, "home_study"),
    )
    assert not status.meets
    assert any(s.kind == "live" and s.category == "bls" for s in status.shortfalls)
    assert status.live == 22  # BLS by webinar counts nothing toward RDA (in person only): 2 + 2 + 18


def test_bls_counts_at_most_4_units_and_own_benefit_at_most_20_percent():
    status = rda(*MANDATORY[:2], rec(480, "in_person", "bls"), rec(600, "in_person", "self_benefit"), rec(600))
    # BLS 8 h -> 4 units; own benefit 10 units -> 5 (20 % of 25); 2 + 2 + 4 + 5 + 10 = 23
    assert status.counted == 23 and not status.meets


def test_an_outside_record_before_the_cycle_does_not_count():
    status = rda(*MANDATORY, rec(1500, ended_on=date(2025, 5, 31)))
    assert status.counted == 8


def test_aama_needs_30_points_from_aama_approved_programs_and_50_minutes_an_event():
    records = [rec(500, "home_study", c, body="AAMA") for c in ("administrative", "clinical", "general")]  # 30 approved
    records += [rec(1500, "in_person", "general", body="AAMA", approved=False)]  # 30 not approved
    status = evaluate(AAMA_CMA, AAMA, cycle_start=date(2024, 1, 1), earned=outside_lines(records, RULES), today=TODAY)
    assert status.meets and status.counted == 60
    fewer = [rec(450, "home_study", "administrative", body="AAMA"), *records[1:]]  # 29 approved
    status = evaluate(AAMA_CMA, AAMA, cycle_start=date(2024, 1, 1), earned=outside_lines(fewer, RULES), today=TODAY)
    assert not status.meets and {s.kind for s in status.shortfalls} >= {"approved", "category", "units"}
    short = outside_lines([rec(45, body="AAMA", category="general")], RULES)[0]
    assert short.below_minimum and short.credit == 0


def test_ccbma_hipaa_and_current_cpr_from_outside_records():
    records = [
        rec(3480, "home_study", body="CCBMA"),
        rec(60, "live_online", "hipaa", body="CCBMA"),
        rec(60, "in_person", "cultural_competency", body="CCBMA"),
    ]
    status = evaluate(CCBMA_CMA, CCBMA, cycle_start=date(2024, 1, 1), earned=outside_lines(records, RULES), today=TODAY)
    assert not status.meets and [s.kind for s in status.shortfalls] == ["current"]
    cpr = rec(240, "in_person", "cpr", body="CCBMA", ended_on=date(2025, 1, 5))  # valid 24 months: until 2027-01-05
    status = evaluate(
        CCBMA_CMA, CCBMA, cycle_start=date(2024, 1, 1), earned=outside_lines([*records, cpr], RULES), today=TODAY
    )
    assert status.meets and status.counted == 60 + 4


def record(**changes) -> OutsideRecordIn:
    base = {
        "provider": "Red Cross",
        "approval_number": "RC-1",
        "title": "BLS",
        "started_on": date(2026, 1, 10),
        "ended_on": date(2026, 1, 10),
        "minutes": 240,
        "delivery": "in_person",
        "body": "DBC",
        "category": "bls",
    }
    return OutsideRecordIn(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ended_on": date(2026, 12, 8)}, "ended_on"),
        ({"started_on": date(2026, 12, 8), "ended_on": date(2026, 12, 9)}, "started_on"),
        ({"ended_on": date(2026, 1, 9)}, "ended_on"),
        ({"minutes": 1441}, "minutes"),
        ({"body": "NOPE"}, "body"),
        ({"category": "hipaa"}, "category"),
        ({"provider": "  "}, "provider"),
    ],
)
def test_bad_outside_records_are_refused_naming_the_field(changes, field):
    with pytest.raises(Invalid) as refused:
        check_record(record(**changes), RULES, today=TODAY)
    assert refused.value.field == field
    check_record(record(ended_on=TODAY, started_on=TODAY, minutes=1440), RULES, today=TODAY)  # today, a full day: fine


def test_a_certificate_file_is_a_pdf_or_an_image_by_its_bytes():
    assert check_certificate(b"%PDF-1.7\n...", "cert.pdf") == ("application/pdf", "cert.pdf")
    assert check_certificate(b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "photo.PNG")[0] == "image/png"
    for content in (
        b"<html><script>alert(1)</script>",
        b"PK\x03\x04zip",
        b"GIF89a....",
        b"%PDF-1.4 <script>x</script>",
        b"",
    ):
        with pytest.raises(Invalid) as refused:
            check_certificate(content, "cert.pdf")
        assert refused.value.field == "certificate"
    with pytest.raises(Invalid) as refused:
        decode_certificate("not base64!")
    assert refused.value.field == "certificate.data_base64"
    assert decode_certificate(base64.b64encode(b"%PDF-").decode()) == b"%PDF-"


CSV_HEAD = "email,provider,approval_number,title,started_on,ended_on,minutes,delivery,body,category\n"


def test_a_csv_names_every_bad_line_and_column():
    text = (
        CSV_HEAD
        + "\n".join(
            [
                "ana@example.org,CDA,C-1,Infection control,2025-03-01,2025-03-01,120,home_study,DBC,infection_control",
                "ana@example.org,CDA,C-2,Practice act,2025-03-01,2025-03-01,-5,home_study,DBC,",
                "ana@example.org,CDA,C-3,Future,2027-01-01,2027-01-01,60,in_person,DBC,",
                "ana@example.org,CDA,C-4,Unknown body,2025-03-01,2025-03-01,60,in_person,XYZ,",
                ",CDA,C-5,No worker,2025-03-01,2025-03-01,60,in_person,DBC,",
                "ana@example.org,CDA,C-1,Same again,2025-03-01,2025-03-01,120,home_study,DBC,infection_control",
                "ana@example.org,CDA,C-7,Bad date,2025-02-30,2025-03-01,60,in_person,DBC,",
                "ana@example.org,CDA,C-8,Carrier pigeon,2025-03-01,2025-03-01,60,by_mail,DBC,",
                "ana@example.org,CDA,C-9,Wrong category,2025-03-01,2025-03-01,60,in_person,DBC,hipaa",
            ]
        )
        + "\n"
    )
    parsed = parse_records(text, RULES, today=TODAY)
    assert [(p.line, p.field) for p in parsed.problems] == [
        (3, "minutes"),
        (4, "started_on"),
        (5, "body"),
        (6, "email"),
        (7, "approval_number"),
        (8, "started_on"),
        (9, "delivery"),
        (10, "category"),
    ]
    assert [line.line for line in parsed.lines] == [2] and parsed.read == 9


def test_a_csv_without_the_needed_columns_is_refused_at_line_1():
    with pytest.raises(Invalid) as refused:
        parse_records("name,minutes\nAna,60\n", RULES, today=TODAY)
    assert "Line 1" in refused.value.detail and "provider" in refused.value.detail
