"""Publishing course folders: `lms courses publish` and the first start's catalogue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID

import asyncpg
import msgspec

from lms.catalog.content import CourseDoc, Lesson
from lms.catalog.course_file import CourseFolderError, media_files, read_course_folder
from lms.catalog.schemas import Published
from lms.catalog.service import publish
from lms.media.folder_upload import upload_folder_media
from lms.settings import Settings

# Other features prepare what a course folder names for them, inside the publishing transaction (packages: its zips
# imported and named by id). The catalogue knows none of them: lms.packages.folder.register() adds its step.
FolderStep = Callable[[asyncpg.Connection, Settings | None, Path, CourseDoc], Awaitable[CourseDoc]]
before_publish: list[FolderStep] = []


def course_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "course.yaml").exists()) if root.is_dir() else []


async def publish_folder(
    conn: asyncpg.Connection, folder: Path, *, actor_id: UUID | None = None, settings: Settings | None = None
) -> Published:
    doc = read_course_folder(folder)
    media = None
    if media_files(doc):
        if settings is None:
            raise ValueError("settings are needed to upload a course folder's media")
        lessons = [a for m in doc.modules for a in m.activities if isinstance(a, Lesson) and a.media]
        media = await upload_folder_media(
            conn,
            settings,
            folder,
            code=doc.code,
            track=doc.track,
            draft=msgspec.to_builtins(doc),
            lessons=lessons,
            languages=doc.languages,
        )
    async with conn.transaction():
        for step in before_publish:
            doc = await step(conn, settings, folder, doc)
        return await publish(conn, doc, actor_id=actor_id, media=media)


async def publish_catalogue(conn: asyncpg.Connection, settings: Settings, say: Callable[[str], None] = print) -> int:
    count = 0
    for folder in course_folders(settings.courses_dir):
        try:
            done = await publish_folder(conn, folder, settings=settings)
        except CourseFolderError as exc:
            say(f"Skipped {folder.name}: {len(exc.problems)} problem(s); run `lms courses validate {folder}`")
            continue
        say(f"  {done.code} v{done.version}")
        count += 1
    return count
