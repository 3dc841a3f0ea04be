"""Certificates follow corrections of the record they rest on, in the correcting transaction.

Still complete with other figures: the old certificate is revoked "record corrected" and a new one supersedes it (the
old code verifies as "superseded by ..."). No longer complete: it is revoked "record corrected". Either way a row in
``certificate_corrections`` says what changed and why, for the worker, her clinic admin and the notices.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from lms.audit.queries import record
from lms.credit import queries
from lms.credit.certificates import build_facts
from lms.credit.schemas import Facts
from lms.credit.service import issue_certificate

RECORD_CORRECTED = "record corrected"


def _credit_key(facts: Facts) -> dict[str, Any]:
    """What a certificate asserts about the record (not when or under which code it was made)."""
    return {
        "contact_minutes": facts.contact_minutes,
        "live_minutes": facts.live_minutes,
        "self_paced_minutes": facts.self_paced_minutes,
        "credits": {f"{c.body}/{c.approval_category or ''}": c.credit for c in facts.credits},
        "in_person": {p.key: p.minutes for p in facts.in_person},
    }


def changes(before: Facts, after: Facts | None) -> dict[str, Any]:
    """Each figure that differs: {"contact_minutes": [54, 10], "credits": {"IACET/": [0.1, 0]}, ...}."""
    old = _credit_key(before)
    new = _credit_key(after) if after is not None else {k: ({} if isinstance(v, dict) else 0) for k, v in old.items()}
    out: dict[str, Any] = {}
    for key, value in old.items():
        if isinstance(value, dict):
            diff = {
                k: [value.get(k, 0), new[key].get(k, 0)]
                for k in sorted(set(value) | set(new[key]))
                if value.get(k, 0) != new[key].get(k, 0)
            }
            if diff:
                out[key] = diff
        elif value != new[key]:
            out[key] = [value, new[key]]
    return out


async def on_record_corrected(
    conn: asyncpg.Connection, enrollment_id: UUID, still_complete: bool, actor_id: UUID | None, reason: str
) -> None:
    """Completion listener for corrections (lms.learning.completion.on_corrected)."""
    await queries.lock_enrollment(conn, enrollment_id)
    current = await queries.certificate_by_enrollment(conn, enrollment_id)
    if current is None or (current.revoked_at is not None and current.correction is None):
        # none yet (the transcript issues it), or revoked by hand: that decision stands
        if current is None and still_complete:
            await issue_certificate(conn, enrollment_id)
        return
    if still_complete:
        inputs = await queries.issue_inputs(conn, enrollment_id)
        if inputs is None:  # pragma: no cover - still_complete means a completion row exists
            return
        rules = await queries.load_rules(conn)
        candidate = build_facts(inputs, rules, code=current.code, issued_at=current.facts.issued_at)
        diff = changes(current.facts, candidate)
        if not diff:
            return
        await queries.revoke_by_correction(conn, certificate_id=current.id, actor_id=actor_id, outcome="superseded")
        replacement = await issue_certificate(conn, enrollment_id)
        assert replacement is not None
        await queries.mark_superseded(conn, certificate_id=current.id, replaced_by=replacement.id)
        await queries.insert_correction(
            conn,
            certificate_id=current.id,
            replaced_by=replacement.id,
            user_id=current.user_id,
            outcome="superseded",
            reason=reason,
            changes=diff,
            actor_id=actor_id,
        )
        await record(
            conn,
            actor_id=actor_id,
            action="certificate.superseded",
            subject=current.code,
            detail={"replaced_by": replacement.code, "reason": reason, "changes": diff},
        )
    else:
        await queries.revoke_by_correction(conn, certificate_id=current.id, actor_id=actor_id, outcome="withdrawn")
        diff = changes(current.facts, None)
        await queries.insert_correction(
            conn,
            certificate_id=current.id,
            replaced_by=None,
            user_id=current.user_id,
            outcome="withdrawn",
            reason=reason,
            changes=diff,
            actor_id=actor_id,
        )
        await record(
            conn,
            actor_id=actor_id,
            action="certificate.revoke",
            subject=current.code,
            detail={
                "reason": RECORD_CORRECTED,
                "why": reason,
                "changes": diff,
                "enrollment_id": str(enrollment_id),
                "user_id": str(current.user_id),
            },
        )
