"""Catalogue SQL. One round trip per function; rows become Structs in one place."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.catalog.schemas import ActivityPage, CourseOwner, VersionDetail, VersionOut

_CURRENT = """SELECT DISTINCT ON (v.course_id) v.*
              FROM course_versions v WHERE v.status = 'published'
              ORDER BY v.course_id, v.version DESC"""


async def catalogue(conn: asyncpg.Connection, *, track: str | None = None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT c.code, c.track, v.title, v.summary, v.languages, v.total_minutes, v.version
            FROM courses c JOIN ({_CURRENT}) v ON v.course_id = c.id
            WHERE ($1::text IS NULL OR c.track = $1)
            ORDER BY c.track, c.code""",
        track,
    )
    return [dict(r) for r in rows]


async def search_catalogue(
    conn: asyncpg.Connection,
    *,
    text: str | None,
    track: str | None,
    language: str | None,
    delivery: str | None,
    body: str | None,
) -> list[dict[str, Any]]:
    """The current courses that match every filter given: words in the code, title or summary (any language), a
    track, a language of the course (``es`` finds ``es-MX``), in person (it has an in-person session) or online (none),
    approved by an accrediting body."""
    pattern = None if not text else "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await conn.fetch(
        f"""SELECT c.code, c.track, v.title, v.summary, v.languages, v.total_minutes, v.version
            FROM courses c JOIN ({_CURRENT}) v ON v.course_id = c.id
            WHERE ($1::text IS NULL OR c.code ILIKE $1
                   OR EXISTS (SELECT 1 FROM jsonb_each_text(v.title || v.summary) t WHERE t.value ILIKE $1))
              AND ($2::text IS NULL OR c.track = $2)
              AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM unnest(v.languages) l
                                               WHERE lower(l) IN (lower($3), lower(split_part($3, '-', 1)))
                                                  OR lower(split_part(l, '-', 1)) = lower($3)))
              AND ($4::text IS NULL OR ($4 = 'in_person') = EXISTS (
                     SELECT 1 FROM version_activities a WHERE a.version_id = v.id AND a.kind = 'in_person'))
              AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM version_approvals p WHERE p.version_id = v.id AND p.body = $5))
            ORDER BY c.track, c.code""",
        pattern,
        track,
        language,
        delivery,
        body,
    )
    return [dict(r) for r in rows]


async def catalogue_choices(conn: asyncpg.Connection) -> dict[str, list[str]]:
    """What the catalogue's filters offer: the languages and accrediting bodies of the current courses."""
    row = await conn.fetchrow(
        f"""SELECT (SELECT coalesce(array_agg(DISTINCT l ORDER BY l), '{{}}') FROM ({_CURRENT}) v, unnest(v.languages) l) AS languages,
                   (SELECT coalesce(array_agg(DISTINCT p.body ORDER BY p.body), '{{}}')
                    FROM ({_CURRENT}) v JOIN version_approvals p ON p.version_id = v.id) AS bodies"""
    )
    return {"languages": list(row["languages"]), "bodies": list(row["bodies"])}


async def version_detail(conn: asyncpg.Connection, *, code: str, version: int | None) -> VersionDetail | None:
    """A version with its outline and approvals; ``version=None`` means the latest published one."""
    row = await conn.fetchrow(
        """WITH v AS (
               SELECT v.*, c.code, c.track,
                      (SELECT max(version) FROM course_versions x WHERE x.course_id = c.id AND x.status = 'published') AS latest_version
               FROM courses c JOIN course_versions v ON v.course_id = c.id
               WHERE c.code = $1 AND (v.version = $2 OR ($2::int IS NULL AND v.status = 'published'))
               ORDER BY v.version DESC LIMIT 1)
           SELECT v.id, v.course_id, v.code, v.track, v.version, v.status, v.languages, v.title, v.summary,
                  v.total_minutes, v.min_attendance_share::float8 AS min_attendance_share, v.published_at,
                  coalesce(v.latest_version, v.version) AS latest_version,
                  (SELECT coalesce(json_agg(json_build_object(
                              'key', m.key, 'title', m.title,
                              'activities', (SELECT coalesce(json_agg(json_build_object(
                                                 'id', a.id, 'key', a.key, 'kind', a.kind, 'minutes', a.minutes, 'title', a.title)
                                                 ORDER BY a.position), '[]')
                                             FROM version_activities a WHERE a.version_id = v.id AND a.module_key = m.key))
                              ORDER BY m.position), '[]')
                   FROM version_modules m WHERE m.version_id = v.id) AS modules,
                  (SELECT coalesce(json_agg(json_build_object(
                              'body', p.body, 'provider_number', p.provider_number, 'approved_from', p.approved_from,
                              'approved_until', p.approved_until, 'category', p.category) ORDER BY p.body), '[]')
                   FROM version_approvals p WHERE p.version_id = v.id) AS approvals
           FROM v""",
        code,
        version,
    )
    return msgspec.convert(dict(row), VersionDetail) if row else None


