"""The SQL of quizzes (lms/learning/quizzes.py): a quiz with the caller's enrolment and attempts, a new attempt, and
attempts given back (lms/learning/attempt_resets.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg


async def quiz_for(conn: asyncpg.Connection, *, user_id: UUID, code: str, version: int, key: str) -> Any | None:
    """The quiz, the caller's enrolment and attempts so far (one query)."""
    return await conn.fetchrow(
        """SELECT a.id, a.version_id, a.title, a.learner, a.answer_key, v.title AS course_title, v.languages,
                  e.id AS enrollment_id, r.after_number AS reset_after,
                  (SELECT count(*) FROM quiz_attempts q WHERE q.enrollment_id = e.id AND q.activity_id = a.id
                     AND q.number > r.after_number) AS attempts,
                  (SELECT coalesce(bool_or(q.passed), false) FROM quiz_attempts q WHERE q.enrollment_id = e.id AND q.activity_id = a.id) AS passed,
                  (SELECT max(q.score) FROM quiz_attempts q WHERE q.enrollment_id = e.id AND q.activity_id = a.id) AS best_score
           FROM courses c JOIN course_versions v ON v.course_id = c.id
           JOIN version_activities a ON a.version_id = v.id AND a.kind = 'quiz'
           LEFT JOIN enrollments e ON e.version_id = v.id AND e.user_id = $1 AND e.ended_at IS NULL
           -- attempts given back by an instructor: only the ones after the latest reset count (lms/learning/attempt_resets.py)
           LEFT JOIN LATERAL (SELECT coalesce(max(x.after_number), 0) AS after_number FROM quiz_attempt_resets x
                              WHERE x.enrollment_id = e.id AND x.activity_id = a.id) r ON true
           WHERE c.code = $2 AND v.version = $3 AND a.key = $4""",
        user_id,
        code,
        version,
        key,
    )


async def add_attempt(
    conn: asyncpg.Connection,
    *,
    attempt_id: UUID,
    enrollment_id: UUID,
    activity_id: UUID,
    answers: dict[str, list[str]],
    score: float,
    passed: bool,
    statement_id: UUID,
    last_number: int | None,
) -> Any | None:
    """The attempt numbered next, unless ``attempt_id`` is recorded already (then that one, ``created`` false) or it
    would be numbered past ``last_number`` (then None). Two at once: one raises ``UniqueViolationError``."""
    return await conn.fetchrow(
        """WITH earlier AS (SELECT id, number, score, passed, submitted_at FROM quiz_attempts WHERE id = $1 AND enrollment_id = $2),
                    added AS (
                        INSERT INTO quiz_attempts (id, enrollment_id, activity_id, number, answers, score, passed, statement_id)
                        SELECT $1, $2, $3, n.number, $4, $5, $6, $7
                        FROM (SELECT coalesce(max(number), 0) + 1 AS number FROM quiz_attempts WHERE enrollment_id = $2 AND activity_id = $3) n
                        WHERE NOT EXISTS (SELECT 1 FROM earlier) AND ($8::int IS NULL OR n.number <= $8)
                        ON CONFLICT (id) DO NOTHING
                        RETURNING id, number, score, passed, submitted_at)
               SELECT x.*, (x.id IN (SELECT id FROM added)) AS created,
                      (SELECT count(*) FROM quiz_attempts WHERE enrollment_id = $2 AND activity_id = $3)
                        + (SELECT count(*) FROM added) AS attempts,
                      (SELECT answers FROM quiz_attempts WHERE id = $1) AS stored_answers
               FROM (SELECT * FROM added UNION ALL SELECT * FROM earlier) x""",
        attempt_id,
        enrollment_id,
        activity_id,
        answers,
        score,
        passed,
        statement_id,
        last_number,
    )


async def add_attempt_reset(
    conn: asyncpg.Connection, *, enrollment_id: UUID, quiz_key: str, reason: str, reset_by: UUID
) -> int | None:
    """Give back the attempts used so far on the enrolment's quiz; how many there were, or None (no such enrolment or
    quiz)."""
    after: int | None = await conn.fetchval(
        """INSERT INTO quiz_attempt_resets (enrollment_id, activity_id, after_number, reason, reset_by)
           SELECT e.id, a.id,
                  coalesce((SELECT max(q.number) FROM quiz_attempts q WHERE q.enrollment_id = e.id AND q.activity_id = a.id), 0),
                  $3, $4
           FROM enrollments e JOIN version_activities a ON a.version_id = e.version_id AND a.key = $2 AND a.kind = 'quiz'
           WHERE e.id = $1
           RETURNING after_number""",
        enrollment_id,
        quiz_key,
        reason,
        reset_by,
    )
    return after
