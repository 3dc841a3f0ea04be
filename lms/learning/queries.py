"""The learning feature's SQL for enrolments: a worker enrols themselves, or an instructor or clinic admin enrols many
at once; progress per module; who is learning what. (In-person sessions, quizzes, checkoffs, statements and completion
keep their SQL in their own modules.)

A clinic admin may enrol and see only their own clinic's workers: the clinic is in each query's WHERE.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import AuditEntry, record_many
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_
from lms.learning.schemas import (
    ActivityProgress,
    BulkEnrollResult,
    Enrollment,
    LearnerRow,
    ModuleProgress,
    MyEnrollment,
    Progress,
)

# The published version asked for, or the newest published one when $v is NULL.
_VERSION = """SELECT v.id, v.version FROM courses c JOIN course_versions v ON v.course_id = c.id
              WHERE c.code = {code} AND v.status = 'published' AND ({v}::int IS NULL OR v.version = {v})
              ORDER BY v.version DESC LIMIT 1"""

_ENROLLMENT_COLUMNS = (
    """e.id, e.user_id, e.version_id, c.code, v.version, v.title, v.languages, e.enrolled_at, e.completed_at"""
)

# Per enrolment `e`: every activity with its done flag, and the module titles, in course order.
_ACTIVITIES = """(SELECT coalesce(json_agg(json_build_object(
                      'id', p.activity_id, 'key', p.activity_key, 'module_key', p.module_key, 'kind', p.kind,
                      'minutes', p.minutes, 'title', p.title, 'done', p.done) ORDER BY p.position), '[]')
                  FROM activity_progress p WHERE p.enrollment_id = e.id) AS activities"""
_MODULES = """(SELECT coalesce(json_agg(json_build_object('key', m.key, 'title', m.title) ORDER BY m.position), '[]')
               FROM version_modules m WHERE m.version_id = e.version_id) AS modules"""


def summarise(activities: list[dict[str, Any]], modules: list[dict[str, Any]]) -> dict[str, Any]:
    """Done/total overall and per module, and the first activity still to do."""
    per_module = {m["key"]: [0, 0] for m in modules}
    for a in activities:
        counts = per_module.setdefault(a["module_key"], [0, 0])
        counts[1] += 1
        counts[0] += bool(a["done"])
    return {
        "done": sum(1 for a in activities if a["done"]),
        "total": len(activities),
        "next_key": next((a["key"] for a in activities if not a["done"]), None),
        "modules": [
            ModuleProgress(key=m["key"], title=m["title"], done=per_module[m["key"]][0], total=per_module[m["key"]][1])
            for m in modules
        ],
    }


async def open_enrollment(conn: asyncpg.Connection, *, user_id: UUID, code: str) -> asyncpg.Record | None:
    """Her open enrolment in a course, whichever version, with its version number."""
    return await conn.fetchrow(
        """SELECT e.id, v.version FROM enrollments e JOIN courses c ON c.id = e.course_id
           JOIN course_versions v ON v.id = e.version_id
           WHERE e.user_id = $1 AND c.code = $2 AND e.ended_at IS NULL""",
        user_id,
        code,
    )


async def enroll_self(
    conn: asyncpg.Connection, *, user: CurrentUser, code: str, version: int | None
) -> tuple[Enrollment, bool]:
    """Enrol the caller (again is fine: the existing enrolment comes back). Returns (enrolment, created now).

    One open enrolment per worker and course (lms/learning/lifecycle.py): enrolled in another version, she continues
    it or moves; asking to enrol in a second version is a 409 that says so. An enrolment she was unenrolled from opens
    again, with its records."""
    current = await open_enrollment(conn, user_id=user.id, code=code)
    if current is not None and version is not None and current["version"] != version:
        raise Conflict(
            N_("You are enrolled in version %(current)s of this course: continue it, or move to version %(version)s."),
            params={"current": current["version"], "version": version},
            field="version",
        )
    if current is not None:
        mine = await get_own(conn, enrollment_id=current["id"], user_id=user.id)
        if mine is not None:
            return mine, False
    row = await conn.fetchrow(
        f"""WITH v AS ({_VERSION.format(code="$2", v="$3")}),
                 e AS (INSERT INTO enrollments (user_id, version_id, clinic_id, enrolled_by)
                       SELECT u.id, v.id, u.clinic_id, u.id FROM v JOIN users u ON u.id = $1 AND u.active
                       ON CONFLICT (user_id, version_id) DO UPDATE
                           SET ended_at = NULL, ended_by = NULL, end_kind = NULL, end_reason = NULL, moved_to = NULL
                       RETURNING id, user_id, version_id, enrolled_at, completed_at, (xmax = 0) AS created)
            SELECT {_ENROLLMENT_COLUMNS}, e.created
            FROM e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id""",
        user.id,
        code,
        version,
    )
    if row is None:
        if version:
            raise NotFound(
                N_("no published version of %(code)s numbered %(version)s"),
                field="code",
                params={"code": code, "version": version},
            )
        raise NotFound(N_("no published version of %(code)s"), field="code", params={"code": code})
    data = dict(row)
    created = data.pop("created")
    return msgspec.convert(data, Enrollment), created


async def bulk_enroll(
    conn: asyncpg.Connection,
    *,
    actor: CurrentUser,
    code: str,
    version: int | None,
    emails: list[str],
    user_ids: list[UUID],
) -> BulkEnrollResult:
    """Enrol many workers in one statement. A clinic admin reaches only workers of their own clinic."""
    if not emails and not user_ids:
        raise Invalid(N_("name at least one worker by email or id"), field="emails")
    clinic = actor.clinic_id if actor.role == "clinic_admin" else None
    if actor.role == "clinic_admin" and clinic is None:
        raise Invalid(N_("your account has no clinic"), field="clinic")
    emails = [e.strip().lower() for e in emails if e.strip()]
    row = await conn.fetchrow(
        f"""WITH v AS ({_VERSION.format(code="$1", v="$2")}),
                 eligible AS (
                     SELECT u.id, u.email, u.clinic_id FROM users u
                     WHERE (u.email = ANY($3::text[]) OR u.id = ANY($4::uuid[]))
                       AND u.active AND u.role = 'worker' AND ($5::uuid IS NULL OR u.clinic_id = $5)),
                 -- unenrolled from this version and not enrolled in another since: opened again, with its records
                 -- (as when she enrols herself again); what ended it goes to the audit log
                 ended AS (
                     SELECT e.id, e.user_id, e.ended_by, e.end_reason, e.ended_at FROM enrollments e, eligible w, v
                     WHERE e.user_id = w.id AND e.version_id = v.id AND e.end_kind = 'unenrolled'
                       AND NOT EXISTS (SELECT 1 FROM enrollments o
                                       WHERE o.user_id = e.user_id AND o.course_id = e.course_id AND o.ended_at IS NULL)
                     FOR NO KEY UPDATE OF e),
                 reopened AS (
                     UPDATE enrollments e
                     SET ended_at = NULL, ended_by = NULL, end_kind = NULL, end_reason = NULL, moved_to = NULL
                     FROM ended x WHERE e.id = x.id AND e.end_kind = 'unenrolled'
                     RETURNING e.id, e.user_id, x.ended_by, x.end_reason, x.ended_at),
                 added AS (
                     INSERT INTO enrollments (user_id, version_id, clinic_id, enrolled_by)
                     SELECT w.id, v.id, w.clinic_id, $6 FROM eligible w, v
                     -- enrolled already, in this version or (open) in another: left as they are
                     ON CONFLICT DO NOTHING
                     RETURNING user_id)
            SELECT (SELECT id FROM v) AS version_id,
                   (SELECT count(*) FROM added) + (SELECT count(*) FROM reopened) AS enrolled,
                   (SELECT coalesce(json_agg(json_build_object(
                               'id', r.id, 'worker', r.user_id, 'ended_by', r.ended_by, 'reason', r.end_reason,
                               'ended_at', r.ended_at)), '[]') FROM reopened r) AS reopened,
                   (SELECT count(*) FROM eligible) - (SELECT count(*) FROM added) - (SELECT count(*) FROM reopened)
                       AS already_enrolled,
                   (SELECT coalesce(array_agg(email), '{{}}') FROM eligible) AS found_emails,
                   (SELECT coalesce(array_agg(id), '{{}}') FROM eligible) AS found_ids""",
        code,
        version,
        emails,
        user_ids,
        clinic,
        actor.id,
    )
    if row["version_id"] is None:
        raise NotFound(N_("no published version of %(code)s"), params={"code": code}, field="code")
    refused = [e for e in emails if e not in set(row["found_emails"])]
    refused += [str(i) for i in user_ids if i not in set(row["found_ids"])]
    reopened = row["reopened"]
    await record_many(
        conn,
        [
            AuditEntry(
                actor_id=actor.id,
                action="enrollment.bulk",
                subject=f"{code} v{version or 'latest'}",
                detail={"enrolled": row["enrolled"], "reopened": len(reopened), "refused": len(refused)},
            ),
            *(
                AuditEntry(
                    actor_id=actor.id,
                    action="enrollment.reopened",
                    subject=r["id"],
                    detail={
                        "worker": r["worker"],
                        "course": code,
                        "unenrolled_by": r["ended_by"],
                        "unenrolled_at": r["ended_at"],
                        "unenrol_reason": r["reason"],
                        "via": "bulk",
                    },
                )
                for r in reopened
            ),
        ],
    )
    return BulkEnrollResult(
        version_id=row["version_id"],
        enrolled=row["enrolled"],
        already_enrolled=row["already_enrolled"],
        refused=refused,
        reopened=len(reopened),
    )


# The enrolments pages list: open ones, and completed ones even when ended (a completion stays a fact); an
# enrolment ended unfinished (unenrolled, or moved to another version) is kept but no longer shown as learning.
SHOWN = "(e.ended_at IS NULL OR e.completed_at IS NOT NULL)"

# A completed course whose post-course survey (lms.reports.surveys) this worker has not answered yet: asked for in the
# same query as the progress, so the page needs no extra round trip.
SURVEY_WAITING = """(e.completed_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM surveys s WHERE s.is_default AND NOT EXISTS (
            SELECT 1 FROM survey_respondents m WHERE m.survey_id = s.id AND m.user_id = e.user_id AND m.version_id = e.version_id)))"""


async def my_enrollments(conn: asyncpg.Connection, *, user_id: UUID) -> list[MyEnrollment]:
    rows = await conn.fetch(
        f"""SELECT e.id, c.code, v.version, v.title, v.languages, e.enrolled_at, e.completed_at, {_ACTIVITIES}, {_MODULES},
                   {SURVEY_WAITING} AS survey_waiting
            FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
            WHERE e.user_id = $1 AND {SHOWN}
            ORDER BY e.completed_at IS NOT NULL, e.enrolled_at DESC""",
        user_id,
    )
    out = []
    for r in rows:
        data = dict(r)
        data.update(summarise(data.pop("activities"), data.pop("modules")))
        out.append(msgspec.convert(data, MyEnrollment))
    return out


def _viewer_scope(viewer: CurrentUser) -> tuple[UUID | None, UUID | None]:
    """(only this user, only this clinic): a worker sees themselves, a clinic admin their clinic, staff everyone."""
    if viewer.role == "worker":
        return viewer.id, None
    if viewer.role == "clinic_admin":
        return None, viewer.clinic_id
    return None, None


async def progress(conn: asyncpg.Connection, *, enrollment_id: UUID, viewer: CurrentUser) -> Progress | None:
    only_user, only_clinic = _viewer_scope(viewer)
    row = await conn.fetchrow(
        f"""SELECT {_ENROLLMENT_COLUMNS}, {_ACTIVITIES}, {_MODULES}
            FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
            WHERE e.id = $1 AND ($2::uuid IS NULL OR e.user_id = $2) AND ($3::uuid IS NULL OR e.clinic_id = $3)
              AND ($4 <> 'clinic_admin' OR $3::uuid IS NOT NULL)""",
        enrollment_id,
        only_user,
        only_clinic,
        viewer.role,
    )
    if row is None:
        return None
    data = dict(row)
    activities, modules = data.pop("activities"), data.pop("modules")
    summary = summarise(activities, modules)
    return Progress(
        enrollment=msgspec.convert(data, Enrollment),
        done=summary["done"],
        total=summary["total"],
        modules=summary["modules"],
        activities=[msgspec.convert(a, ActivityProgress) for a in activities],
    )


async def version_learners(
    conn: asyncpg.Connection, *, viewer: CurrentUser, code: str, version: int
) -> tuple[Any, list[LearnerRow]] | None:
    """A course version's outline and its learners' progress, as the viewer may see them (one query)."""
    only_clinic = viewer.clinic_id if viewer.role == "clinic_admin" else None
    row = await conn.fetchrow(
        """SELECT v.id, c.code, v.version, v.title, v.languages, v.min_attendance_share::float8 AS min_attendance_share,
                  (SELECT coalesce(json_agg(json_build_object('key', a.key, 'kind', a.kind, 'title', a.title, 'module_key', a.module_key)
                                            ORDER BY a.position), '[]')
                   FROM version_activities a WHERE a.version_id = v.id) AS activities,
                  (SELECT coalesce(json_agg(json_build_object(
                              'enrollment_id', e.id, 'user_id', u.id, 'display_name', u.display_name, 'email', u.email,
                              'clinic_name', k.name, 'enrolled_at', e.enrolled_at, 'completed_at', e.completed_at,
                              'done_keys', (SELECT coalesce(array_agg(p.activity_key), '{}') FROM activity_progress p
                                            WHERE p.enrollment_id = e.id AND p.done))
                              ORDER BY u.display_name, u.email), '[]')
                   FROM enrollments e JOIN users u ON u.id = e.user_id LEFT JOIN clinics k ON k.id = e.clinic_id
                   WHERE e.version_id = v.id AND ($3::uuid IS NULL OR e.clinic_id = $3) AND (e.ended_at IS NULL OR e.completed_at IS NOT NULL)
                     AND ($4 <> 'clinic_admin' OR $3::uuid IS NOT NULL)) AS learners
           FROM courses c JOIN course_versions v ON v.course_id = c.id
           WHERE c.code = $1 AND v.version = $2""",
        code,
        version,
        only_clinic,
        viewer.role,
    )
    if row is None:
        return None
    total = len(row["activities"])
    learners = [
        msgspec.convert({**x, "done": len(x["done_keys"]), "total": total}, LearnerRow) for x in row["learners"]
    ]
    return row, learners


async def get_own(conn: asyncpg.Connection, *, enrollment_id: UUID, user_id: UUID) -> Enrollment | None:
    row = await conn.fetchrow(
        f"""SELECT {_ENROLLMENT_COLUMNS}
            FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
            WHERE e.id = $1 AND e.user_id = $2 AND e.ended_at IS NULL""",
        enrollment_id,
        user_id,
    )
    return msgspec.convert(dict(row), Enrollment) if row else None


async def enrollment_for(conn: asyncpg.Connection, *, user_id: UUID, code: str, version: int) -> Any | None:
    """The caller's enrolment in a course version, with the version's title (for statements made by pages)."""
    return await conn.fetchrow(
        """SELECT e.id, e.version_id, e.completed_at, v.title, v.languages FROM enrollments e
           JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
           WHERE e.user_id = $1 AND c.code = $2 AND v.version = $3 AND e.ended_at IS NULL""",
        user_id,
        code,
        version,
    )


async def versions_with_learners(conn: asyncpg.Connection, *, viewer: CurrentUser) -> list[dict[str, Any]]:
    """Published course versions with how many learners (of the viewer's clinic, for a clinic admin) and completions."""
    only_clinic = viewer.clinic_id if viewer.role == "clinic_admin" else None
    rows = await conn.fetch(
        """SELECT c.code, v.version, v.title, v.languages, v.status,
                  count(e.id) AS learners, count(e.completed_at) AS completed
           FROM courses c JOIN course_versions v ON v.course_id = c.id
           LEFT JOIN enrollments e ON e.version_id = v.id AND ($1::uuid IS NULL OR e.clinic_id = $1) AND (e.ended_at IS NULL OR e.completed_at IS NOT NULL)
                                  AND ($2 <> 'clinic_admin' OR $1::uuid IS NOT NULL)
           GROUP BY c.code, v.id
           ORDER BY c.code, v.version DESC""",
        only_clinic,
        viewer.role,
    )
    return [dict(r) for r in rows]


async def active_user_id(conn: asyncpg.Connection, *, email: str) -> UUID | None:
    """A walk-in to a session: the active account with this email."""
    return await conn.fetchval("SELECT id FROM users WHERE email = $1 AND active", email.strip().lower())


async def sign_checkoff(
    conn: asyncpg.Connection, *, enrollment_id: UUID, activity_key: str, instructor_id: UUID, note: str
) -> Any | None:
    """The skill's signature on this enrolment: made now (``created``) or the one made before; None when the enrolment
    has no such checkoff."""
    # Two instructors signing the same skill at once: the second waits here and then reads the first signature (its
    # own snapshot could not see the row the first inserted, and found nothing to return).
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('checkoff:' || $1::uuid::text || ':' || $2::text, 0))",
        enrollment_id,
        activity_key,
    )
    return await conn.fetchrow(
        """WITH target AS (
               SELECT e.id AS enrollment_id, e.user_id, a.id AS activity_id, a.key, a.title, c.code, v.version
               FROM enrollments e JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
               JOIN version_activities a ON a.version_id = v.id AND a.key = $2 AND a.kind = 'checkoff'
               WHERE e.id = $1),
           added AS (
               INSERT INTO checkoffs (enrollment_id, activity_id, instructor_id, note)
               SELECT enrollment_id, activity_id, $3, $4 FROM target
               ON CONFLICT (enrollment_id, activity_id) DO NOTHING
               RETURNING id, enrollment_id, activity_id, instructor_id, signed_at, note)
           SELECT t.user_id, t.key, t.title, t.code, t.version,
                  coalesce(n.id, k.id) AS id, t.enrollment_id, t.activity_id, coalesce(n.instructor_id, k.instructor_id) AS instructor_id,
                  coalesce(n.signed_at, k.signed_at) AS signed_at, coalesce(n.note, k.note) AS note, n.id IS NOT NULL AS created
           FROM target t LEFT JOIN added n ON true
           LEFT JOIN checkoffs k ON k.enrollment_id = t.enrollment_id AND k.activity_id = t.activity_id""",
        enrollment_id,
        activity_key,
        instructor_id,
        note,
    )