async def activity_page(conn: asyncpg.Connection, *, code: str, version: int, key: str) -> ActivityPage | None:
    row = await conn.fetchrow(
        """SELECT a.id, a.version_id, c.code, v.version, v.languages, v.title AS course_title,
                  a.module_key, m.title AS module_title, a.key, a.kind, a.minutes, a.title, a.body_html, a.learner,
                  (SELECT p.key FROM version_activities p WHERE p.version_id = v.id AND p.position < a.position ORDER BY p.position DESC LIMIT 1) AS previous_key,
                  (SELECT n.key FROM version_activities n WHERE n.version_id = v.id AND n.position > a.position ORDER BY n.position LIMIT 1) AS next_key
           FROM courses c
           JOIN course_versions v ON v.course_id = c.id
           JOIN version_activities a ON a.version_id = v.id
           JOIN version_modules m ON m.version_id = v.id AND m.key = a.module_key
           WHERE c.code = $1 AND v.version = $2 AND a.key = $3""",
        code,
        version,
        key,
    )
    return msgspec.convert(dict(row), ActivityPage) if row else None


async def lock_course(conn: asyncpg.Connection, *, code: str, track: str, draft: Any) -> tuple[UUID, int]:
    """Create or update the course row, lock it, and return (course id, next version number)."""
    row = await conn.fetchrow(
        """INSERT INTO courses (code, track, draft) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET track = EXCLUDED.track, draft = EXCLUDED.draft, draft_updated_at = now()
           RETURNING id""",
        code,
        track,
        draft,
    )
    course_id = row["id"]
    await conn.execute("SELECT 1 FROM courses WHERE id = $1 FOR UPDATE", course_id)
    next_version = await conn.fetchval(
        "SELECT coalesce(max(version), 0) + 1 FROM course_versions WHERE course_id = $1", course_id
    )
    return course_id, next_version


async def insert_version(
    conn: asyncpg.Connection,
    *,
    course_id: UUID,
    version: int,
    languages: list[str],
    title: Any,
    summary: Any,
    total_minutes: int,
    min_attendance_share: float,
    content: Any,
    published_by: UUID | None,
    modules: list[dict[str, Any]],
    activities: list[dict[str, Any]],
    approvals: list[dict[str, Any]],
) -> UUID:
    """The version, its modules, activities and approvals in one statement."""
    return await conn.fetchval(
        """WITH v AS (
               INSERT INTO course_versions (course_id, version, languages, title, summary, total_minutes,
                                            min_attendance_share, content, published_by)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id),
           m AS (
               INSERT INTO version_modules (version_id, position, key, title)
               SELECT v.id, x.position, x.key, x.title FROM v, jsonb_to_recordset($10) AS x(position int, key text, title jsonb)
               RETURNING 1),
           a AS (
               INSERT INTO version_activities (version_id, module_key, position, key, kind, minutes, title, body_html, learner, answer_key)
               SELECT v.id, x.module_key, x.position, x.key, x.kind, x.minutes, x.title, x.body_html, x.learner, x.answer_key
               FROM v, jsonb_to_recordset($11) AS x(module_key text, position int, key text, kind text, minutes int,
                                                    title jsonb, body_html jsonb, learner jsonb, answer_key jsonb)
               RETURNING 1),
           p AS (
               INSERT INTO version_approvals (version_id, body, provider_number, approved_from, approved_until, category)
               SELECT v.id, x.body, x.provider_number, x.approved_from, x.approved_until, x.category
               FROM v, jsonb_to_recordset($12) AS x(body text, provider_number text, approved_from date, approved_until date, category text)
               RETURNING 1)
           SELECT id FROM v""",
        course_id,
        version,
        languages,
        title,
        summary,
        total_minutes,
        min_attendance_share,
        content,
        published_by,
        modules,
        activities,
        approvals,
    )


