"""Surveys: program admins write them (translated like course content), workers answer them anonymously.

An answer is stored without the worker's identity: the response row keeps only the group attributes breakdowns need
(track, clinic, local, language) and the day. A separate marker (survey, worker, course version) refuses a second
answer; it has no time and no link to the response.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_, base_language
from lms.reports import survey_queries
from lms.reports.schemas import Survey, SurveyIn


def check_survey(data: SurveyIn) -> list[str]:
    """The survey's languages (those of its title); every other text must exist in each of them."""
    languages = [tag for tag, text in data.title.items() if text.strip()]
    if not languages:
        raise Invalid(N_("title: give the survey a title in at least one language"), field="title")
    for tag in languages:
        if data.intro and not data.intro.get(tag, "").strip():
            raise Invalid(
                N_("intro.%(tag)s: the introduction is missing in %(tag)s"), params={"tag": tag}, field=f"intro.{tag}"
            )
    seen: set[str] = set()
    for i, q in enumerate(data.questions):
        if q.key in seen:
            raise Invalid(
                N_("questions[%(i)s].key: '%(key)s' is used twice"),
                params={"i": i, "key": q.key},
                field=f"questions[{i}].key",
            )
        seen.add(q.key)
        for tag in languages:
            if not q.prompt.get(tag, "").strip():
                raise Invalid(
                    N_("questions[%(i)s].prompt.%(tag)s: the question is missing in %(tag)s"),
                    params={"i": i, "tag": tag},
                    field=f"questions[{i}].prompt.{tag}",
                )
    if data.kind == "on_demand":
        if data.opens_at is None or data.closes_at is None:
            raise Invalid(N_("closes_at: an on-demand survey needs an opening and a closing date"), field="closes_at")
        if data.closes_at <= data.opens_at:
            raise Invalid(N_("closes_at: the survey must close after it opens"), field="closes_at")
    if data.is_default and data.kind != "post_course":
        raise Invalid(N_("is_default: only a post-course survey can be the default"), field="is_default")
    return languages


def _questions(data: SurveyIn) -> list[dict[str, Any]]:
    return [
        {"key": q.key, "kind": q.kind, "prompt": {k: v.strip() for k, v in q.prompt.items() if v.strip()}}
        for q in data.questions
    ]


def _values(data: SurveyIn, languages: list[str]) -> survey_queries.SurveyValues:
    on_demand = data.kind == "on_demand"
    return survey_queries.SurveyValues(
        kind=data.kind,
        title=data.title,
        intro=data.intro,
        questions=_questions(data),
        languages=languages,
        is_default=data.is_default,
        opens_at=data.opens_at if on_demand else None,
        closes_at=data.closes_at if on_demand else None,
    )


async def create_survey(conn: asyncpg.Connection, data: SurveyIn, *, actor: CurrentUser) -> Survey:
    languages = check_survey(data)
    if data.is_default:
        await survey_queries.clear_default(conn)
    survey = await survey_queries.add_survey(conn, _values(data, languages), created_by=actor.id)
    await record(conn, actor_id=actor.id, action="survey.created", subject=str(survey.id), detail={"kind": data.kind})
    return survey


async def update_survey(conn: asyncpg.Connection, survey_id: UUID, data: SurveyIn, *, actor: CurrentUser) -> Survey:
    """Texts and the period may change at any time; once answered, questions keep their keys, kinds and order."""
    languages = check_survey(data)
    current = await survey_queries.get_survey(conn, survey_id)
    if current is None:
        raise NotFound(N_("no such survey"), field="survey_id")
    if current.answered:
        if [(q.key, q.kind) for q in current.questions] != [(q.key, q.kind) for q in data.questions]:
            raise Conflict(
                N_(
                    "questions: this survey has answers, so its questions can no longer be added, removed or changed in kind (wording may still be corrected)"
                ),
                field="questions",
            )
        if data.kind != current.kind:
            raise Conflict(N_("kind: this survey has answers, so its kind can no longer change"), field="kind")
    if data.is_default:
        await survey_queries.clear_default_except(conn, survey_id)
    await survey_queries.set_survey(conn, survey_id, _values(data, languages))
    await record(conn, actor_id=actor.id, action="survey.updated", subject=str(survey_id), detail={"kind": data.kind})
    updated = await survey_queries.get_survey(conn, survey_id)
    assert updated is not None
    return updated


