"""Uploads straight to the store, the check before a file is attached, and deleting what no version uses."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID, uuid4

import asyncpg
from botocore.exceptions import ClientError

from lms.audit.queries import record
from lms.errors import NotFound, StoreUnavailable
from lms.i18n import N_
from lms.media import queries
from lms.media.schemas import (
    MediaOut,
    MultipartPlan,
    PartDone,
    PartUrl,
    PresignedPost,
    StoredMedia,
    UploadRequest,
    UploadTicket,
)
from lms.media.types import (
    MAX_BYTES,
    SINGLE_POST_MAX,
    SNIFF_BYTES,
    MediaConflict,
    MediaRefused,
    check_content,
    check_declared,
    check_no_embedded_markup,
    final_key,
    normalise_type,
    part_plan,
    safe_filename,
    storage_key,
)
from lms.media.webvtt import check_webvtt
from lms.storage import Storage

UPLOAD_SECONDS = 300  # a presigned POST must start within 5 minutes (and is useless once the file is checked)
PART_SECONDS = 12 * 3600  # a 2 GB video over a slow line takes a while


def _check_captions_fields(data: UploadRequest) -> None:
    if data.kind == "captions":
        if not data.language:
            raise MediaRefused(N_("Captions need the language of their text."), field="language")
        if data.video_id is None:
            raise MediaRefused(N_("Captions belong to a video: choose the video first."), field="video_id")
    elif data.language or data.video_id:
        raise MediaRefused(
            N_("Only captions have a language and a video."), field="language" if data.language else "video_id"
        )


async def request_upload(
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    code: str,
    data: UploadRequest,
    user_id: UUID,
    api_base: str,
    redirect: Callable[[UUID], str] | None = None,
) -> UploadTicket:
    """A pending media row and where to send the bytes: a presigned POST, or presigned parts for large files."""
    content_type = normalise_type(data.content_type, data.filename)
    check_declared(kind=data.kind, content_type=content_type, size=data.size)
    _check_captions_fields(data)
    context = await queries.upload_context(conn, code=code, video_id=data.video_id)
    if context is None:
        raise NotFound(N_("no course %(code)s"), params={"code": code})
    if data.video_id is not None and not context["video_found"]:
        raise MediaRefused(N_("This course has no such video."), field="video_id")
    media_id = uuid4()
    key = storage_key(code, media_id)
    multipart = redirect is None and (
        data.multipart or data.size > SINGLE_POST_MAX
    )  # a plain form posts the file whole
    if multipart:
        upload_id: str | None = await storage.start_multipart(key, content_type)
    else:
        upload_id = None
        if not await storage.ping():  # a clear 503 now, not a failed upload later
            raise StoreUnavailable()
    media = await queries.insert_pending(
        conn,
        media_id=media_id,
        course_id=context["course_id"],
        storage_key=key,
        kind=data.kind,
        content_type=content_type,
        byte_size=data.size,
        filename=safe_filename(data.filename, content_type),
        language=data.language,
        video_id=data.video_id,
        upload_id=upload_id,
        created_by=user_id,
    )
    complete_url = f"{api_base}/api/v1/courses/{code}/media/{media_id}/complete"
    if upload_id is not None:
        part_size, count = part_plan(data.size)
        parts = [
            PartUrl(part_number=n, url=storage.presigned_part(key, upload_id, n, expires=PART_SECONDS))
            for n in range(1, count + 1)
        ]
        return UploadTicket(
            media=media,
            method="multipart",
            post=None,
            multipart=MultipartPlan(part_size=part_size, parts=parts),
            complete_url=complete_url,
            expires_in=PART_SECONDS,
        )
    signed = storage.presigned_post(
        key, content_type, data.size, expires=UPLOAD_SECONDS, redirect=redirect(media_id) if redirect else None
    )
    return UploadTicket(
        media=media,
        method="post",
        post=PresignedPost(url=signed["url"], fields=signed["fields"]),
        multipart=None,
        complete_url=complete_url,
        expires_in=UPLOAD_SECONDS,
    )


async def complete_upload(
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    code: str,
    media_id: UUID,
    parts: list[PartDone],
    user_id: UUID,
) -> MediaOut:
    """Check what arrived (size by HEAD, type by first bytes, captions in full) and attach it; refuse and delete
    anything else. Safe to call again: a ready file is simply returned. Runs outside a request transaction, so a
    refusal's cleanup is kept while the error goes back."""
    media = await queries.get_stored(conn, code=code, media_id=media_id)
    if media is None:
        raise NotFound(N_("no such media in this course"), field="media_id")
    if media.status == "pending":
        if media.upload_id is not None:
            await _assemble(storage, media, parts)
        # Move the file out of the upload form's reach first, then check the copy: posting the form again (it stays
        # valid a few minutes) can then only write a file nobody serves, never replace the checked one.
        checked_key = final_key(media.storage_key)
        if await storage.head(media.storage_key) is not None:
            await storage.copy(media.storage_key, checked_key, media.content_type)
            await storage.delete(media.storage_key)
        head = await storage.head(checked_key)  # also there when an earlier call moved it and then failed
        if head is None:
            raise MediaConflict(
                N_("No file has arrived for this upload yet: send the file first, then finish the upload.")
            )
        size = int(head["ContentLength"])
        try:
            content_type = await _check_object(storage, media, checked_key, size)
        except MediaRefused as refused:
            await storage.delete(checked_key)
            async with conn.transaction():
                await queries.delete_pending(conn, media_id=media.id)
                await record(
                    conn,
                    actor_id=user_id,
                    action="media.refused",
                    subject=media.storage_key,
                    detail={"filename": media.filename, "declared": media.content_type, "reason": refused.detail},
                )
            raise
        async with conn.transaction():
            await queries.mark_ready(
                conn, media_id=media.id, content_type=content_type, byte_size=size, storage_key=checked_key
            )
            await record(
                conn,
                actor_id=user_id,
                action="media.uploaded",
                subject=media.storage_key,
                detail={"filename": media.filename, "kind": media.kind, "content_type": content_type, "bytes": size},
            )
    done = await queries.get_media(conn, code=code, media_id=media_id)
    if done is None:  # pragma: no cover - deleted between the two statements
        raise NotFound(N_("no such media in this course"), field="media_id")
    return done