async def course_package_units(
    conn: asyncpg.Connection, *, code: str, ids: list[UUID | None]
) -> dict[tuple[str, str], dict[str, str]]:
    """The units of these packages imported into this course: (package id, unit id) -> language and format."""
    rows = await conn.fetch(
        """SELECT p.id::text AS package_id, u.unit_id, p.language, p.format
           FROM packages p JOIN courses c ON c.id = p.course_id JOIN package_units u ON u.package_id = p.id
           WHERE c.code = $1 AND p.id = ANY($2::uuid[])""",
        code,
        [i for i in ids if i is not None],
    )
    return {(r["package_id"], r["unit_id"]): {"language": r["language"], "format": r["format"]} for r in rows}


async def pin_package_units(conn: asyncpg.Connection, *, version_id: UUID, units: list[dict[str, Any]]) -> None:
    """Which package unit each package activity of a new version shows, per language (one statement)."""
    await conn.execute(
        """INSERT INTO version_activity_packages (activity_id, language, package_id, unit_id)
           SELECT a.id, x.language, x.package_id, x.unit_id
           FROM jsonb_to_recordset($2) AS x(key text, language text, package_id uuid, unit_id text)
           JOIN version_activities a ON a.version_id = $1 AND a.key = x.key""",
        version_id,
        units,
    )


# May this person ($user_id, $role) edit, publish and retire the course row `c`? Its owners, and program admins.
def _may_edit(course: str, user: str, role: str) -> str:
    return f"""({role}::text = 'program_admin' OR EXISTS (
                   SELECT 1 FROM course_owners o WHERE o.course_id = {course}.id AND o.user_id = {user}::uuid))"""


may_edit_clause = _may_edit  # the same rule for the authoring feature's own queries (lms.authoring.queries)


async def get_draft(conn: asyncpg.Connection, *, code: str) -> Any | None:
    return await conn.fetchval("SELECT draft FROM courses WHERE code = $1", code)


