"""The SQL of surveys (lms/reports/surveys.py, lms/reports/survey_results.py): surveys as the admin sees them, the
one a worker answers and her answers recorded once, what waits for her, and the results per cell before the
anonymity rule (lms/reports/anonymity.py) keeps the cells that count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.reports.anonymity import MIN_GROUP
from lms.reports.schemas import Filters, PendingSurvey, Survey

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
_SURVEY_KEYS = (
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
    found: UUID | None = await conn.fetchval("SELECT id FROM surveys WHERE is_default")
    return found


async def clear_default(conn: asyncpg.Connection) -> None:
    """No survey is the default post-course one any more (a new default is about to be added)."""
    await conn.execute("UPDATE surveys SET is_default = false, updated_at = now() WHERE is_default")


async def clear_default_except(conn: asyncpg.Connection, survey_id: UUID) -> None:
    """No survey but this one is the default post-course one."""
    await conn.execute(
        "UPDATE surveys SET is_default = false, updated_at = now() WHERE is_default AND id <> $1", survey_id
    )


@dataclass(frozen=True, slots=True)
class SurveyValues:
    """What an admin writes of a survey, as stored (``opens_at``/``closes_at`` None for a post-course survey)."""

    kind: str
    title: dict[str, str]
    intro: dict[str, str]
    questions: list[dict[str, Any]]
    languages: list[str]
    is_default: bool
    opens_at: datetime | None
    closes_at: datetime | None


async def add_survey(conn: asyncpg.Connection, values: SurveyValues, *, created_by: UUID) -> Survey:
    row = await conn.fetchrow(
        """INSERT INTO surveys (kind, title, intro, questions, languages, is_default, opens_at, closes_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           RETURNING id, kind, title, intro, questions, languages, is_default, opens_at, closes_at, created_at,
                     false AS answered, 0::bigint AS responses""",
        values.kind,
        values.title,
        values.intro,
        values.questions,
        values.languages,
        values.is_default,
        values.opens_at,
        values.closes_at,
        created_by,
    )
    return _survey(row)


async def set_survey(conn: asyncpg.Connection, survey_id: UUID, values: SurveyValues) -> None:
    await conn.execute(
        """UPDATE surveys SET kind = $2, title = $3, intro = $4, questions = $5, languages = $6, is_default = $7,
                              opens_at = $8, closes_at = $9, updated_at = now()
           WHERE id = $1""",
        survey_id,
        values.kind,
        values.title,
        values.intro,
        values.questions,
        values.languages,
        values.is_default,
        values.opens_at,
        values.closes_at,
    )


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
    data["survey"] = _survey({k: data[k] for k in _SURVEY_KEYS})
    return data


async def add_response(
    conn: asyncpg.Connection,
    *,
    survey_id: UUID,
    user_id: UUID,
    version_id: UUID | None,
    track: str | None,
    language: str,
    answers: list[dict[str, Any]],
) -> Any:
    """Her answers, recorded once, in one statement: the marker first (a second answer racing this one inserts nothing
    and so records nothing). How many markers (0 or 1) and answers were written."""
    return await conn.fetchrow(
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
        survey_id,
        user_id,
        version_id,
        track,
        language,
        answers,
    )


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


# ---------------------------------------------------------------- results, per cell before the rule

_CELL = """r.track, r.clinic_id::text AS clinic, r.local_id::text AS local, r.language,
           date_trunc('month', r.submitted_on)::date AS month"""
_WHERE = """r.survey_id = $1 AND r.submitted_on >= $2 AND r.submitted_on < $3
            AND ($4::text IS NULL OR r.track = $4) AND ($5::uuid IS NULL OR r.clinic_id = $5)
            AND ($6::uuid IS NULL OR r.local_id = $6) AND ($7::text IS NULL OR r.language = $7)"""

_CELLS = f"""
SELECT {_CELL}, count(*) AS respondents
FROM survey_responses r WHERE {_WHERE}
GROUP BY 1, 2, 3, 4, 5
"""

_ANSWERS = f"""
SELECT {_CELL}, a.question_key,
       ARRAY[count(*) FILTER (WHERE a.score = 1), count(*) FILTER (WHERE a.score = 2), count(*) FILTER (WHERE a.score = 3),
             count(*) FILTER (WHERE a.score = 4), count(*) FILTER (WHERE a.score = 5)]::int[] AS distribution,
       count(a.comment) AS written,
       CASE WHEN $8 AND count(a.comment) >= $9 THEN array_agg(a.comment ORDER BY a.comment) FILTER (WHERE a.comment IS NOT NULL)
       END AS comments
FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id
WHERE {_WHERE}
GROUP BY 1, 2, 3, 4, 5, 6
"""


def _cell_args(survey_id: Any, filters: Filters, first: date, stop: date) -> tuple[Any, ...]:
    return (survey_id, first, stop, filters.track, filters.clinic_id, filters.local_id, filters.language)


async def respondents_by_cell(
    conn: asyncpg.Connection, *, survey_id: Any, filters: Filters, first: date, stop: date
) -> list[Any]:
    """Respondents per cell (track, clinic, local, language, month) in the filtered months [first, stop)."""
    return await conn.fetch(_CELLS, *_cell_args(survey_id, filters, first, stop))


async def answers_by_cell(
    conn: asyncpg.Connection, *, survey_id: Any, filters: Filters, first: date, stop: date, with_comments: bool
) -> list[Any]:
    """Per cell and question: the score distribution (1..5), how many wrote, and, ``with_comments``, the comments
    sorted by text of cells where MIN_GROUP or more wrote (smaller cells' comments never leave the database)."""
    return await conn.fetch(_ANSWERS, *_cell_args(survey_id, filters, first, stop), with_comments, MIN_GROUP)
