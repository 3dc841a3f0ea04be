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
import msgspec

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_, base_language
from lms.reports.anonymity import MIN_GROUP
from lms.reports.schemas import PendingSurvey, Survey, SurveyIn

_SURVEY_FIELDS = """s.id, s.kind, s.title, s.intro, s.questions, s.languages, s.is_default, s.opens_at, s.closes_at,
                   s.created_at, EXISTS (SELECT 1 FROM survey_responses r WHERE r.survey_id = s.id) AS answered"""
# `responses` counts as the results do (lms.reports.anonymity): cells of MIN_GROUP or more in months that have ended,
# so the count does not move by one when one more worker answers.
_SURVEY = f"""{_SURVEY_FIELDS},
             (SELECT coalesce(sum(c.n), 0)::bigint FROM (
                  SELECT count(*) AS n FROM survey_responses r
                  WHERE r.survey_id = s.id AND r.submitted_on < date_trunc('month', report_day(now()))::date
                  GROUP BY r.track, r.clinic_id, r.local_id, r.language, date_trunc('month', r.submitted_on)
                  HAVING count(*) >= {MIN_GROUP:d}) c) AS responses"""


def _survey(row: Any) -> Survey:
    data = dict(row)
    data["responses"] = data["responses"] or None
    return msgspec.convert(data, Survey)


async def list_surveys(conn: asyncpg.Connection) -> list[Survey]:
    rows = await conn.fetch(f"SELECT {_SURVEY} FROM surveys s ORDER BY s.is_default DESC, s.created_at DESC")
    return [_survey(r) for r in rows]


async def get_survey(conn: asyncpg.Connection, survey_id: UUID) -> Survey | None:
    row = await conn.fetchrow(f"SELECT {_SURVEY} FROM surveys s WHERE s.id = $1", survey_id)
    return _survey(row) if row else None


async def default_survey_id(conn: asyncpg.Connection) -> UUID | None:
    return await conn.fetchval("SELECT id FROM surveys WHERE is_default")


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


async def create_survey(conn: asyncpg.Connection, data: SurveyIn, *, actor: CurrentUser) -> Survey:
    languages = check_survey(data)
    if data.is_default:
        await conn.execute("UPDATE surveys SET is_default = false, updated_at = now() WHERE is_default")
    row = await conn.fetchrow(
        """INSERT INTO surveys (kind, title, intro, questions, languages, is_default, opens_at, closes_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, kind, title, intro, questions, languages, is_default, opens_at, closes_at, created_at,
                     false AS answered, 0::bigint AS responses""",
        data.kind,
        data.title,
        data.intro,
        _questions(data),
        languages,
        data.is_default,
        data.opens_at if data.kind == "on_demand" else None,
        data.closes_at if data.kind == "on_demand" else None,
        actor.id,
    )
    await record(conn, actor_id=actor.id, action="survey.created", subject=str(row["id"]), detail={"kind": data.kind})
    return _survey(row)


async def update_survey(conn: asyncpg.Connection, survey_id: UUID, data: SurveyIn, *, actor: CurrentUser) -> Survey:
    """Texts and the period may change at any time; once answered, questions keep their keys, kinds and order."""
    languages = check_survey(data)
    current = await get_survey(conn, survey_id)
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
        await conn.execute(
            "UPDATE surveys SET is_default = false, updated_at = now() WHERE is_default AND id <> $1", survey_id
        )
    await conn.execute(
        """UPDATE surveys SET kind = $2, title = $3, intro = $4, questions = $5, languages = $6, is_default = $7,
                              opens_at = $8, closes_at = $9, updated_at = now()
           WHERE id = $1""",
        survey_id,
        data.kind,
        data.title,
        data.intro,
        _questions(data),
        languages,
        data.is_default,
        data.opens_at if data.kind == "on_demand" else None,
        data.closes_at if data.kind == "on_demand" else None,
    )
    await record(conn, actor_id=actor.id, action="survey.updated", subject=str(survey_id), detail={"kind": data.kind})
    updated = await get_survey(conn, survey_id)
    assert updated is not None
    return updated


# ---------------------------------------------------------------- answering


