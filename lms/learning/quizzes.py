"""Quizzes graded on the server from the version's answer key, which reaches the browser only as feedback afterwards.

Attempts are numbered per enrolment and quiz; the unique number enforces max_attempts even when two submissions
race, and the attempt id made when the form was shown makes a double submission count once.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import asyncpg

from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.learning import quiz_queries, xapi
from lms.learning.completion import complete_if_done
from lms.learning.schemas import QuestionResult, QuizAttempt
from lms.xapi.service import store_trusted


def grade(
    learner: dict[str, Any], answer_key: dict[str, Any], answers: dict[str, list[str]]
) -> tuple[float, int, list[QuestionResult]]:
    """(scaled score, questions right, per-question result). A question is right when exactly its correct choices are chosen."""
    questions = learner.get("questions", [])
    keys = {q["key"]: {c["key"] for c in q["choices"]} for q in questions}
    for question_key, chosen in answers.items():
        if question_key not in keys:
            raise Invalid(
                N_("answers.%(question_key)s: no such question in this quiz"),
                params={"question_key": question_key},
                field=f"answers.{question_key}",
            )
        unknown = set(chosen) - keys[question_key]
        if unknown:
            raise Invalid(
                N_("answers.%(question_key)s: no choice '%(unknown)s'"),
                params={"question_key": question_key, "unknown": sorted(unknown)[0]},
                field=f"answers.{question_key}",
            )
    results = []
    right = 0
    for q in questions:
        chosen = sorted(set(answers.get(q["key"], [])))
        expected = answer_key.get(q["key"], {})
        correct = chosen == sorted(expected.get("correct", []))
        right += correct
        feedback = {c: expected.get("feedback", {}).get(c) for c in chosen if expected.get("feedback", {}).get(c)}
        results.append(QuestionResult(key=q["key"], correct=correct, chosen=chosen, feedback=feedback))
    score = round(right / len(questions), 4) if questions else 0.0
    return score, right, results


def multiple_answers(answer_key: dict[str, Any]) -> set[str]:
    """Questions with more than one correct choice: the form shows checkboxes ("choose all that apply") for them."""
    return {k for k, v in (answer_key or {}).items() if len(v.get("correct", [])) > 1}


def _attempt_out(row: Any, quiz: Any, results: list[QuestionResult]) -> QuizAttempt:
    max_attempts = quiz["learner"].get("max_attempts")
    return QuizAttempt(
        id=row["id"],
        number=row["number"],
        score=row["score"],
        passed=row["passed"],
        pass_mark=quiz["learner"]["pass_mark"],
        submitted_at=row["submitted_at"],
        questions=results,
        attempts_left=None if max_attempts is None else max(0, max_attempts - (row["attempts"] - quiz["reset_after"])),
    )


async def submit(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    code: str,
    version: int,
    key: str,
    attempt_id: UUID,
    answers: dict[str, list[str]],
    base_url: str,
    language: str | None = None,
) -> QuizAttempt:
    quiz = await quiz_queries.quiz_for(conn, user_id=user_id, code=code, version=version, key=key)
    if quiz is None:
        raise NotFound(
            N_("no quiz %(key)s in %(code)s v%(version)s"), params={"key": key, "code": code, "version": version}
        )
    if quiz["enrollment_id"] is None:
        raise Forbidden(N_("enrol in this course before taking its quiz"), field="enrollment")
    score, right, results = grade(quiz["learner"], quiz["answer_key"] or {}, answers)
    passed = score >= quiz["learner"]["pass_mark"] - 1e-9
    max_attempts = quiz["learner"].get("max_attempts")
    statement_id = uuid.uuid4()
    try:
        row = await quiz_queries.add_attempt(
            conn,
            attempt_id=attempt_id,
            enrollment_id=quiz["enrollment_id"],
            activity_id=quiz["id"],
            answers=answers,
            score=score,
            passed=passed,
            statement_id=statement_id,
            # attempts are numbered from the first: the last one allowed, counting those before a reset
            last_number=None if max_attempts is None else max_attempts + quiz["reset_after"],
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            N_("another attempt at this quiz was submitted at the same moment; reload the quiz and try again"),
            field="attempt_id",
        ) from None
    if row is None:
        if max_attempts is not None and quiz["attempts"] + 1 > max_attempts:
            raise Conflict(
                N_("No attempts left: this quiz allows %(num)s."), field="attempt_id", params={"num": max_attempts}
            )
        raise Conflict(N_("this submission is being graded already; reload the page"), field="attempt_id")
    if not row["created"]:
        # The same submission again (a reload, a double tap): answer with the attempt as it was graded then.
        _, _, results = grade(quiz["learner"], quiz["answer_key"] or {}, row["stored_answers"] or {})
        return _attempt_out(row, quiz, results)
    total = len(quiz["learner"].get("questions", []))
    statement = xapi.build_statement(
        base_url=base_url,
        user_id=user_id,
        verb="passed" if passed else "failed",
        code=code,
        version=version,
        key=key,
        title=quiz["title"],
        registration=quiz["enrollment_id"],
        language=language,
        statement_id=statement_id,
        result={
            "score": {"scaled": score, "raw": right, "min": 0, "max": total},
            "success": passed,
            "completion": True,
        },
    )
    await store_trusted(conn, statement, base_url=base_url)
    if passed:
        await complete_if_done(conn, [quiz["enrollment_id"]], base_url=base_url)
    return _attempt_out(row, quiz, results)


def learner_questions(quiz: Any) -> list[dict[str, Any]]:
    """The questions as the form shows them (no answers), each marked single or multiple choice."""
    multiple = multiple_answers(quiz["answer_key"])
    return [{**q, "multiple": q["key"] in multiple} for q in quiz["learner"].get("questions", [])]
