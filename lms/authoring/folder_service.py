"""Course folders through the web: export a draft or version as a zip, import a zip as a new course or as a course's
draft. An import is all or nothing: every problem is listed with its file and line, and nothing is saved."""

from __future__ import annotations

from uuid import UUID

import asyncpg
from litestar.concurrency import sync_to_thread

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.authoring import publish_queries
from lms.authoring.copying import source_doc
from lms.authoring.folders import ReadCourse, course_zip, read_course_zip
from lms.catalog import service as catalog
from lms.catalog.content import CourseDoc, MediaRef
from lms.catalog.course_file import CourseFolderError, Problem
from lms.media.queries import list_media


async def export_zip(conn: asyncpg.Connection, *, code: str, version: int | None, editor: CurrentUser) -> bytes:
    doc = await source_doc(conn, code=code, version=version, editor=editor)
    await record(conn, actor_id=editor.id, action="course.exported", subject=code, detail={"version": version})
    return course_zip(doc)


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def _media_checker(conn: asyncpg.Connection, code: str | None):
    """References must name ready files of this course's media library (a new course has none yet)."""
    library = {m.id: m for m in await list_media(conn, code=code) if m.status == "ready"} if code else {}

    def check(ref: MediaRef) -> str | None:
        file_id = _as_uuid(ref.file)
        found = library.get(file_id) if file_id else None
        if found is None or found.kind == "captions":
            return (
                f"media {ref.file!r} is not a file of this course's media library: upload it there first, then "
                "name it by its id"
            )
        for lang, caption in ref.captions.items():
            caption_id = _as_uuid(caption)
            track = library.get(caption_id) if caption_id else None
            if track is None or track.kind != "captions" or track.video_id != found.id:
                return f"captions {lang} {caption!r} are not captions of this video in the media library"
        return None

    return check


async def import_zip(
    conn: asyncpg.Connection, *, data: bytes, filename: str, code: str | None, editor: CurrentUser
) -> CourseDoc:
    """``code``: the course whose draft the folder replaces (its owners, program admins); None: a new course."""
    if code is not None:
        await catalog.load_draft(conn, code, editor=editor)  # 404 unless this person may change it
    check = await _media_checker(conn, code)
    read: ReadCourse = await sync_to_thread(read_course_zip, data, filename=filename, check_media=check)
    doc = read.doc
    if code is not None and doc.code != code:
        raise CourseFolderError(
            [
                read.at_code(
                    f"code {doc.code!r} is not this course's code {code!r}: import it as a new course, or change the code"
                )
            ]
        )
    if code is None and await publish_queries.course_exists(conn, code=doc.code):
        raise CourseFolderError(
            [read.at_code(f"a course {doc.code} already exists: import into it from its page, or change the code")]
        )
    await catalog.save_draft(conn, doc, code=doc.code, editor=editor)
    await record(
        conn,
        actor_id=editor.id,
        action="course.imported",
        subject=doc.code,
        detail={"into": "draft" if code else "new course"},
    )
    return doc


__all__ = ["CourseFolderError", "Problem", "export_zip", "import_zip"]
