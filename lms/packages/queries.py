"""Package SQL: imported packages and units, which unit a worker launches, and units satisfied."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.packages.schemas import LaunchUnit, Manifest, PackageOut


async def package_prefix(conn: asyncpg.Connection, *, package_id: UUID) -> str | None:
    return await conn.fetchval("SELECT s3_prefix FROM packages WHERE id = $1", package_id)


async def insert_package(
    conn: asyncpg.Connection,
    *,
    package_id: UUID,
    course_id: UUID,
    language: str,
    filename: str,
    s3_prefix: str,
    manifest: Manifest,
    file_count: int,
    total_bytes: int,
    uploaded_by: UUID | None,
    sha256: str | None = None,
) -> None:
    """The package and all its units in one statement."""
    units = [{**msgspec.to_builtins(u), "position": i + 1} for i, u in enumerate(manifest.units)]
    await conn.execute(
        """WITH p AS (
               INSERT INTO packages (id, course_id, format, language, title, filename, s3_prefix, manifest, file_count,
                                     total_bytes, uploaded_by, sha256)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13) RETURNING id)
           INSERT INTO package_units (package_id, position, unit_id, title, description, launch, move_on, mastery_score,
                                      launch_method, launch_parameters, entitlement_key, extra)
           SELECT p.id, x.position, x.unit_id, x.title, coalesce(x.description, '{}'), x.launch, x.move_on, x.mastery_score,
                  x.launch_method, x.launch_parameters, x.entitlement_key, coalesce(x.extra, '{}')
           FROM p, jsonb_to_recordset($12) AS x(position int, unit_id text, title jsonb, description jsonb, launch text,
                                              move_on text, mastery_score numeric, launch_method text,
                                              launch_parameters text, entitlement_key text, extra jsonb)""",
        package_id,
        course_id,
        manifest.format,
        language,
        manifest.title,
        filename,
        s3_prefix,
        manifest.structure,
        file_count,
        total_bytes,
        uploaded_by,
        units,
        sha256,
    )


_PACKAGE = """SELECT p.id, c.code, p.format, p.language, p.title, p.filename, p.file_count, p.total_bytes, p.created_at,
                     (SELECT coalesce(json_agg(json_build_object(
                                 'unit_id', u.unit_id, 'position', u.position, 'title', u.title, 'launch', u.launch,
                                 'move_on', u.move_on, 'mastery_score', u.mastery_score) ORDER BY u.position), '[]')
                      FROM package_units u WHERE u.package_id = p.id) AS units
              FROM packages p JOIN courses c ON c.id = p.course_id"""


async def get_package(conn: asyncpg.Connection, *, code: str, package_id: UUID) -> PackageOut | None:
    row = await conn.fetchrow(f"{_PACKAGE} WHERE c.code = $1 AND p.id = $2", code, package_id)
    return msgspec.convert(dict(row), PackageOut) if row else None


async def course_packages(conn: asyncpg.Connection, *, code: str) -> list[PackageOut]:
    rows = await conn.fetch(f"{_PACKAGE} WHERE c.code = $1 ORDER BY p.created_at DESC", code)
    return [msgspec.convert(dict(r), PackageOut) for r in rows]


async def launch_unit(
    conn: asyncpg.Connection, *, activity_id: UUID, user_id: UUID, language: str
) -> LaunchUnit | None:
    """The unit a worker enrolled on the activity's version launches: in her language, else one of the same base
    language, else the first of the version's languages that has one. None when she is not enrolled (checked here)."""
    row = await conn.fetchrow(
        """SELECT e.id AS enrollment_id, e.user_id, a.id AS activity_id, a.version_id, c.code, v.version,
                  a.key AS activity_key, a.title AS activity_title, p.id AS package_id, p.format, p.language, u.unit_id,
                  u.title, u.launch, u.move_on, u.mastery_score::float8 AS mastery_score, u.launch_method,
                  u.launch_parameters, u.entitlement_key, u.extra, p.s3_prefix
           FROM version_activities a
           JOIN course_versions v ON v.id = a.version_id
           JOIN courses c ON c.id = v.course_id
           JOIN enrollments e ON e.version_id = a.version_id AND e.user_id = $2 AND e.ended_at IS NULL
           JOIN version_activity_packages vp ON vp.activity_id = a.id
           JOIN packages p ON p.id = vp.package_id
           JOIN package_units u ON u.package_id = vp.package_id AND u.unit_id = vp.unit_id
           WHERE a.id = $1 AND a.kind = 'package'
           ORDER BY lower(vp.language) = lower($3) DESC,
                    lower(split_part(vp.language, '-', 1)) = lower(split_part($3, '-', 1)) DESC,
                    array_position(v.languages, vp.language) NULLS LAST, vp.language
           LIMIT 1""",
        activity_id,
        user_id,
        language,
    )
    return msgspec.convert(dict(row), LaunchUnit) if row else None


async def insert_completion(
    conn: asyncpg.Connection, *, enrollment_id: UUID, activity_id: UUID, detail: dict[str, Any]
) -> bool | None:
    """Record the unit satisfied once. None when the activity is not a package activity of the enrolment's version;
    False when it was already recorded."""
    return await conn.fetchval(
        """WITH target AS (
               SELECT e.id AS enrollment_id, a.id AS activity_id FROM enrollments e
               JOIN version_activities a ON a.version_id = e.version_id AND a.kind = 'package'
               WHERE e.id = $1 AND a.id = $2),
           added AS (
               INSERT INTO package_completions (enrollment_id, activity_id, detail)
               SELECT enrollment_id, activity_id, $3 FROM target
               ON CONFLICT (enrollment_id, activity_id) DO NOTHING RETURNING 1)
           SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM target) THEN NULL ELSE EXISTS (SELECT 1 FROM added) END""",
        enrollment_id,
        activity_id,
        detail,
    )


async def editable_course(conn: asyncpg.Connection, *, code: str, editor: Any) -> tuple[UUID, list[str]] | None:
    """The course's id and draft languages, if this person may change it (its owners, program admins)."""
    row = await conn.fetchrow(
        """SELECT c.id, coalesce(ARRAY(SELECT jsonb_array_elements_text(c.draft -> 'languages')), '{}') AS languages
           FROM courses c
           WHERE c.code = $1 AND ($3::text = 'program_admin' OR EXISTS (
                 SELECT 1 FROM course_owners o WHERE o.course_id = c.id AND o.user_id = $2::uuid))""",
        code,
        editor.id,
        editor.role,
    )
    return (row["id"], list(row["languages"])) if row else None


async def package_by_digest(conn: asyncpg.Connection, *, course_id: UUID, sha256: str, language: str) -> UUID | None:
    """A package of this course already imported from the same zip in the same language."""
    return await conn.fetchval(
        """SELECT id FROM packages WHERE course_id = $1 AND sha256 = $2 AND language = $3
           ORDER BY created_at LIMIT 1""",
        course_id,
        sha256,
        language,
    )


async def course_id(conn: asyncpg.Connection, *, code: str) -> UUID | None:
    return await conn.fetchval("SELECT id FROM courses WHERE code = $1", code)