async def get_draft_for(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> Any | None:
    """The draft, if this person may edit the course."""
    return await conn.fetchval(
        f"SELECT c.draft FROM courses c WHERE c.code = $1 AND {_may_edit('c', '$2', '$3')}",
        code,
        editor.id,
        editor.role,
    )


async def save_draft(conn: asyncpg.Connection, *, code: str, track: str, draft: Any) -> None:
    await conn.execute(
        """INSERT INTO courses (code, track, draft) VALUES ($1, $2, $3)
           ON CONFLICT (code) DO UPDATE SET track = EXCLUDED.track, draft = EXCLUDED.draft, draft_updated_at = now()""",
        code,
        track,
        draft,
    )


async def save_draft_for(conn: asyncpg.Connection, *, code: str, track: str, draft: Any, editor: CurrentUser) -> bool:
    """Create the course (an instructor creating it becomes its owner) or change its draft if this person may edit it;
    False when the course is someone else's."""
    saved = await conn.fetchval(
        f"""WITH saved AS (
                INSERT INTO courses AS c (code, track, draft) VALUES ($1, $2, $3)
                ON CONFLICT (code) DO UPDATE SET track = EXCLUDED.track, draft = EXCLUDED.draft, draft_updated_at = now()
                WHERE {_may_edit("c", "$4", "$5")}
                RETURNING c.id, (xmax = 0) AS created),
            owner AS (
                INSERT INTO course_owners (course_id, user_id, added_by)
                SELECT id, $4, $4 FROM saved WHERE created AND $5 = 'instructor'
                RETURNING 1)
            SELECT count(*) FROM saved""",
        code,
        track,
        draft,
        editor.id,
        editor.role,
    )
    return saved == 1


async def may_edit(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> bool:
    return bool(
        await conn.fetchval(
            f"SELECT 1 FROM courses c WHERE c.code = $1 AND {_may_edit('c', '$2', '$3')}", code, editor.id, editor.role
        )
    )


async def own_every_course(conn: asyncpg.Connection, *, email: str) -> None:
    """Make this instructor an owner of every course that has none (seeding a catalogue loaded from folders)."""
    await conn.execute(
        """INSERT INTO course_owners (course_id, user_id)
           SELECT c.id, u.id FROM courses c, users u
           WHERE lower(u.email) = lower($1) AND u.role = 'instructor'
             AND NOT EXISTS (SELECT 1 FROM course_owners o WHERE o.course_id = c.id)
           ON CONFLICT DO NOTHING""",
        email,
    )


async def list_owners(conn: asyncpg.Connection, *, code: str, viewer: CurrentUser) -> list[CourseOwner] | None:
    """The course's owners, if this person may edit it (None otherwise)."""
    row = await conn.fetchrow(
        f"""SELECT c.id, coalesce(jsonb_agg(jsonb_build_object('user_id', u.id, 'display_name', u.display_name,
                                                                 'email', u.email, 'added_at', o.added_at)
                                              ORDER BY u.display_name) FILTER (WHERE u.id IS NOT NULL), '[]') AS owners
            FROM courses c LEFT JOIN course_owners o ON o.course_id = c.id LEFT JOIN users u ON u.id = o.user_id
            WHERE c.code = $1 AND {_may_edit("c", "$2", "$3")}
            GROUP BY c.id""",
        code,
        viewer.id,
        viewer.role,
    )
    return None if row is None else msgspec.convert(row["owners"], list[CourseOwner])


async def add_owner(conn: asyncpg.Connection, *, code: str, email: str, actor: CurrentUser) -> str | None:
    """Add an instructor (by email) as a co-author; the actor must own the course or be a program admin. Answers the
    new owner's name, or None when there is no such instructor or course the actor may change."""
    return await conn.fetchval(
        f"""WITH added AS (
                INSERT INTO course_owners (course_id, user_id, added_by)
                SELECT c.id, u.id, $3 FROM courses c, users u
                WHERE c.code = $1 AND lower(u.email) = lower($2) AND u.role = 'instructor' AND {_may_edit("c", "$3", "$4")}
                ON CONFLICT DO NOTHING
                RETURNING user_id)
            SELECT u.display_name FROM users u
            WHERE lower(u.email) = lower($2) AND u.role = 'instructor' AND EXISTS (
                SELECT 1 FROM courses c WHERE c.code = $1 AND {_may_edit("c", "$3", "$4")})""",
        code,
        email.strip(),
        actor.id,
        actor.role,
    )


async def remove_owner(conn: asyncpg.Connection, *, code: str, user_id: UUID, actor: CurrentUser) -> str:
    """Remove a co-author: 'removed', 'last' (a course keeps at least one owner) or 'missing'."""
    return await conn.fetchval(
        f"""WITH course AS (
                SELECT c.id FROM courses c WHERE c.code = $1 AND {_may_edit("c", "$3", "$4")} FOR UPDATE),
            owners AS (SELECT o.user_id FROM course_owners o JOIN course ON course.id = o.course_id),
            gone AS (
                DELETE FROM course_owners o USING course
                WHERE o.course_id = course.id AND o.user_id = $2 AND (SELECT count(*) FROM owners) > 1
                RETURNING 1)
            SELECT CASE WHEN EXISTS (SELECT 1 FROM gone) THEN 'removed'
                        WHEN EXISTS (SELECT 1 FROM owners WHERE user_id = $2) THEN 'last' ELSE 'missing' END""",
        code,
        user_id,
        actor.id,
        actor.role,
    )


async def list_versions(conn: asyncpg.Connection, *, code: str) -> list[VersionOut]:
    rows = await conn.fetch(
        """SELECT v.version, v.status, v.published_at, v.retired_at, v.total_minutes
           FROM courses c JOIN course_versions v ON v.course_id = c.id WHERE c.code = $1 ORDER BY v.version DESC""",
        code,
    )
    return [msgspec.convert(dict(r), VersionOut) for r in rows]


async def retire_version(conn: asyncpg.Connection, *, code: str, version: int, editor: CurrentUser | None) -> bool:
    """Retire a published version, if this person may (None: the system, e.g. a command on the server)."""
    done = await conn.fetchval(
        f"""UPDATE course_versions v SET status = 'retired', retired_at = now()
            FROM courses c WHERE c.id = v.course_id AND c.code = $1 AND v.version = $2 AND v.status = 'published'
            AND ($3::uuid IS NULL AND $4::text IS NULL OR {_may_edit("c", "$3", "$4")})
            RETURNING v.id""",
        code,
        version,
        editor.id if editor else None,
        editor.role if editor else None,
    )
    return done is not None


async def authoring_list(conn: asyncpg.Connection, *, editor: CurrentUser) -> list[dict[str, Any]]:
    """The courses this person may edit."""
    rows = await conn.fetch(
        f"""SELECT c.code, c.track, c.draft -> 'title' AS title, c.draft_updated_at,
                   (SELECT max(version) FROM course_versions v WHERE v.course_id = c.id) AS latest_version
            FROM courses c WHERE {_may_edit("c", "$1", "$2")} ORDER BY c.track, c.code""",
        editor.id,
        editor.role,
    )
    return [dict(r) for r in rows]


async def catalogue_generation(conn: asyncpg.Connection) -> int:
    """The number PostgreSQL bumps whenever a version is published or retired (migration 0007)."""
    generation: int = await conn.fetchval("SELECT generation FROM catalogue_generation")
    return generation
