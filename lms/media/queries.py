"""Media SQL. One round trip per function; the course (by code) is in every WHERE that an instructor reaches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.errors import Conflict
from lms.i18n import N_
from lms.media.schemas import CourseHeading, MediaOut, StoredMedia

# Who may watch a version's media. For now: any active signed-in user sees published versions, staff see every
# version. The learning feature tightens this (enrolment) here, in one place: both functions below use it.
# Parameters: $1 the version id, $2 the user id.
_MAY_VIEW_VERSION = """EXISTS (
    SELECT 1 FROM course_versions mv JOIN users mu ON mu.id = $2 AND mu.active
    WHERE mv.id = $1 AND (mv.status = 'published' OR mu.role IN ('instructor', 'program_admin')))"""

_OUT = """m.id, c.code AS course_code, m.kind, m.content_type, m.byte_size, m.filename, m.language, m.video_id, m.status,
          m.created_at, m.created_by, m.replaced_at IS NOT NULL AS replaced,
          coalesce((SELECT array_agg(DISTINCT v.version ORDER BY v.version)
                    FROM version_media vm JOIN course_versions v ON v.id = vm.version_id
                    WHERE vm.media_id = m.id), '{}') AS versions"""
_STORED = "m.id, m.course_id, m.storage_key, m.kind, m.content_type, m.byte_size, m.filename, m.language, m.video_id, m.status, m.upload_id"


async def may_view_version(conn: asyncpg.Connection, user: CurrentUser | None, version_id: UUID) -> bool:
    if user is None:
        return False
    return bool(await conn.fetchval(f"SELECT {_MAY_VIEW_VERSION}", version_id, user.id))


async def playable(conn: asyncpg.Connection, *, user_id: UUID, version_id: UUID, ids: list[UUID]) -> list[StoredMedia]:
    """The ready files among ``ids`` that this version uses, if this user may view the version."""
    rows = await conn.fetch(
        f"""SELECT {_STORED}
            FROM version_media vm JOIN media m ON m.id = vm.media_id
            WHERE vm.version_id = $1 AND m.id = ANY($3::uuid[]) AND m.status = 'ready' AND {_MAY_VIEW_VERSION}""",
        version_id,
        user_id,
        ids,
    )
    return [msgspec.convert(dict(r), StoredMedia) for r in rows]


async def list_media(conn: asyncpg.Connection, *, code: str) -> list[MediaOut]:
    rows = await conn.fetch(
        f"""SELECT {_OUT} FROM media m JOIN courses c ON c.id = m.course_id
            WHERE c.code = $1 ORDER BY m.created_at DESC, m.id""",
        code,
    )
    return [msgspec.convert(dict(r), MediaOut) for r in rows]


async def get_media(conn: asyncpg.Connection, *, code: str, media_id: UUID) -> MediaOut | None:
    row = await conn.fetchrow(
        f"SELECT {_OUT} FROM media m JOIN courses c ON c.id = m.course_id WHERE c.code = $1 AND m.id = $2",
        code,
        media_id,
    )
    return msgspec.convert(dict(row), MediaOut) if row else None


async def get_stored(conn: asyncpg.Connection, *, code: str, media_id: UUID) -> StoredMedia | None:
    row = await conn.fetchrow(
        f"SELECT {_STORED} FROM media m JOIN courses c ON c.id = m.course_id WHERE c.code = $1 AND m.id = $2",
        code,
        media_id,
    )
    return msgspec.convert(dict(row), StoredMedia) if row else None


async def upload_context(conn: asyncpg.Connection, *, code: str, video_id: UUID | None) -> dict[str, Any] | None:
    """The course an upload goes to, and whether ``video_id`` is one of its videos (None: no such course)."""
    row = await conn.fetchrow(
        """SELECT c.id AS course_id,
                  ($2::uuid IS NOT NULL AND EXISTS (
                      SELECT 1 FROM media v WHERE v.id = $2 AND v.course_id = c.id AND v.kind = 'video')) AS video_found
           FROM courses c WHERE c.code = $1""",
        code,
        video_id,
    )
    return dict(row) if row else None


async def insert_pending(
    conn: asyncpg.Connection,
    *,
    media_id: UUID,
    course_id: UUID,
    storage_key: str,
    kind: str,
    content_type: str,
    byte_size: int,
    filename: str,
    language: str | None,
    video_id: UUID | None,
    upload_id: str | None,
    created_by: UUID | None,
) -> MediaOut:
    row = await conn.fetchrow(
        """WITH m AS (
                INSERT INTO media (id, course_id, storage_key, kind, content_type, byte_size, filename, language, video_id,
                                   upload_id, created_by)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                RETURNING id, course_id, kind, content_type, byte_size, filename, language, video_id, status, created_at,
                          created_by)
            SELECT m.id, c.code AS course_code, m.kind, m.content_type, m.byte_size, m.filename, m.language, m.video_id,
                   m.status, m.created_at, m.created_by, false AS replaced, '{{}}'::int[] AS versions
            FROM m JOIN courses c ON c.id = m.course_id""",
        media_id,
        course_id,
        storage_key,
        kind,
        content_type,
        byte_size,
        filename,
        language,
        video_id,
        upload_id,
        created_by,
    )
    return msgspec.convert(dict(row), MediaOut)


async def may_edit_course(conn: asyncpg.Connection, *, code: str, editor: CurrentUser) -> bool:
    """Its owners and program admins may change a course's media (the same rule as lms.catalog.queries._may_edit)."""
    return bool(
        await conn.fetchval(
            """SELECT 1 FROM courses c WHERE c.code = $1 AND ($3::text = 'program_admin' OR EXISTS (
               SELECT 1 FROM course_owners o WHERE o.course_id = c.id AND o.user_id = $2::uuid))""",
            code,
            editor.id,
            editor.role,
        )
    )