async def survey_for_worker(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    survey_id: UUID | None,
    code: str | None = None,
    version: int | None = None,
) -> dict[str, Any] | None:
    """The survey (the default post-course one when ``survey_id`` is None), the course version it is about, and
    whether this worker may answer (completed it / the survey is open) and already did."""
    row = await conn.fetchrow(
        f"""SELECT {_SURVEY_FIELDS}, NULL::bigint AS responses, v.id AS version_id, v.title AS course_title, v.version, c.code, c.track,
                   CASE WHEN s.kind = 'post_course'
                        THEN EXISTS (SELECT 1 FROM completions k WHERE k.user_id = $1 AND k.version_id = v.id)
                        ELSE now() >= s.opens_at AND now() < s.closes_at END AS may_answer,
                   EXISTS (SELECT 1 FROM survey_respondents m
                           WHERE m.survey_id = s.id AND m.user_id = $1 AND m.version_id IS NOT DISTINCT FROM v.id) AS answered_by_me
            FROM surveys s
            LEFT JOIN courses c ON s.kind = 'post_course' AND c.code = $3
            LEFT JOIN course_versions v ON v.course_id = c.id AND v.version = $4
            WHERE ($2::uuid IS NULL AND s.is_default) OR s.id = $2""",
        user_id,
        survey_id,
        code,
        version,
    )
    if row is None:
        return None
    data = dict(row)
    data["survey"] = _survey(
        {
            k: data[k]
            for k in (
                "id",
                "kind",
                "title",
                "intro",
                "questions",
                "languages",
                "is_default",
                "opens_at",
                "closes_at",
                "created_at",
                "answered",
                "responses",
            )
        }
    )
    return data


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
    found = await survey_for_worker(conn, user_id=user.id, survey_id=survey_id, code=code, version=version)
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
    # One statement: the marker first (a second answer racing this one inserts nothing and so records nothing).
    result = await conn.fetchrow(
        """WITH marked AS (
               INSERT INTO survey_respondents (survey_id, user_id, version_id) VALUES ($1, $2, $3)
               ON CONFLICT ON CONSTRAINT survey_respondents_once DO NOTHING
               RETURNING survey_id),
           response AS (
               INSERT INTO survey_responses (survey_id, version_id, track, clinic_id, local_id, language, submitted_on)
               SELECT m.survey_id, $3, $4, u.clinic_id, u.local_id, $5, report_day(now())
               FROM marked m JOIN users u ON u.id = $2
               RETURNING id),
           answered AS (
               INSERT INTO survey_answers (response_id, question_key, score, comment)
               SELECT r.id, x.key, x.score, x.comment
               FROM response r, jsonb_to_recordset($6::jsonb) AS x(key text, score smallint, comment text)
               RETURNING response_id)
           SELECT (SELECT count(*) FROM marked) AS marked, (SELECT count(*) FROM answered) AS answers""",
        survey.id,
        user.id,
        found["version_id"],
        found["track"],
        language,
        rows,
    )
    if not result["marked"]:
        raise Conflict(N_("you have already answered this survey; thank you"), field="survey_id")
    return survey.id


async def pending(conn: asyncpg.Connection, *, user_id: UUID, limit: int = 20) -> list[PendingSurvey]:
    """Open on-demand surveys and post-course surveys for completed courses this worker has not answered yet."""
    rows = await conn.fetch(
        """SELECT survey_id, kind, title, languages, course, version, course_title FROM (
               SELECT s.id AS survey_id, s.kind, s.title, s.languages, NULL::text AS course, NULL::int AS version,
                      NULL::jsonb AS course_title, s.opens_at AS at
               FROM surveys s
               WHERE s.kind = 'on_demand' AND now() >= s.opens_at AND now() < s.closes_at
                 AND NOT EXISTS (SELECT 1 FROM survey_respondents m WHERE m.survey_id = s.id AND m.user_id = $1)
               UNION ALL
               SELECT s.id, s.kind, s.title, s.languages, c.code, v.version, v.title, k.completed_at
               FROM completions k JOIN course_versions v ON v.id = k.version_id JOIN courses c ON c.id = v.course_id
               JOIN surveys s ON s.is_default
               WHERE k.user_id = $1
                 AND NOT EXISTS (SELECT 1 FROM survey_respondents m
                                 WHERE m.survey_id = s.id AND m.user_id = $1 AND m.version_id = k.version_id)
           ) p ORDER BY at DESC LIMIT $2""",
        user_id,
        limit,
    )
    out = []
    for r in rows:
        data = dict(r)
        data["url"] = (
            f"/surveys/after/{data['course']}/{data['version']}"
            if data["kind"] == "post_course"
            else f"/surveys/{data['survey_id']}"
        )
        out.append(msgspec.convert(data, PendingSurvey))
    return out


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
