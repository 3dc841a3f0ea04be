"""Short-lived presigned GET URLs for a lesson's media, only for people who may see the lesson; and turning a draft's
media references into what a published lesson stores."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import UUID

import asyncpg
from babel import Locale, UnknownLocaleError
from botocore.exceptions import BotoCoreError

from lms.accounts.schemas import CurrentUser
from lms.catalog.content import CourseDoc, Lesson
from lms.errors import Invalid
from lms.i18n import base_language
from lms.media import queries
from lms.media.schemas import CaptionTrack, LessonMedia, MediaOut, PlayableMedia, StoredMedia
from lms.storage import Storage

URL_SECONDS = 3 * 3600   # long enough to watch and seek through a lesson in one sitting; short enough not to share
INLINE_KINDS = {"video", "audio", "image", "captions"}   # everything else downloads, never renders as a page


@lru_cache(maxsize=256)
def language_label(tag: str) -> str:
    """A caption track's label in its own language ("Español", "English", "Tiếng Việt")."""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(Locale.parse(tag, sep="-"))
    except (ValueError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def sign_url(storage: Storage, *, key: str, kind: str, content_type: str, filename: str, expires: int = URL_SECONDS) -> str:
    """A GET URL that forces the checked type, and makes anything that does not play a download."""
    served = "text/vtt; charset=utf-8" if kind == "captions" else content_type
    return storage.presigned_get(key, served, filename, expires=expires, inline=kind in INLINE_KINDS)


def sign(storage: Storage, row: StoredMedia) -> str:
    return sign_url(storage, key=row.storage_key, kind=row.kind, content_type=row.content_type, filename=row.filename)


def preview_url(storage: Storage, media: MediaOut, key: str, expires: int = 900) -> str:
    """For the library page: staff open a file they uploaded (same type and disposition rules as learners)."""
    return sign_url(storage, key=key, kind=media.kind, content_type=media.content_type, filename=media.filename,
                    expires=expires)


def _ids(refs: list[dict[str, Any]]) -> list[UUID]:
    out = []
    for ref in refs:
        out.append(UUID(str(ref["id"])))
        out.extend(UUID(str(c["id"])) for c in ref.get("captions", []))
    return out


def visitor_media(learner: dict[str, Any]) -> LessonMedia:
    """What a lesson shows of its media to someone not signed in: that there is some, and to sign in (no query)."""
    return LessonMedia(status="sign_in" if learner.get("media") else "none", items=[], expires_in=0)


async def lesson_media(
    conn: asyncpg.Connection, storage: Storage, *, user: CurrentUser | None, version_id: UUID, learner: dict[str, Any],
    language: str,
) -> LessonMedia:
    """URLs for the media a published lesson shows (at most one query). Caption tracks in the learner's language
    are on by default."""
    refs = learner.get("media") or []
    if not refs or user is None:
        return visitor_media(learner)
    rows = {row.id: row for row in await queries.playable(conn, user_id=user.id, version_id=version_id, ids=_ids(refs))}
    if not rows:
        return LessonMedia(status="denied", items=[], expires_in=0)
    return _signed(storage, refs, rows, language)


async def draft_lesson_media(conn: asyncpg.Connection, storage: Storage, *, doc: CourseDoc, key: str, language: str) -> LessonMedia:
    """The media a draft lesson names, signed as a learner would get them once published (for the author's preview).
    A reference that is not a ready file yet shows as unavailable rather than failing the preview."""
    try:
        refs = (await lesson_media_for_draft(conn, doc)).get(key, [])
    except Invalid:
        return LessonMedia(status="unavailable", items=[], expires_in=0)
    if not refs:
        return LessonMedia(status="none", items=[], expires_in=0)
    rows = {row.id: row for row in await queries.draft_media(conn, code=doc.code, ids=_ids(refs))}
    return _signed(storage, refs, rows, language)


def _signed(storage: Storage, refs: list[dict[str, Any]], rows: dict[UUID, StoredMedia], language: str) -> LessonMedia:
    items = []
    try:
        for ref in refs:
            row = rows.get(UUID(str(ref["id"])))
            if row is None:
                continue
            captions = [rows[UUID(str(c["id"]))] for c in ref.get("captions", []) if UUID(str(c["id"])) in rows]
            default = next((c.id for c in captions if c.language == language), None) or next(
                (c.id for c in captions if base_language(c.language or "") == base_language(language)), None)
            items.append(PlayableMedia(
                id=row.id, kind=row.kind, content_type=row.content_type, filename=row.filename, byte_size=row.byte_size,
                url=sign(storage, row), alt=ref.get("alt") or {},
                captions=[CaptionTrack(id=c.id, language=c.language or "", label=language_label(c.language or ""),
                                       url=sign(storage, c), default=c.id == default) for c in captions],
            ))
    except BotoCoreError:  # signing is local; only missing credentials make it fail
        return LessonMedia(status="unavailable", items=[], expires_in=0)
    return LessonMedia(status="ok", items=items, expires_in=URL_SECONDS)


def learner_entry(video_or_file: StoredMedia, captions: list[StoredMedia], alt: dict[str, str] | None = None) -> dict[str, Any]:
    """What a published lesson stores for one file: ids (types, names and keys are read when it is shown), and an
    image's text alternative in each language."""
    entry: dict[str, Any] = {"id": str(video_or_file.id), "kind": video_or_file.kind}
    if video_or_file.kind == "video":
        entry["captions"] = [{"id": str(c.id), "language": c.language} for c in captions]
    if video_or_file.kind == "image":
        entry["alt"] = dict(alt or {})
    return entry


def missing_alt(alt: dict[str, str], languages: list[str]) -> list[str]:
    """The course languages an image has no text alternative in (a screen reader would read its file name)."""
    return [lang for lang in languages if not alt.get(lang, "").strip()]


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def lesson_media_for_draft(conn: asyncpg.Connection, doc: CourseDoc) -> dict[str, list[dict[str, Any]]]:
    """For publishing a draft edited in the browser or through the API: each lesson's ``media`` names uploaded files
    of this course by id (``file``: a media id, ``captions``: language -> caption id, or empty for the video's current
    captions). One query; a reference that is not a ready file of this course is refused naming its place."""
    places: list[tuple[str, str, UUID | None, dict[str, UUID | None], dict[str, str]]] = []
    for m, module in enumerate(doc.modules):
        for a, activity in enumerate(module.activities):
            if not isinstance(activity, Lesson):
                continue
            for i, ref in enumerate(activity.media):
                where = f"modules[{m}].activities[{a}].media[{i}]"
                places.append((activity.key, where, _as_uuid(ref.file), {lang: _as_uuid(v) for lang, v in ref.captions.items()},
                               ref.alt))
    if not places:
        return {}
    wanted = [u for _, _, file_id, caps, _ in places for u in (file_id, *caps.values()) if u is not None]
    found = {row.id: row for row in await queries.draft_media(conn, code=doc.code, ids=wanted)}
    out: dict[str, list[dict[str, Any]]] = {}
    for key, where, file_id, caps, alt in places:
        row = found.get(file_id) if file_id else None
        if row is None or row.kind == "captions":
            raise Invalid(f"{where}.file: not a ready media file of {doc.code} (give the id of an uploaded file)", field=f"{where}.file")
        if row.kind == "image" and (missing := missing_alt(alt, doc.languages)):
            raise Invalid(f"{where}.alt: the image {row.filename} needs a text for people who cannot see it, in "
                          f"{', '.join(missing)}", field=f"{where}.alt")
        if caps:
            captions = []
            for lang, caption_id in caps.items():
                caption = found.get(caption_id) if caption_id else None
                if caption is None or caption.kind != "captions" or caption.video_id != row.id:
                    raise Invalid(f"{where}.captions.{lang}: not a ready caption file of this video", field=f"{where}.captions.{lang}")
                captions.append(caption)
        else:
            captions = [c for c in found.values() if c.kind == "captions" and c.video_id == row.id]
        out.setdefault(key, []).append(learner_entry(row, captions, alt))
    return out
