"""JSON: a course's imported packages (its owners and program admins), for scripts and authoring tools' pipelines."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, PathParameter

from lms.accounts.auth import STAFF, require_role
from lms.catalog.schemas import TranslationStatus
from lms.deps import Db, SettingsDep, StorageDep, Tx, User
from lms.errors import NotFound
from lms.i18n import N_
from lms.packages import importing, queries, service
from lms.packages.schemas import PackageOut
from lms.packages.upload import UPLOAD_CAP, read_upload
from lms.schemas import Request as RequestBody

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class AttachRequest(RequestBody):
    module: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    minutes: dict[Annotated[str, msgspec.Meta(max_length=2000)], Annotated[int, msgspec.Meta(ge=0, le=6000)]] = {}


class PackagesController(Controller):
    path = "/api/v1/courses/{code:str}/packages"
    tags = ["packages"]
    guards = [require_role(*STAFF)]

    @get("/", operation_id="packages_list")
    async def list_packages(self, db: Db, user: User, code: Code) -> list[PackageOut]:
        if await queries.editable_course(db, code=code, editor=user) is None:
            raise NotFound(N_("no course %(code)s that you may change"), params={"code": code})
        return await queries.course_packages(db, code=code)

    @post(
        "/", operation_id="packages_import", status_code=201, include_in_schema=False, request_max_body_size=UPLOAD_CAP
    )
    async def import_package(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        settings: SettingsDep,
        user: User,
        code: Code,
    ) -> PackageOut:
        """multipart/form-data: ``file`` (the zip) and ``language`` (the language of its content)."""
        fileobj, filename, fields = await read_upload(request, settings)
        return await importing.import_package(
            tx,
            storage,
            settings,
            code=code,
            editor=user,
            fileobj=fileobj,
            filename=filename,
            language=fields.get("language", ""),
        )

    @post("/{package_id:uuid}/activities", operation_id="packages_attach", status_code=200)
    async def attach(
        self, tx: Tx, user: User, code: Code, package_id: FromPath[UUID], data: JSONBody[AttachRequest]
    ) -> TranslationStatus:
        """Put the package's units into the draft: into ``module`` (a module key, or ``new``), with ``minutes`` per
        unit id; units another language's package already shows are attached to those activities."""
        return await service.attach_to_draft(
            tx, code=code, editor=user, package_id=package_id, module=data.module, minutes=data.minutes
        )