async def _assemble(storage: Storage, media: StoredMedia, parts: list[PartDone]) -> None:
    if not parts:
        raise MediaRefused(N_("List every uploaded part with its ETag to finish a multipart upload."), field="parts")
    try:
        await storage.complete_multipart(
            media.storage_key, media.upload_id or "", [(p.part_number, p.etag) for p in parts]
        )
    except ClientError as exc:
        reason = exc.response.get("Error", {}).get("Code", "error")
        if reason == "NoSuchUpload" and await storage.head(media.storage_key) is not None:
            return  # finished by an earlier call whose answer was lost
        raise MediaRefused(
            N_("The store could not put the parts together (%(reason)s): send every part again, then finish."),
            field="parts",
            reason=reason,
        ) from None


async def _check_object(storage: Storage, media: StoredMedia, key: str, size: int) -> str:
    if size > media.byte_size or size > MAX_BYTES[media.kind]:
        raise MediaRefused(
            N_("The file is larger (%(size)s bytes) than announced (%(declared)s bytes)."),
            size=size,
            declared=media.byte_size,
        )
    if media.kind == "captions":
        data = await storage.read(key)
    else:
        data = await storage.first_bytes(key, SNIFF_BYTES)
    content_type = check_content(media.content_type, data)
    if media.kind == "captions":
        check_webvtt(data)
    else:
        check_no_embedded_markup(
            media.kind, data, await storage.last_bytes(key, SNIFF_BYTES) if size > SNIFF_BYTES else b""
        )
    return content_type


async def delete_media(conn: asyncpg.Connection, storage: Storage, *, code: str, media_id: UUID, user_id: UUID) -> None:
    """Delete a file (a video with its captions) from the library and the store, unless a version shows it.
    Runs in the request's transaction: when the store cannot be reached, the rows stay."""
    result = await queries.delete_unused(conn, code=code, media_id=media_id)
    if not result["found"]:
        raise NotFound(N_("no such media in this course"), field="media_id")
    if result["versions"]:
        versions = ", ".join(str(v) for v in result["versions"])
        raise MediaConflict(
            N_("Published version(s) %(versions)s of this course show this file, so it stays as long as they exist."),
            field="media_id",
            extra={"versions": result["versions"]},
            versions=versions,
        )
    for row in result["removed"]:
        if row["upload_id"]:
            await storage.abort_multipart(row["storage_key"], row["upload_id"])
        await storage.delete(row["storage_key"])
    await record(
        conn,
        actor_id=user_id,
        action="media.deleted",
        subject=storage_key(code, media_id),
        detail={"files": [r["filename"] for r in result["removed"]]},
    )
