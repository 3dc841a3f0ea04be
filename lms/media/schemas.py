from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from lms.schemas import Form, Request, Response

Kind = Literal["video", "audio", "image", "pdf", "captions"]
LanguageTag = Annotated[str, msgspec.Meta(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
ETag = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class UploadRequest(Request):
    filename: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    size: Annotated[int, msgspec.Meta(ge=1, le=2 * 1024**3)]
    kind: Kind
    content_type: Annotated[str, msgspec.Meta(max_length=200)] = ""  # empty: guessed from the file name, checked later
    language: LanguageTag | None = None  # captions: the language of the text
    video_id: UUID | None = None  # captions: the video they belong to
    multipart: bool = False  # ask for a multipart upload (always used for video over 100 MB)


class PartDone(Request):
    part_number: Annotated[int, msgspec.Meta(ge=1, le=10000)]
    etag: ETag


class CompleteRequest(Request):
    parts: list[PartDone] = []  # multipart uploads: every part's number and the ETag the store answered


class MediaOut(Response):
    id: UUID
    course_code: str
    kind: str
    content_type: str
    byte_size: int
    filename: str
    language: str | None
    video_id: UUID | None
    status: str
    created_at: datetime
    created_by: UUID | None
    replaced: bool
    versions: list[int]  # published versions that show this file: it cannot be deleted while any exists


class PresignedPost(Response):
    url: str
    fields: dict[str, str]


class PartUrl(Response):
    part_number: int
    url: str


class MultipartPlan(Response):
    part_size: int
    parts: list[PartUrl]


class UploadTicket(Response):
    """Send the bytes straight to the store (``post`` as multipart/form-data, file last; or each part by PUT), then
    call ``complete_url``."""

    media: MediaOut
    method: Literal["post", "multipart"]
    post: PresignedPost | None
    multipart: MultipartPlan | None
    complete_url: str
    expires_in: int


class CaptionTrack(Response):
    id: UUID
    language: str
    label: str
    url: str
    default: bool


class PlayableMedia(Response):
    id: UUID
    kind: str
    content_type: str
    filename: str
    byte_size: int
    url: str
    captions: list[CaptionTrack]
    alt: dict[str, str] = {}  # an image's text alternative per language


class LessonMedia(Response):
    """What a lesson shows: ``status`` says why there are no URLs (sign in, no access, store unavailable)."""

    status: Literal["ok", "none", "sign_in", "denied", "unavailable"]
    items: list[PlayableMedia]
    expires_in: int


class StoredMedia(msgspec.Struct, kw_only=True, frozen=True):
    """A row as the service needs it (the storage key never leaves the server)."""

    id: UUID
    course_id: UUID
    storage_key: str
    kind: str
    content_type: str
    byte_size: int
    filename: str
    language: str | None
    video_id: UUID | None
    status: str
    upload_id: str | None


class GcReport(Response):
    abandoned: list[dict[str, Any]]
    unused: list[dict[str, Any]]
    stray_keys: list[str]


class UploadForm(Form):
    kind: str = ""
    file: str = ""  # without JavaScript a browser sends only the file's name here
    language: str = ""
    video_id: str = ""


class CourseHeading(Response):
    title: dict[str, str]
    languages: list[str]
