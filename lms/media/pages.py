"""HTML for instructors: a course's media library with an upload form.

With JavaScript (lms/static/upload.js) the file goes straight to the store from this page and is checked at once.
Without it, the form still works in two steps: this page asks for the upload, the next page posts the file to the
store, and the store sends the browser back here (``success_action_redirect``), where the file is checked.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import NotFound, StoreUnavailable
from lms.i18n import N_, gettext_for, request_language
from lms.media import queries, service
from lms.media.api import base_url
from lms.media.delivery import preview_url
from lms.media.guards import require_course_editor
from lms.media.schemas import MediaOut, UploadForm, UploadRequest
from lms.media.types import ALLOWED, KINDS, MAX_BYTES, SINGLE_POST_MAX, LocalizedError, MediaRefused, normalise_type
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
KIND_NAMES = {
    "video": N_("Video"),
    "audio": N_("Audio"),
    "image": N_("Image"),
    "pdf": N_("PDF document"),
    "captions": N_("Captions"),
}
STORE_DOWN = N_(
    "The media store cannot be reached right now. Lesson text still works; try the upload again in a few minutes."
)
ACCEPT = ",".join([*ALLOWED, ".vtt", ".m4a", ".mp3"])


def human_size(count: int) -> str:
    size = float(count)
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


class MediaPages(Controller):
    path = "/author/{code:str}/media"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    async def _library(
        self,
        request: Request[Any, Any, Any],
        db: Any,
        storage: Any,
        code: str,
        *,
        status: int = 200,
        error: str | None = None,
        done: UUID | None = None,
        deleted: str | None = None,
    ) -> Template:
        doc = await queries.course_heading(db, code=code)
        if doc is None:
            raise NotFound(N_("no course %(code)s"), params={"code": code})
        media = await queries.list_media(db, code=code)
        captions: dict[UUID, list[MediaOut]] = {}
        for item in media:
            if item.kind == "captions" and item.video_id and not item.replaced:
                captions.setdefault(item.video_id, []).append(item)
        files = [m for m in media if m.kind != "captions"]
        keys = await queries.storage_keys(db, ids=[m.id for m in media if m.status == "ready"])
        previews = {m.id: preview_url(storage, m, keys[m.id]) for m in media if m.id in keys}
        return page(
            request,
            "media/library.html.jinja2",
            status=status,
            doc=doc,
            code=code,
            files=files,
            captions=captions,
            videos=[m for m in files if m.kind == "video" and m.status == "ready"],
            previews=previews,
            kind_names=KIND_NAMES,
            human_size=human_size,
            error=error,
            done=next((m for m in media if m.id == done), None),
            deleted=deleted,
            accept=ACCEPT,
            kinds=KINDS,
            max_sizes={k: human_size(v) for k, v in MAX_BYTES.items()},
            api=f"/api/v1/courses/{code}/media",
            multipart_from=SINGLE_POST_MAX,
        )

    def _message(self, request: Request[Any, Any, Any], exc: Exception) -> tuple[int, str]:
        """A refusal or an unreachable store, said on the library page in the instructor's language."""
        if isinstance(exc, LocalizedError):
            return exc.status, exc.localize(request_language(request)).detail
        return 503, gettext_for(request_language(request))(STORE_DOWN)

    @get("/", operation_id="page_media_library", guards=[require_course_editor])
    async def library(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        storage: StorageDep,
        code: Code,
        done: FromQuery[UUID | None] = None,
        deleted: FromQuery[str | None] = None,
    ) -> Template:
        return await self._library(request, db, storage, code, done=done, deleted=deleted)

    @post("/uploads", operation_id="page_media_upload", guards=[require_course_editor])
    async def upload(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        code: Code,
        data: URLEncodedBody[UploadForm],
    ) -> Template:
        """Without JavaScript: the browser sent only the file's name; the next page posts the file to the store."""
        try:
            ticket = await service.request_upload(
                tx,
                storage,
                code=code,
                data=_upload_request(data),
                user_id=user.id,
                api_base=base_url(request),
                redirect=lambda media_id: f"{base_url(request)}/author/{code}/media/{media_id}/uploaded",
            )
        except (LocalizedError, StoreUnavailable) as exc:
            status, message = self._message(request, exc)
            return await self._library(request, tx, storage, code, status=status, error=message)
        return page(request, "media/send.html.jinja2", code=code, ticket=ticket, accept=ACCEPT, kind_names=KIND_NAMES)

    @get("/{media_id:uuid}/uploaded", operation_id="page_media_uploaded", guards=[require_course_editor])
    async def uploaded(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        storage: StorageDep,
        user: User,
        code: Code,
        media_id: FromPath[UUID],
    ) -> Template | Redirect:
        """Where the store sends the browser after a plain form upload: check the file, then show the library."""
        try:
            await service.complete_upload(db, storage, code=code, media_id=media_id, parts=[], user_id=user.id)
        except (LocalizedError, StoreUnavailable) as exc:
            status, message = self._message(request, exc)
            return await self._library(request, db, storage, code, status=status, error=message)
        return Redirect(f"/author/{code}/media?done={media_id}", status_code=303)

    @post("/{media_id:uuid}/delete", operation_id="page_media_delete", guards=[require_course_editor])
    async def delete(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        code: Code,
        media_id: FromPath[UUID],
    ) -> Template | Redirect:
        found = await queries.get_media(tx, code=code, media_id=media_id)
        try:
            await service.delete_media(tx, storage, code=code, media_id=media_id, user_id=user.id)
        except (LocalizedError, StoreUnavailable) as exc:
            status, message = self._message(request, exc)
            return await self._library(request, tx, storage, code, status=status, error=message)
        return Redirect(f"/author/{code}/media?deleted={found.filename if found else ''}", status_code=303)


def _upload_request(form: UploadForm) -> UploadRequest:
    if form.kind not in KINDS:
        raise MediaRefused(N_("Choose what kind of file this is."), field="kind")
    if not form.file.strip():
        raise MediaRefused(N_("Choose a file."), field="file")
    try:
        video_id = UUID(form.video_id) if form.video_id else None
    except ValueError:
        raise MediaRefused(N_("This course has no such video."), field="video_id") from None
    is_captions = form.kind == "captions"
    try:
        return msgspec.convert(
            {
                "filename": form.file.strip()[-255:],
                "size": MAX_BYTES[form.kind],
                "kind": form.kind,
                "content_type": normalise_type("", form.file),
                "language": (form.language.strip() or None) if is_captions else None,
                "video_id": video_id if is_captions else None,
            },
            UploadRequest,
        )
    except msgspec.ValidationError:
        raise MediaRefused(
            N_("Give the captions' language as a short tag such as en, es or vi."), field="language"
        ) from None
