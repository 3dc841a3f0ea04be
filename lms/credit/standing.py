"""A worker's standing: her credit per body and each credential she holds against its renewal rule.

Totals add exact minutes across courses and round once, the body's way (lms.credit.renewal): eight 90-minute IACET
courses are 720 minutes, 1.2 CEU, although each certificate says 0.1.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from lms import clinic_time
from lms.credit import queries
from lms.credit.renewal import EarnedCredit, RenewalStatus, add_once, evaluate, in_effect
from lms.credit.rules import CreditRule, add_months, credit_for, number, valid_until
from lms.credit.schemas import BodyTotal, CertificateRow, WorkerCredit


def earned_lines(certificates: list[dict[str, Any]], rules: dict[str, CreditRule]) -> list[EarnedCredit]:
    """Certificate credit lines (as JSON from the clinic and worker queries) as the renewal rules read them."""
    earned = []
    for cert in certificates:
        completed_on = date.fromisoformat(cert["completed_on"])
        valid = date.fromisoformat(cert["valid_until"]) if cert.get("valid_until") else None
        for line in cert["credits"]:
            rule = rules.get(line["body"])
            earned.append(
                EarnedCredit(
                    code=cert["code"],
                    completed_on=completed_on,
                    body=line["body"],
                    category=line.get("approval_category"),
                    credit=line["credit"],
                    live_credit=line["live_credit"],
                    non_live_credit=line["non_live_credit"],
                    revoked=cert["revoked"],
                    minutes=line.get("minutes_counted", 0),
                    live_minutes=(cert.get("live_minutes") or 0) if rule is None or rule.counts_live else 0,
                    in_person_minutes=None
                    if cert.get("in_person_minutes") is None
                    else (cert["in_person_minutes"] if rule is None or rule.counts_live else 0),
                    below_minimum=line.get("below_minimum", False),
                    valid_until=valid,
                )
            )
    return earned


def outside_lines(records: list[dict[str, Any]], rules: dict[str, CreditRule]) -> list[EarnedCredit]:
    """Approved outside records (as JSON from the worker and clinic queries) as the renewal rules read them: the same
    minutes-first arithmetic as a certificate. In person and live online are live (a body that counts live counts a
    webinar); only in person is in person (BLS skills); home study is non-live."""
    earned = []
    for rec in records:
        rule = rules.get(rec["body"])
        if rule is None:
            continue
        ended_on = date.fromisoformat(rec["ended_on"]) if isinstance(rec["ended_on"], str) else rec["ended_on"]
        live = rec["minutes"] if rec["delivery"] in ("in_person", "live_online") else 0
        credit = credit_for(
            rule, live_minutes=live, self_paced_minutes=rec["minutes"] - live, category=rec.get("category")
        )
        counted_live = live if rule.counts_live else 0
        earned.append(
            EarnedCredit(
                code=f"outside:{rec['id']}",
                completed_on=ended_on,
                body=rec["body"],
                category=rec.get("category"),
                credit=credit.credit,
                live_credit=credit.live_credit,
                non_live_credit=credit.non_live_credit,
                minutes=credit.minutes_counted,
                live_minutes=counted_live,
                in_person_minutes=counted_live if rec["delivery"] == "in_person" else 0,
                below_minimum=credit.below_minimum,
                valid_until=valid_until(rule, rec.get("category"), ended_on),
                approved=rec.get("body_approved", True),
                outside=True,
            )
        )
    return earned


def totals_by_body(lines: list[EarnedCredit], rules: dict[str, CreditRule]) -> list[BodyTotal]:
    by_body: dict[str, list[EarnedCredit]] = {}
    for line in lines:
        if not line.revoked:
            by_body.setdefault(line.body, []).append(line)
    out = []
    for body, group in sorted(by_body.items()):
        rule = rules.get(body)
        total, live = add_once(group, rule)
        out.append(
            BodyTotal(
                body=body,
                body_name=rule.name if rule else body,
                unit=rule.unit if rule else "",
                credit=number(total),
                live_credit=number(live),
                non_live_credit=number(total - live),
            )
        )
    return out


def body_totals(certs: list[CertificateRow], rules: dict[str, CreditRule]) -> list[BodyTotal]:
    """A transcript's credit per body, from its unrevoked certificates."""
    rows = [
        {
            "code": c.code,
            "completed_on": c.facts.completed_on.isoformat(),
            "revoked": c.revoked_at is not None,
            "live_minutes": c.facts.live_minutes,
            "in_person_minutes": c.facts.in_person_minutes,
            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
            "credits": [
                {
                    "body": x.body,
                    "approval_category": x.approval_category,
                    "credit": x.credit,
                    "live_credit": x.live_credit,
                    "non_live_credit": x.non_live_credit,
                    "minutes_counted": x.minutes_counted,
                    "below_minimum": x.below_minimum,
                }
                for x in c.facts.credits
            ],
        }
        for c in certs
    ]
    return totals_by_body(earned_lines(rows, rules), rules)


def worker_credit(
    row: dict[str, Any], rules: dict[str, CreditRule], requirements: dict[str, Any], *, since: date, today: date
) -> WorkerCredit:
    earned = earned_lines(row["certificates"], rules) + outside_lines(row.get("outside") or [], rules)
    statuses = []
    for held in row["credentials"]:
        cycle_start = date.fromisoformat(held["cycle_start"])
        requirement = in_effect(requirements, held["credential"], cycle_start=cycle_start, today=today)
        if requirement is None:
            continue
        licensed_on = date.fromisoformat(held["licensed_on"]) if held.get("licensed_on") else None
        statuses.append(
            evaluate(
                requirement,
                rules.get(requirement.body),
                cycle_start=cycle_start,
                earned=earned,
                today=today,
                licensed_on=licensed_on,
            )
        )
    recent = [e for e in earned if since <= e.completed_on <= today]
    return WorkerCredit(
        user_id=row["user_id"],
        name=row["name"],
        credit_by_body=totals_by_body(recent, rules),
        credentials=statuses,
        meets=all(s.meets for s in statuses) if statuses else None,
    )


async def worker_renewals(conn: asyncpg.Connection, user_id: UUID, *, today: date | None = None) -> list[RenewalStatus]:
    """A worker's own renewal status per credential she holds: what is missing and when the cycle ends."""
    today = today or clinic_time.today()
    row = await queries.worker_renewal_inputs(conn, user_id)
    if not row["credentials"]:
        return []
    rules, requirements = await queries.rules_and_requirements(conn)
    return worker_credit(row, rules, requirements, since=add_months(today, -24), today=today).credentials
