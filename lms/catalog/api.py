"""JSON: the public catalogue, and authoring (translation status, publishing, retiring) for instructors; the draft
itself is read and replaced in lms.authoring.api."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from lms.accounts.auth import STAFF, require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.catalog import queries, service
from lms.catalog.language import content_language, pick
from lms.catalog.schemas import CourseSummary, Published, RetireRequest, TranslationStatus, VersionDetail, VersionOut
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.media.delivery import lesson_media
from lms.media.schemas import LessonMedia
from lms.schemas import VersionInPath, VersionInQuery

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
ActivityKey = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Version = Annotated[int, PathParameter(ge=1, le=1_000_000)]
Lang = Annotated[str, QueryParameter(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class CatalogController(Controller):
    path = "/api/v1/courses"
    tags = ["catalog"]

    @get("/", operation_id="courses_list")
    async def list_courses(
        self,
        db: Db,
        lang: Lang = "en",
        track: Annotated[str | None, QueryParameter(pattern="^(MA|DA|CHW|EHR|CE)$")] = None,
    ) -> list[CourseSummary]:
        out = []
        for row in await queries.catalogue(db, track=track):
            title, used = pick(row["title"], lang, row["languages"])
            summary, _ = pick(row["summary"], used, row["languages"])
            out.append(
                CourseSummary(
                    code=row["code"],
                    track=row["track"],
                    title=title,
                    summary=summary,
                    languages=row["languages"],
                    language=used,
                    fallback=used.split("-")[0] != lang.split("-")[0],
                    contact_minutes=row["total_minutes"],
                    version=row["version"],
                )
            )
        return out

    @get("/{code:str}", operation_id="courses_get")
    async def get_course(self, db: Db, code: Code, version: VersionInQuery = None) -> VersionDetail:
        found = await queries.version_detail(db, code=code, version=version)
        if found is None:
            if version:
                raise NotFound(
                    N_("no published course %(code)s version %(version)s"), params={"code": code, "version": version}
                )
            raise NotFound(N_("no published course %(code)s"), params={"code": code})
        return found

    @get("/{code:str}/versions", operation_id="courses_versions", guards=[require_role(*STAFF)])
    async def versions(self, db: Db, code: Code) -> list[VersionOut]:
        return await queries.list_versions(db, code=code)


class AuthoringController(Controller):
    path = "/api/v1/authoring/courses"
    tags = ["authoring"]
    guards = [require_role(*STAFF)]

    @get("/{code:str}/translations", operation_id="authoring_translations")
    async def translations(self, db: Db, user: User, code: Code) -> TranslationStatus:
        doc = await service.load_draft(db, code, editor=user)
        return service.translation_status(doc, await service.image_refs(db, doc))

    @post("/{code:str}/publish", operation_id="authoring_publish")
    async def publish(self, tx: Tx, user: User, code: Code) -> Published:
        return await service.publish_draft(tx, code=code, editor=user)

    @post("/{code:str}/versions/{version:int}/retire", operation_id="authoring_retire", status_code=204)
    async def retire(
        self, tx: Tx, user: User, code: Code, version: VersionInPath, data: JSONBody[RetireRequest]
    ) -> None:
        await service.retire(tx, code=code, version=version, editor=user, reason=data.reason)


class LessonMediaController(Controller):
    path = "/api/v1/courses/{code:str}/versions/{version:int}/activities/{key:str}/media"
    tags = ["media"]
    guards = [require_login]

    @get("/", operation_id="lesson_media_get")
    async def lesson(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        storage: StorageDep,
        user: User,
        code: Code,
        version: Version,
        key: ActivityKey,
    ) -> LessonMedia:
        """Short-lived URLs for a lesson's video, audio, images and PDFs, with caption tracks (Range requests work)."""
        activity = await queries.activity_page(db, code=code, version=version, key=key)
        if activity is None:
            raise NotFound(
                N_("no activity %(key)s in %(code)s version %(version)s"),
                params={"key": key, "code": code, "version": version},
            )
        language = content_language(request_language(request), activity.languages)
        return await lesson_media(
            db, storage, user=user, version_id=activity.version_id, learner=activity.learner, language=language
        )
