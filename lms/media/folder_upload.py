"""`lms courses publish`: the media files a course folder references go to the store, checked like browser uploads.

A file already uploaded from the folder (same bytes, same place) is reused, so publishing version 5 does not upload
the same video a fifth time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import anyio
import asyncpg
import msgspec

from lms.errors import Invalid
from lms.i18n import N_, Text
from lms.media import queries
from lms.media.delivery import learner_entry, missing_alt
from lms.media.schemas import StoredMedia
from lms.media.types import (
    ACCEPTED_TEXT,
    ALLOWED,
    KIND_PLURAL,
    MAX_BYTES,
    SIZE_TEXT,
    SNIFF_BYTES,
    MediaRefused,
    check_content,
    normalise_type,
    safe_filename,
    storage_key,
)
from lms.media.webvtt import check_webvtt
from lms.settings import Settings
from lms.storage import Storage


def _digest_and_head(path: Path) -> tuple[str, bytes, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
        digest.update(head)
        size += len(head)
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), head, size


class _File(msgspec.Struct, kw_only=True):
    ref: str
    path: Path
    kind: str
    content_type: str
    size: int
    sha256: str
    language: str | None = None
    video_ref: str | None = None


async def _inspect(folder: Path, rel: str, *, captions_language: str | None = None) -> _File:
    path = (folder / rel).resolve()
    where = f"{folder.name}/{rel}"
    try:
        sha, head, size = await anyio.to_thread.run_sync(_digest_and_head, path)
    except OSError as exc:
        raise Invalid(
            N_("%(where)s: cannot read the file (%(strerror)s)"),
            params={"where": where, "strerror": exc.strerror},
            field=rel,
        ) from None
    declared = normalise_type("", rel)  # the name only says what to expect; the first bytes decide
    try:
        if declared not in ALLOWED:
            raise MediaRefused(
                N_("Files of type %(type)s are not accepted. %(accepted)s"),
                type=path.suffix or rel,
                accepted=Text(ACCEPTED_TEXT),
            )
        content_type = check_content(declared, head)
        kind = ALLOWED[content_type][0]
        if captions_language is None and kind == "captions":
            raise MediaRefused(N_("captions go under a video's `captions:`, not as a lesson's own file"))
        if captions_language is not None and kind != "captions":
            raise MediaRefused(N_("a video's `captions:` are WebVTT files (.vtt)"))
        if size == 0 or size > MAX_BYTES[kind]:
            raise MediaRefused(
                N_("This file is too large: %(kind)s may be at most %(limit)s."),
                kind=Text(KIND_PLURAL[kind]),
                limit=SIZE_TEXT[kind],
            )
        if kind == "captions":
            check_webvtt(await anyio.Path(path).read_bytes())
    except MediaRefused as exc:
        raise Invalid(
            N_("%(where)s: %(detail)s"), params={"where": where, "detail": exc.as_text()}, field=rel
        ) from None
    return _File(
        ref=rel, path=path, kind=kind, content_type=content_type, size=size, sha256=sha, language=captions_language
    )


async def upload_folder_media(
    conn: asyncpg.Connection,
    settings: Settings,
    folder: Path,
    *,
    code: str,
    track: str,
    draft: dict[str, Any],
    lessons: list[Any],
    languages: list[str],
) -> dict[str, list[dict[str, Any]]]:
    """Check and upload every file these lessons (lms.catalog.content.Lesson: ``key`` and ``media``) reference;
    answer each lesson's ``learner["media"]`` entries. ``code``, ``track`` and ``draft`` add the course when it is new."""
    files: dict[str, _File] = {}
    captions: dict[tuple[str, str], _File] = {}  # (video ref, language) -> file
    for lesson in lessons:
        for ref in lesson.media:
            if ref.file not in files:
                files[ref.file] = await _inspect(folder, ref.file)
            if ref.captions and files[ref.file].kind != "video":
                raise Invalid(
                    N_("%(name)s/%(file)s: only a video has captions"),
                    params={"name": folder.name, "file": ref.file},
                    field=ref.file,
                )
            if files[ref.file].kind == "image" and (missing := missing_alt(ref.alt, languages)):
                raise Invalid(
                    N_(
                        "%(name)s/course.yaml: lesson %(key)s, %(file)s: an image needs alt, a text for people who cannot see it, in %(missing)s"
                    ),
                    params={"name": folder.name, "key": lesson.key, "file": ref.file, "missing": ", ".join(missing)},
                    field=ref.file,
                )
            for lang, rel in ref.captions.items():
                if (ref.file, lang) not in captions:
                    caption = await _inspect(folder, rel, captions_language=lang)
                    caption.video_ref = ref.file
                    captions[(ref.file, lang)] = caption
    if not files:
        return {}
    storage = Storage(settings)
    course_id = await queries.ensure_course(conn, code=code, track=track, draft=draft)
    stored: dict[str, StoredMedia] = {}
    await _store(conn, storage, code, course_id, list(files.values()), {}, stored)
    await _store(
        conn,
        storage,
        code,
        course_id,
        list(captions.values()),
        {r: s.id for r, s in stored.items()},
        stored,
        caption_keys=True,
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for lesson in lessons:
        for ref in lesson.media:
            tracks = [stored[f"{ref.file}\n{lang}"] for lang in ref.captions]
            out.setdefault(lesson.key, []).append(learner_entry(stored[ref.file], tracks, ref.alt))
    return out


async def _store(
    conn: asyncpg.Connection,
    storage: Storage,
    code: str,
    course_id: UUID,
    files: list[_File],
    video_ids: dict[str, UUID],
    stored: dict[str, StoredMedia],
    *,
    caption_keys: bool = False,
) -> None:
    """Reuse what this course already has with the same bytes; upload and record the rest."""

    def ref_of(f: _File) -> str:
        return f"{f.video_ref}\n{f.language}" if caption_keys else f.ref

    if not files:
        return
    existing = await queries.find_by_sha256(
        conn,
        course_id=course_id,
        items=[
            {
                "ref": ref_of(f),
                "sha256": f.sha256,
                "kind": f.kind,
                "video_id": str(video_ids[f.video_ref]) if f.video_ref else None,
                "language": f.language,
            }
            for f in files
        ],
    )
    new_rows = []
    for f in files:
        media_id = existing.get(ref_of(f)) or uuid4()
        row = StoredMedia(
            id=media_id,
            course_id=course_id,
            storage_key=storage_key(code, media_id),
            kind=f.kind,
            content_type=f.content_type,
            byte_size=f.size,
            filename=safe_filename(f.path.name, f.content_type),
            language=f.language,
            video_id=video_ids[f.video_ref] if f.video_ref else None,
            status="ready",
            upload_id=None,
        )
        stored[ref_of(f)] = row
        if ref_of(f) in existing:
            continue
        await storage.upload_file(row.storage_key, str(f.path), f.content_type)
        new_rows.append({**msgspec.to_builtins(row), "sha256": f.sha256, "created_by": None})
    if new_rows:
        async with conn.transaction():
            await queries.insert_ready(conn, rows=new_rows)
