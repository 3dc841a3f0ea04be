"""The SQL of what the catalogue's course and activity pages show about the signed-in person (lms/learning/page_data.py):
one query each."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from lms.clinic_time import ZONE_NAME
from lms.learning.queries import SURVEY_WAITING


async def course_standing(conn: asyncpg.Connection, *, user_id: UUID, version_id: UUID) -> Any:
    """Her enrolment in this version (if any), progress per activity, the modules, and an open enrolment in another
    version of the course."""
    return await conn.fetchrow(
        f"""SELECT q.version_id, e.id AS enrollment_id, e.completed_at, {SURVEY_WAITING} AS survey_waiting,
                  other.version AS other_version, other.completed_at IS NOT NULL AS other_completed,
                  (SELECT coalesce(json_agg(json_build_object('key', p.activity_key, 'module_key', p.module_key, 'done', p.done)
                                            ORDER BY p.position), '[]')
                   FROM activity_progress p WHERE p.enrollment_id = e.id) AS activities,
                  (SELECT coalesce(json_agg(json_build_object('key', m.key, 'title', m.title) ORDER BY m.position), '[]')
                   FROM version_modules m WHERE m.version_id = q.version_id) AS modules
           FROM (SELECT $2::uuid AS version_id) q
           LEFT JOIN enrollments e ON e.version_id = q.version_id AND e.user_id = $1
                                  AND (e.ended_at IS NULL OR e.completed_at IS NOT NULL)
           -- her open enrolment in another version of the course: she continues it or moves (lms/learning/lifecycle.py)
           LEFT JOIN LATERAL (
               SELECT v.version, o.completed_at FROM enrollments o JOIN course_versions v ON v.id = o.version_id
               WHERE o.user_id = $1 AND o.ended_at IS NULL AND o.version_id <> q.version_id
                 AND o.course_id = (SELECT course_id FROM course_versions WHERE id = q.version_id)) other ON true""",
        user_id,
        version_id,
    )


# Where the signed-in person stands on one activity: enrolled or not, and done or not (activity_progress).
_STANDING = """FROM version_activities a
           LEFT JOIN enrollments e ON e.version_id = a.version_id AND e.user_id = $1 AND e.ended_at IS NULL
           LEFT JOIN activity_progress p ON p.enrollment_id = e.id AND p.activity_id = a.id"""

# A lesson's part of the page shows nothing else, and reading the rest (attempts, sign-off, sessions) as for the other
# kinds cost PostgreSQL about 140 us more a lesson page.
_LESSON = f"""SELECT a.id AS activity_id, e.id AS enrollment_id, e.completed_at, coalesce(p.done, false) AS done
           {_STANDING}
           WHERE a.id = $2"""


_ANY_KIND = f"""SELECT a.id AS activity_id, e.id AS enrollment_id, e.completed_at, coalesce(p.done, false) AS done,
                  coalesce(q.attempts, 0) AS attempts, q.best_score, coalesce(q.passed, false) AS passed,
                  (a.learner ->> 'max_attempts')::int AS max_attempts,
                  CASE WHEN a.kind = 'checkoff' THEN (
                      SELECT k.signed_at FROM checkoffs k WHERE k.enrollment_id = e.id AND k.activity_id = a.id) END AS signed_at,
                  CASE WHEN a.kind = 'in_person' THEN (
                      SELECT coalesce(json_agg(json_build_object(
                                 'id', s.id, 'starts_at', s.starts_at, 'ends_at', s.ends_at, 'minutes', s.minutes,
                                 'date_local', to_char(s.starts_at AT TIME ZONE '{ZONE_NAME}', 'YYYY-MM-DD'),
                                 'starts_local', to_char(s.starts_at AT TIME ZONE '{ZONE_NAME}', 'HH24:MI'),
                                 'ends_local', to_char(s.ends_at AT TIME ZONE '{ZONE_NAME}', 'HH24:MI'),
                                 'clinic_name', k.name, 'room', s.room, 'language', s.language, 'capacity', s.capacity,
                                 'registered', (SELECT count(*) FROM session_registrations r WHERE r.session_id = s.id),
                                 'mine', EXISTS (SELECT 1 FROM session_registrations r WHERE r.session_id = s.id AND r.user_id = $1),
                                 'attended_minutes', (SELECT t.minutes FROM attendance t WHERE t.session_id = s.id AND t.user_id = $1),
                                 'delivery', s.delivery,
                                 -- a webinar's link only for those registered
                                 'join_url', CASE WHEN EXISTS (SELECT 1 FROM session_registrations r
                                                               WHERE r.session_id = s.id AND r.user_id = $1) THEN s.join_url END)
                                 ORDER BY s.starts_at), '[]')
                      FROM inperson_sessions s JOIN clinics k ON k.id = s.clinic_id
                      WHERE s.activity_id = a.id AND s.cancelled_at IS NULL
                        AND (s.ends_at > now() OR EXISTS (SELECT 1 FROM attendance t WHERE t.session_id = s.id AND t.user_id = $1)))
                  ELSE '[]' END AS sessions
           {_STANDING}
           -- each kind reads only what its part of the page shows
           LEFT JOIN LATERAL (
               -- attempts given back by an instructor count no more (lms/learning/attempt_resets.py)
               SELECT count(*) FILTER (WHERE t.number > coalesce((SELECT max(x.after_number) FROM quiz_attempt_resets x
                                                                   WHERE x.enrollment_id = e.id AND x.activity_id = a.id), 0)) AS attempts,
                      max(t.score) AS best_score, bool_or(t.passed) AS passed
               FROM quiz_attempts t WHERE a.kind = 'quiz' AND t.enrollment_id = e.id AND t.activity_id = a.id) q ON true
           WHERE a.id = $2"""


async def activity_standing(conn: asyncpg.Connection, *, user_id: UUID, activity_id: UUID, lesson: bool) -> Any | None:
    """Done or not; for other kinds than a lesson also quiz attempts, the signature and the sessions to register for."""
    return await conn.fetchrow(_LESSON if lesson else _ANY_KIND, user_id, activity_id)