# ---------------------------------------------------------------- answering


def clean_answers(survey: Survey, answers: dict[str, Any], *, strict: bool) -> list[dict[str, Any]]:
    """Answers as rows: Likert 1..5, text trimmed; blanks skipped. ``strict`` (the API) refuses unknown keys."""
    by_key = {q.key: q for q in survey.questions}
    rows = []
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            if strict:
                raise Invalid(
                    N_("answers.%(key)s: this survey has no such question"), params={"key": key}, field=f"answers.{key}"
                )
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if question.kind == "likert":
            try:
                score = int(value)
            except (TypeError, ValueError):
                score = 0
            if isinstance(value, bool) or not 1 <= score <= 5:
                raise Invalid(
                    N_("answers.%(key)s: choose a number from 1 to 5"), params={"key": key}, field=f"answers.{key}"
                )
            rows.append({"key": key, "score": score, "comment": None})
        else:
            text = str(value).strip()
            if len(text) > 2000:
                raise Invalid(
                    N_("answers.%(key)s: at most 2000 characters"), params={"key": key}, field=f"answers.{key}"
                )
            rows.append({"key": key, "score": None, "comment": text})
    if not rows:
        raise Invalid(N_("answers: answer at least one question"), field="answers")
    return rows


async def answer(
    conn: asyncpg.Connection,
    *,
    user: CurrentUser,
    survey_id: UUID | None,
    language: str,
    answers: dict[str, Any],
    code: str | None = None,
    version: int | None = None,
    strict: bool = True,
) -> UUID:
    """Record one worker's answers once. Refused: not a worker, survey closed or course not completed, answered already."""
    if user.role != "worker":
        raise Forbidden(N_("only workers answer surveys"), field="role")
    found = await survey_queries.survey_for_worker(
        conn, user_id=user.id, survey_id=survey_id, code=code, version=version
    )
    if found is None:
        raise NotFound(N_("no such survey"), field="survey_id")
    survey: Survey = found["survey"]
    if survey.kind == "post_course" and found["version_id"] is None:
        raise NotFound(N_("no such course version"), field="course" if code is None else "version")
    if not found["may_answer"]:
        if survey.kind == "post_course":
            raise Forbidden(N_("this survey opens once you have completed the course"), field="course")
        raise Forbidden(N_("this survey is not open now"), field="survey_id")
    if found["answered_by_me"]:
        raise Conflict(N_("you have already answered this survey; thank you"), field="survey_id")
    rows = clean_answers(survey, answers, strict=strict)
    language = base_language(language)
    if language not in {base_language(tag) for tag in survey.languages}:
        language = base_language(survey.languages[0])
    result = await survey_queries.add_response(
        conn,
        survey_id=survey.id,
        user_id=user.id,
        version_id=found["version_id"],
        track=found["track"],
        language=language,
        answers=rows,
    )
    if not result["marked"]:
        raise Conflict(N_("you have already answered this survey; thank you"), field="survey_id")
    return survey.id


def opening(day: Any, *, end: bool = False) -> datetime | None:
    """A date typed in a form as the start (or, ``end``, the end) of that California day."""
    if not day:
        return None
    from datetime import date, time, timedelta

    try:
        parsed = date.fromisoformat(str(day))
    except ValueError:
        raise Invalid(N_("use a date like 2026-03-31"), field="closes_on" if end else "opens_on") from None
    if end:
        parsed += timedelta(days=1)
    return datetime.combine(parsed, time(0), tzinfo=clinic_time.ZONE)
