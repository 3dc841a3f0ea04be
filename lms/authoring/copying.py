"""Starting from what exists: a course's draft or one of its versions copied into a new course (a new code, the
copier its owner) or into this course's draft (to start again from an earlier version).

A copy into a new course brings its own copies of the lesson media (the store copies the bytes; the new course can
delete or replace them without touching the original), and no credit approvals: an accrediting body approved the
original course, not the copy.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.authoring import publish_queries
from lms.catalog import service as catalog
from lms.catalog.content import CourseDoc, Lesson
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_
from lms.media import queries as media_queries
from lms.media.types import final_key, storage_key
from lms.storage import Storage

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


async def source_doc(conn: asyncpg.Connection, *, code: str, version: int | None, editor: CurrentUser) -> CourseDoc:
    """The draft (its owners and program admins) or a version (any instructor or program admin) to copy or export."""
    if version is None:
        return await catalog.load_draft(conn, code, editor=editor)
    content = await publish_queries.version_content(conn, code=code, version=version)
    if content is None:
        raise NotFound(
            N_("no version %(version)s of %(code)s"), params={"version": version, "code": code}, field="version"
        )
    return msgspec.convert(content, CourseDoc)


def _media_ids(doc: CourseDoc) -> list[UUID]:
    ids = []
    for module in doc.modules:
        for activity in module.activities:
            if isinstance(activity, Lesson):
                for ref in activity.media:
                    for value in (ref.file, *ref.captions.values()):
                        try:
                            ids.append(UUID(value))
                        except ValueError:
                            continue  # a path from a course folder: not in the library, nothing to copy
    return ids


def _renamed(doc: CourseDoc, new_code: str, ids: dict[str, str]) -> CourseDoc:
    raw = msgspec.to_builtins(doc)
    raw["code"] = new_code
    raw["approvals"] = []
    for module in raw["modules"]:
        for activity in module["activities"]:
            for ref in activity.get("media") or []:
                ref["file"] = ids.get(ref["file"], ref["file"])
                ref["captions"] = {lang: ids.get(v, v) for lang, v in (ref.get("captions") or {}).items()}
    return msgspec.convert(raw, CourseDoc)


async def copy_to_new_course(
    conn: asyncpg.Connection, storage: Storage, *, code: str, version: int | None, new_code: str, editor: CurrentUser
) -> CourseDoc:
    new_code = new_code.strip().upper()
    if not CODE.match(new_code):
        raise Invalid(
            N_("The new course code needs 3 to 32 capital letters, digits and dashes, such as MA-VS-201."),
            field="new_code",
        )
    source = await source_doc(conn, code=code, version=version, editor=editor)
    if await publish_queries.course_exists(conn, code=new_code):
        raise Conflict(N_("A course with this code already exists: choose another code."), field="new_code")
    stored = await media_queries.draft_media(conn, code=code, ids=_media_ids(source))
    new_ids = {str(row.id): str(uuid4()) for row in stored}
    doc = _renamed(source, new_code, new_ids)
    await catalog.save_draft(conn, doc, code=new_code, editor=editor)
    course_id = await publish_queries.course_id(conn, code=new_code)
    rows: list[dict[str, Any]] = []
    for row in stored:
        new_id = new_ids[str(row.id)]
        key = final_key(storage_key(new_code, new_id))
        await storage.copy(row.storage_key, key, row.content_type)
        rows.append(
            {
                "id": new_id,
                "course_id": str(course_id),
                "storage_key": key,
                "kind": row.kind,
                "content_type": row.content_type,
                "byte_size": row.byte_size,
                "filename": row.filename,
                "language": row.language,
                "video_id": new_ids.get(str(row.video_id)) if row.video_id else None,
                "sha256": None,
                "created_by": str(editor.id),
            }
        )
    if rows:
        await media_queries.insert_ready(conn, rows=rows)
    await record(
        conn,
        actor_id=editor.id,
        action="course.copied",
        subject=new_code,
        detail={"from": code, "version": version, "media": len(rows)},
    )
    return doc


async def copy_into_draft(conn: asyncpg.Connection, *, code: str, version: int, editor: CurrentUser) -> CourseDoc:
    """Start this course's draft again from one of its versions (what the draft held is replaced)."""
    await catalog.load_draft(conn, code, editor=editor)  # only its owners and program admins may
    doc = await source_doc(conn, code=code, version=version, editor=editor)
    await catalog.save_draft(conn, doc, code=code, editor=editor)
    await record(
        conn, actor_id=editor.id, action="course.draft_from_version", subject=code, detail={"version": version}
    )
    return doc
