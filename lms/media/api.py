"""JSON: a course's media library (staff), direct uploads to the store, and a lesson's playable media (learners)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath, JSONBody, PathParameter

from lms.accounts.auth import STAFF, require_role
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import NotFound
from lms.i18n import N_
from lms.media import queries, service
from lms.media.guards import require_course_editor
from lms.media.schemas import CompleteRequest, MediaOut, UploadRequest, UploadTicket
from lms.media.types import LocalizedError, localized_error_handler

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
HANDLERS: dict[Any, Any] = {LocalizedError: localized_error_handler}


def base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


class MediaController(Controller):
    path = "/api/v1/courses/{code:str}/media"
    tags = ["media"]
    guards = [require_role(*STAFF)]
    exception_handlers = HANDLERS

    @get("/", operation_id="media_list")
    async def list_media(self, db: Db, code: Code) -> list[MediaOut]:
        return await queries.list_media(db, code=code)

    @get("/{media_id:uuid}", operation_id="media_get")
    async def get_media(self, db: Db, code: Code, media_id: FromPath[UUID]) -> MediaOut:
        found = await queries.get_media(db, code=code, media_id=media_id)
        if found is None:
            raise NotFound(N_("no such media in this course"), field="media_id")
        return found

    @post("/uploads", operation_id="media_upload_create", guards=[require_course_editor], status_code=201)
    async def create_upload(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        code: Code,
        data: JSONBody[UploadRequest],
    ) -> UploadTicket:
        """Where to send the file: a presigned POST (multipart/form-data, ``file`` last) or, for files over 100 MB
        or when ``multipart`` is asked, presigned part URLs (PUT each part, keep each ETag). Then call complete."""
        return await service.request_upload(
            tx, storage, code=code, data=data, user_id=user.id, api_base=base_url(request)
        )

    @post(
        "/{media_id:uuid}/complete",
        operation_id="media_upload_complete",
        guards=[require_course_editor],
        status_code=200,
    )
    async def complete_upload(
        self,
        db: Db,
        storage: StorageDep,
        user: User,
        code: Code,
        media_id: FromPath[UUID],
        data: JSONBody[CompleteRequest | None] = None,
    ) -> MediaOut:
        """Check the file that arrived (size, real type from its first bytes, captions in full) and attach it. A file
        that is not what was declared, or not allowed, is deleted and refused with 400."""
        return await service.complete_upload(
            db, storage, code=code, media_id=media_id, parts=data.parts if data else [], user_id=user.id
        )

    @delete("/{media_id:uuid}", operation_id="media_delete", guards=[require_course_editor], status_code=204)
    async def delete_media(self, tx: Tx, storage: StorageDep, user: User, code: Code, media_id: FromPath[UUID]) -> None:
        """Delete a file (a video with its captions) that no version shows; 409 names the versions that do."""
        await service.delete_media(tx, storage, code=code, media_id=media_id, user_id=user.id)