async def storage_keys(conn: asyncpg.Connection, *, ids: list[UUID]) -> dict[UUID, str]:
    """Where each file is in the store (an upload moves once checked, so the key is read, never rebuilt)."""
    return {
        r["id"]: r["storage_key"] for r in await conn.fetch("SELECT id, storage_key FROM media WHERE id = ANY($1)", ids)
    }


async def mark_ready(
    conn: asyncpg.Connection, *, media_id: UUID, content_type: str, byte_size: int, storage_key: str
) -> None:
    """Ready, with the measured size and the type found in the file; newer captions replace older ones.
    Two statements (call inside a transaction): the old captions must step aside before the unique index sees the new."""
    try:
        await conn.execute(
            """UPDATE media old SET replaced_at = now()
               FROM media new
               WHERE new.id = $1 AND new.status = 'pending' AND new.kind = 'captions' AND old.kind = 'captions'
                 AND old.video_id = new.video_id AND lower(old.language) = lower(new.language)
                 AND old.status = 'ready' AND old.replaced_at IS NULL""",
            media_id,
        )
        await conn.execute(
            """UPDATE media SET status = 'ready', content_type = $2, byte_size = $3, upload_id = NULL, ready_at = now(),
                                storage_key = $4
               WHERE id = $1 AND status = 'pending'""",
            media_id,
            content_type,
            byte_size,
            storage_key,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict(
            N_("captions in this language were added to this video at the same moment; try again"), field="language"
        ) from None


async def delete_pending(conn: asyncpg.Connection, *, media_id: UUID) -> None:
    await conn.execute("DELETE FROM media WHERE id = $1 AND status = 'pending'", media_id)


async def delete_unused(conn: asyncpg.Connection, *, code: str, media_id: UUID) -> dict[str, Any]:
    """Delete a file (a video with its captions) unless a version uses it: (found, versions using it, removed rows)."""
    try:
        row = await conn.fetchrow(
            """WITH target AS (
                   SELECT m.id FROM media m JOIN courses c ON c.id = m.course_id
                   WHERE c.code = $1 AND (m.id = $2 OR (m.video_id = $2 AND m.kind = 'captions'))),
               blocked AS (
                   SELECT DISTINCT v.version FROM version_media vm JOIN course_versions v ON v.id = vm.version_id
                   WHERE vm.media_id IN (SELECT id FROM target)),
               gone AS (
                   DELETE FROM media m WHERE m.id IN (SELECT id FROM target) AND NOT EXISTS (SELECT 1 FROM blocked)
                   RETURNING m.id, m.storage_key, m.upload_id, m.filename, m.kind)
               SELECT EXISTS (SELECT 1 FROM target WHERE id = $2) AS found,
                      (SELECT coalesce(array_agg(version ORDER BY version), '{}') FROM blocked) AS versions,
                      (SELECT coalesce(json_agg(json_build_object('id', id, 'storage_key', storage_key, 'upload_id', upload_id,
                                                                  'filename', filename, 'kind', kind)), '[]') FROM gone) AS removed""",
            code,
            media_id,
        )
    except asyncpg.ForeignKeyViolationError:
        raise Conflict(N_("a version that uses this file was published just now"), field="media_id") from None
    return dict(row)


async def course_heading(conn: asyncpg.Connection, *, code: str) -> CourseHeading | None:
    """What the media library shows of the course: its draft's title and languages."""
    row = await conn.fetchrow(
        "SELECT draft->'title' AS title, draft->'languages' AS languages FROM courses WHERE code = $1", code
    )
    return None if row is None else msgspec.convert(dict(row), CourseHeading)


async def ensure_course(conn: asyncpg.Connection, *, code: str, track: str, draft: Any) -> UUID:
    """The course's id, adding the course (as a draft) when a folder is published for the first time."""
    return await conn.fetchval(
        """WITH added AS (
               INSERT INTO courses (code, track, draft) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING RETURNING id)
           SELECT id FROM added UNION ALL SELECT id FROM courses WHERE code = $1 LIMIT 1""",
        code,
        track,
        draft,
    )


async def find_by_sha256(conn: asyncpg.Connection, *, course_id: UUID, items: list[dict[str, Any]]) -> dict[str, UUID]:
    """Files of this course already uploaded from a folder, by (sha256 hex, kind, video id, language)."""
    rows = await conn.fetch(
        """SELECT DISTINCT ON (x.ref) x.ref, m.id
           FROM jsonb_to_recordset($2::jsonb) AS x(ref text, sha256 text, kind text, video_id uuid, language text)
           JOIN media m ON m.course_id = $1 AND m.sha256 = decode(x.sha256, 'hex') AND m.kind = x.kind
                        AND m.status = 'ready' AND m.video_id IS NOT DISTINCT FROM x.video_id
                        AND m.language IS NOT DISTINCT FROM x.language AND m.replaced_at IS NULL
           ORDER BY x.ref, m.created_at""",
        course_id,
        items,
    )
    return {r["ref"]: r["id"] for r in rows}


async def insert_ready(conn: asyncpg.Connection, *, rows: list[dict[str, Any]]) -> None:
    """Files uploaded by the service itself (course folders): checked before upload, so ready at once. New captions
    replace a video's older ones in the same language (two statements: call inside a transaction)."""
    await conn.execute(
        """UPDATE media old SET replaced_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS x(kind text, video_id uuid, language text)
           WHERE x.kind = 'captions' AND old.kind = 'captions' AND old.video_id = x.video_id
             AND lower(old.language) = lower(x.language) AND old.status = 'ready' AND old.replaced_at IS NULL""",
        rows,
    )
    await conn.execute(
        """INSERT INTO media (id, course_id, storage_key, kind, content_type, byte_size, filename, language, video_id,
                              status, sha256, created_by, ready_at)
           SELECT x.id, x.course_id, x.storage_key, x.kind, x.content_type, x.byte_size, x.filename, x.language,
                  x.video_id, 'ready', decode(x.sha256, 'hex'), x.created_by, now()
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, course_id uuid, storage_key text, kind text,
                content_type text, byte_size bigint, filename text, language text, video_id uuid, sha256 text,
                created_by uuid)
           ORDER BY x.kind = 'captions'""",
        rows,
    )


async def draft_media(conn: asyncpg.Connection, *, code: str, ids: list[UUID]) -> list[StoredMedia]:
    """Ready files of this course among ``ids``, and the current captions of the videos among them."""
    rows = await conn.fetch(
        f"""SELECT {_STORED} FROM media m JOIN courses c ON c.id = m.course_id
            WHERE c.code = $1 AND m.status = 'ready'
              AND (m.id = ANY($2::uuid[]) OR (m.kind = 'captions' AND m.replaced_at IS NULL AND m.video_id = ANY($2::uuid[])))
            ORDER BY m.language""",
        code,
        ids,
    )
    return [msgspec.convert(dict(r), StoredMedia) for r in rows]


# Draft references are media ids in Lesson.media[].file and .captions (course folders use paths there instead).
_DRAFT_REFS = """SELECT ref #>> '{}' AS ref FROM courses dc
                 CROSS JOIN LATERAL jsonb_path_query(dc.draft, '$.modules[*].activities[*].media[*].file') AS ref
                 UNION
                 SELECT ref #>> '{}' FROM courses dc
                 CROSS JOIN LATERAL jsonb_path_query(dc.draft, '$.modules[*].activities[*].media[*].captions.*') AS ref"""


async def garbage(
    conn: asyncpg.Connection, *, pending_for: timedelta, unused_for: timedelta, code: str | None = None
) -> list[dict[str, Any]]:
    """Rows to remove: uploads still pending after ``pending_for``, and files that no version and no draft uses
    after ``unused_for`` (captions follow their video; a video stays while one of its captions stays)."""
    rows = await conn.fetch(
        f"""WITH draft_refs AS ({_DRAFT_REFS}),
                 in_use AS (
                     SELECT m.id FROM media m
                     WHERE EXISTS (SELECT 1 FROM version_media vm WHERE vm.media_id = m.id)
                        OR m.id::text IN (SELECT ref FROM draft_refs)),
                 kept AS (
                     SELECT m.id FROM media m
                     WHERE m.id IN (SELECT id FROM in_use)
                        OR (m.video_id IN (SELECT id FROM in_use) AND m.replaced_at IS NULL)
                        OR (m.status = 'pending' AND m.created_at > now() - $1::interval)
                        OR (m.status = 'ready' AND m.created_at > now() - $2::interval))
            SELECT c.code AS course_code, {_STORED}, m.created_at
            FROM media m JOIN courses c ON c.id = m.course_id
            WHERE m.id NOT IN (SELECT id FROM kept) AND ($3::text IS NULL OR c.code = $3)
              AND NOT EXISTS (SELECT 1 FROM media k WHERE k.video_id = m.id AND k.id IN (SELECT id FROM kept))
            ORDER BY c.code, m.created_at""",
        pending_for,
        unused_for,
        code,
    )
    return [dict(r) for r in rows]


async def delete_rows(conn: asyncpg.Connection, *, ids: list[UUID]) -> int:
    result = await conn.execute("DELETE FROM media WHERE id = ANY($1::uuid[])", ids)
    return int(result.split()[-1])


async def known_keys(conn: asyncpg.Connection, *, keys: list[str]) -> set[str]:
    rows = await conn.fetch("SELECT storage_key FROM media WHERE storage_key = ANY($1::text[])", keys)
    return {r["storage_key"] for r in rows}
