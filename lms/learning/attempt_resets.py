"""Giving a worker her quiz attempts back: an instructor or program admin, with a reason, audit-logged. Her earlier
attempts stay on record; the quiz counts only the ones after the reset (lms/learning/quizzes.py)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from lms.audit.queries import record
from lms.errors import Invalid, NotFound
from lms.i18n import N_
from lms.learning import quiz_queries


async def reset_attempts(
    conn: asyncpg.Connection, *, actor_id: UUID, enrollment_id: UUID, quiz_key: str, reason: str
) -> int:
    """Returns how many attempts she had used (the number the next attempt follows)."""
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise Invalid(N_("give a reason (3 to 500 characters)"), field="reason")
    after = await quiz_queries.add_attempt_reset(
        conn, enrollment_id=enrollment_id, quiz_key=quiz_key, reason=reason, reset_by=actor_id
    )
    if after is None:
        raise NotFound(N_("no such enrolment or quiz"))
    await record(
        conn,
        actor_id=actor_id,
        action="quiz.attempts_reset",
        subject=str(enrollment_id),
        detail={"quiz": quiz_key, "reason": reason, "attempts_before": after},
    )
    return after
