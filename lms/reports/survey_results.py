"""Survey results with k-anonymity: a group (the whole filtered set, or one track, clinic, local or language in it)
shows nothing below MIN_GROUP respondents, not even its exact size; a question answered by fewer than MIN_GROUP in a
group shows no figures either. Free text goes only to program admins, for groups of MIN_GROUP or more, sorted by
text (never by time) and never with identity. The suppression happens in the SQL: small groups' figures never leave
the database."""

from __future__ import annotations

from typing import Any

import asyncpg

from lms.reports.schemas import MIN_GROUP, Filters, GroupResult, QuestionResult, Survey, SurveyResults

DIMENSIONS = ("track", "clinic", "local", "language")

_DIM = """CASE WHEN grouping(r.track) = 0 THEN 'track' WHEN grouping(r.clinic_id) = 0 THEN 'clinic'
               WHEN grouping(r.local_id) = 0 THEN 'local' WHEN grouping(r.language) = 0 THEN 'language' ELSE 'all' END"""
_GRP = """CASE WHEN grouping(r.track) = 0 THEN coalesce(r.track, '') WHEN grouping(r.clinic_id) = 0 THEN coalesce(r.clinic_id::text, '')
               WHEN grouping(r.local_id) = 0 THEN coalesce(r.local_id::text, '') WHEN grouping(r.language) = 0 THEN r.language
               ELSE '' END"""
_WHERE = """r.survey_id = $1 AND r.submitted_on BETWEEN $2 AND $3
            AND ($4::text IS NULL OR r.track = $4) AND ($5::uuid IS NULL OR r.clinic_id = $5)
            AND ($6::uuid IS NULL OR r.local_id = $6) AND ($7::text IS NULL OR r.language = $7)"""

# Two steps: counts per (group attributes, question, score) in one aggregate over the responses, then the grouping
# sets over those few thousand rows.
_RESULTS = f"""
WITH people AS MATERIALIZED (
    SELECT r.track, r.clinic_id, r.local_id, r.language, count(*) AS n
    FROM survey_responses r WHERE {_WHERE}
    GROUP BY 1, 2, 3, 4
), counts AS MATERIALIZED (
    SELECT r.track, r.clinic_id, r.local_id, r.language, a.question_key, a.score, count(*) AS n
    FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id AND a.score IS NOT NULL
    WHERE {_WHERE}
    GROUP BY 1, 2, 3, 4, 5, 6
), sizes AS MATERIALIZED (
    SELECT {_DIM} AS dim, {_GRP} AS grp, sum(r.n)::bigint AS n
    FROM people r GROUP BY GROUPING SETS ((), (r.track), (r.clinic_id), (r.local_id), (r.language))
), scores AS MATERIALIZED (
    SELECT {_DIM} AS dim, {_GRP} AS grp, r.question_key, sum(r.n)::bigint AS answers,
           (sum(r.score * r.n)::float8 / sum(r.n)) AS mean,
           ARRAY[coalesce(sum(r.n) FILTER (WHERE r.score = 1), 0), coalesce(sum(r.n) FILTER (WHERE r.score = 2), 0),
                 coalesce(sum(r.n) FILTER (WHERE r.score = 3), 0), coalesce(sum(r.n) FILTER (WHERE r.score = 4), 0),
                 coalesce(sum(r.n) FILTER (WHERE r.score = 5), 0)]::bigint[] AS distribution
    FROM counts r
    GROUP BY GROUPING SETS ((r.question_key), (r.track, r.question_key), (r.clinic_id, r.question_key),
                            (r.local_id, r.question_key), (r.language, r.question_key))
    HAVING sum(r.n) >= $8
), texts AS MATERIALIZED (
    SELECT a.question_key, count(*) AS answers,
           CASE WHEN $9 THEN array_agg(a.comment ORDER BY a.comment) END AS comments
    FROM survey_responses r JOIN survey_answers a ON a.response_id = r.id AND a.comment IS NOT NULL
    WHERE {_WHERE} AND (SELECT n FROM sizes WHERE dim = 'all') >= $8
    GROUP BY a.question_key
)
SELECT s.dim, s.grp, CASE WHEN s.n >= $8 THEN s.n END AS respondents,
       CASE WHEN s.n >= $8 THEN
           (SELECT coalesce(json_agg(json_build_object('key', q.question_key, 'answers', q.answers, 'mean', q.mean,
                                                       'distribution', q.distribution)), '[]')
            FROM scores q WHERE q.dim = s.dim AND q.grp = s.grp) END AS scores,
       CASE WHEN s.dim = 'all' AND s.n >= $8 THEN
           (SELECT coalesce(json_agg(json_build_object('key', t.question_key, 'answers', t.answers, 'comments', t.comments)), '[]')
            FROM texts t) END AS texts
FROM sizes s
ORDER BY s.dim, s.grp
"""


def _group(survey: Survey, row: dict[str, Any], label: str, *, with_comments: bool) -> GroupResult:
    enough = row["respondents"] is not None
    scores = {s["key"]: s for s in row["scores"] or []} if enough else {}
    texts = {t["key"]: t for t in row.get("texts") or []} if enough else {}
    questions = []
    for q in survey.questions:
        if q.kind == "likert":
            s = scores.get(q.key)
            questions.append(QuestionResult(
                key=q.key, kind=q.kind, prompt=q.prompt, answers=s["answers"] if s else None,
                mean=round(s["mean"], 2) if s else None, distribution=s["distribution"] if s else None,
            ))
        else:
            t = texts.get(q.key)
            questions.append(QuestionResult(
                key=q.key, kind=q.kind, prompt=q.prompt, answers=t["answers"] if t else None, mean=None, distribution=None,
                comments=(t["comments"] or []) if (t and with_comments) else None,
            ))
    return GroupResult(dimension=row["dim"], key=row["grp"] or None, label=label, respondents=row["respondents"], questions=questions)


async def results(
    conn: asyncpg.Connection, *, survey: Survey, filters: Filters, with_comments: bool, labels: dict[str, dict[str, str]],
) -> SurveyResults:
    """``labels``: dimension -> group key -> name shown (clinic and local names, track names ...)."""
    rows = await conn.fetch(
        _RESULTS, survey.id, filters.start, filters.end, filters.track, filters.clinic_id, filters.local_id, filters.language,
        MIN_GROUP, with_comments,
    )
    overall_row: dict[str, Any] = {"dim": "all", "grp": "", "respondents": None, "scores": [], "texts": []}
    breakdowns = []
    for r in rows:
        row = dict(r)
        if row["dim"] == "all":
            overall_row = row
            continue
        names = labels.get(row["dim"], {})
        label = names.get(row["grp"], row["grp"]) if row["grp"] else names.get("", "—")
        breakdowns.append(_group(survey, row, label, with_comments=False))
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    breakdowns.sort(key=lambda g: (order.get(g.dimension, 9), g.label))
    return SurveyResults(
        survey_id=survey.id, title=survey.title, languages=survey.languages, min_group=MIN_GROUP,
        overall=_group(survey, overall_row, "", with_comments=with_comments), breakdowns=breakdowns,
    )
