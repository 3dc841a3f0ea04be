"""The facts a certificate freezes, made from what a worker actually completed and attended (pure)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from lms.catalog.language import content_language, pick
from lms.credit.credential import ISSUER_NAME
from lms.credit.renewal import rounding_label
from lms.credit.rules import CreditRule, credit_for, number, valid_until
from lms.credit.schemas import CreditLine, Facts, InPersonPart, LiveDelivery, PartKind, Status


class _Approval(msgspec.Struct):
    body: str
    provider_number: str
    approved_from: date
    approved_until: date | None
    category: str | None


class _Part(msgspec.Struct):
    key: str
    kind: PartKind
    title: dict[str, str]
    minutes: int
    date: date | None
    instructor: str | None
    delivery: LiveDelivery = "in_person"


def approved_on(approval: _Approval, day: date) -> bool:
    return approval.approved_from <= day and (approval.approved_until is None or day <= approval.approved_until)


def build_facts(inputs: dict[str, Any], rules: dict[str, CreditRule], *, code: str, issued_at: datetime) -> Facts:
    """Freeze a completed enrolment: the course in the worker's learning language, the minutes that count, and the
    credit every body that approved this version (on the completion date) grants for them."""
    languages: list[str] = inputs["languages"]
    language = content_language(inputs["user_language"], languages)
    parts = msgspec.convert(inputs["in_person"], list[_Part])
    approvals = msgspec.convert(inputs["approvals"], list[_Approval])
    completed_on: date = inputs["completed_on"]
    live_minutes = sum(p.minutes for p in parts)
    in_person_minutes = sum(p.minutes for p in parts if p.delivery == "in_person")  # a webinar is live, not in person
    self_paced_minutes = int(inputs["self_paced_minutes"])

    credits: list[CreditLine] = []
    expiries: list[date] = []
    for approval in approvals:
        rule = rules.get(approval.body)
        if rule is None or not approved_on(approval, completed_on):
            continue
        earned = credit_for(
            rule, live_minutes=live_minutes, self_paced_minutes=self_paced_minutes, category=approval.category
        )
        credits.append(
            CreditLine(
                body=rule.body,
                body_name=rule.name,
                unit=rule.unit,
                credit=earned.credit,
                live_credit=earned.live_credit,
                non_live_credit=earned.non_live_credit,
                minutes_counted=earned.minutes_counted,
                provider_number=approval.provider_number,
                approval_category=approval.category,
                approved_from=approval.approved_from,
                approved_until=approval.approved_until,
                below_minimum=earned.below_minimum,
                exact_credit=earned.exact_credit,
                rounding=rounding_label(rule),
                minutes_per_unit=rule.minutes_per_unit,
            )
        )
        if earned.credit and (until := valid_until(rule, approval.category, completed_on)) is not None:
            expiries.append(until)

    contact_minutes = live_minutes + self_paced_minutes
    return Facts(
        code=code,
        worker_name=inputs["display_name"],
        language=language,
        course_code=inputs["course_code"],
        course_title=pick(inputs["title"], language, languages)[0],
        course_version=inputs["version"],
        track=inputs["track"],
        enrolled_on=inputs["enrolled_on"],
        completed_on=completed_on,
        issued_at=issued_at,
        contact_minutes=contact_minutes,
        contact_hours=number(Decimal(contact_minutes) / 60),
        live_minutes=live_minutes,
        in_person_minutes=in_person_minutes,
        self_paced_minutes=self_paced_minutes,
        credits=credits,
        in_person=[
            InPersonPart(
                key=p.key,
                kind=p.kind,
                title=pick(p.title, language, languages)[0],
                date=p.date,
                minutes=p.minutes,
                instructor=p.instructor,
                delivery=p.delivery,
            )
            for p in parts
        ],
        valid_until=min(expiries) if expiries else None,
        issuer_name=ISSUER_NAME,
    )


def status_of(
    *, revoked_at: datetime | None, valid_until: date | None, today: date, superseded: bool = False
) -> Status:
    if superseded:
        return "superseded"
    if revoked_at is not None:
        return "revoked"
    if valid_until is not None and valid_until < today:
        return "expired"
    return "valid"
