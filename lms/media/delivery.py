"""Short-lived presigned GET URLs for a lesson's media, only for people who may see the lesson, and the entry a
published lesson stores for each of its files."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from uuid import UUID

import asyncpg
from babel import Locale, UnknownLocaleError
from botocore.exceptions import BotoCoreError

from lms.accounts.schemas import CurrentUser
from lms.i18n import base_language
from lms.media import queries
from lms.media.schemas import CaptionTrack, LessonMedia, MediaOut, PlayableMedia, StoredMedia
from lms.storage import Storage

URL_SECONDS = 3 * 3600  # long enough to watch and seek through a lesson in one sitting; short enough not to share
INLINE_KINDS = {"video", "audio", "image", "captions"}  # everything else downloads, never renders as a page


@lru_cache(maxsize=256)
def language_label(tag: str) -> str:
    """A caption track's label in its own language ("Español", "English", "Tiếng Việt")."""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(Locale.parse(tag, sep="-"))
    except (ValueError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def sign_url(
    storage: Storage, *, key: str, kind: str, content_type: str, filename: str, expires: int = URL_SECONDS
) -> str:
    """A GET URL that forces the checked type, and makes anything that does not play a download."""
    served = "text/vtt; charset=utf-8" if kind == "captions" else content_type
    return storage.presigned_get(key, served, filename, expires=expires, inline=kind in INLINE_KINDS)


def sign(storage: Storage, row: StoredMedia) -> str:
    return sign_url(storage, key=row.storage_key, kind=row.kind, content_type=row.content_type, filename=row.filename)


def preview_url(storage: Storage, media: MediaOut, key: str, expires: int = 900) -> str:
    """For the library page: staff open a file they uploaded (same type and disposition rules as learners)."""
    return sign_url(
        storage, key=key, kind=media.kind, content_type=media.content_type, filename=media.filename, expires=expires
    )


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
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    user: CurrentUser | None,
    version_id: UUID,
    learner: dict[str, Any],
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


async def signed_draft_media(
    conn: asyncpg.Connection, storage: Storage, *, code: str, refs: list[dict[str, Any]], language: str
) -> LessonMedia:
    """A draft lesson's media entries (lms.catalog.service.draft_lesson_media) signed as a learner would get them."""
    if not refs:
        return LessonMedia(status="none", items=[], expires_in=0)
    rows = {row.id: row for row in await queries.draft_media(conn, code=code, ids=_ids(refs))}
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
                (c.id for c in captions if base_language(c.language or "") == base_language(language)), None
            )
            items.append(
                PlayableMedia(
                    id=row.id,
                    kind=row.kind,
                    content_type=row.content_type,
                    filename=row.filename,
                    byte_size=row.byte_size,
                    url=sign(storage, row),
                    alt=ref.get("alt") or {},
                    captions=[
                        CaptionTrack(
                            id=c.id,
                            language=c.language or "",
                            label=language_label(c.language or ""),
                            url=sign(storage, c),
                            default=c.id == default,
                        )
                        for c in captions
                    ],
                )
            )
    except BotoCoreError:  # signing is local; only missing credentials make it fail
        return LessonMedia(status="unavailable", items=[], expires_in=0)
    return LessonMedia(status="ok", items=items, expires_in=URL_SECONDS)


def learner_entry(
    video_or_file: StoredMedia, captions: list[StoredMedia], alt: dict[str, str] | None = None
) -> dict[str, Any]:
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
