"""HTML: copy a course or version into a new course or into the draft, export a draft or version as a course folder
(zip), and import one as a new course or as a course's draft."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from lms import clinic_time
from lms.accounts.auth import STAFF, require_role
from lms.authoring.copying import copy_into_draft, copy_to_new_course
from lms.authoring.folder_service import CourseFolderError, Problem, export_zip, import_zip
from lms.authoring.folders import export_name
from lms.catalog import queries as catalog_queries
from lms.catalog.authoring_pages import Code
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import DomainError, Forbidden, Invalid, NotFound
from lms.i18n import N_, request_language
from lms.schemas import Form, VersionInQuery
from lms.web import page


class CopyForm(Form):
    source: str = "draft"  # "draft" or a version number
    target: str = "new"  # "new" (a new course) or "draft" (this course's draft)
    new_code: str = ""


def _source_version(source: str) -> int | None:
    if source == "draft":
        return None
    if source.isdigit() and 0 < int(source) < 2**31:
        return int(source)
    raise Invalid(N_("Choose the draft or a version to copy."), field="source")


async def _copy_page(
    request: Request[Any, Any, Any],
    db: Any,
    user: Any,
    code: str,
    *,
    status: int = 200,
    error: str | None = None,
    problems: list[Problem] | None = None,
    new_code: str = "",
) -> Template:
    versions = await catalog_queries.list_versions(db, code=code)
    editable = await catalog_queries.may_edit(db, code=code, editor=user)
    if not versions and not editable:
        raise NotFound(N_("no course %(code)s to copy"), params={"code": code})
    return page(
        request,
        "authoring/copy.html.jinja2",
        status=status,
        code=code,
        versions=versions,
        editable=editable,
        error=error,
        problems=problems or [],
        new_code=new_code,
    )


async def _upload(request: Request[Any, Any, Any]) -> tuple[bytes, str]:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(N_("Choose a course folder zip file to import."), field="file")
    return await upload.read(), upload.filename


class CopyPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/{code:str}/copy", operation_id="page_author_copy")
    async def copy_form(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code) -> Template:
        return await _copy_page(request, db, user, code)

    @post("/{code:str}/copy", operation_id="page_author_copy_save")
    async def copy(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        code: Code,
        data: URLEncodedBody[CopyForm],
    ) -> Redirect | Template:
        try:
            version = _source_version(data.source)
            if data.target == "draft":
                if version is None:
                    raise Invalid(N_("Choose a version to start the draft from."), field="source")
                await copy_into_draft(tx, code=code, version=version, editor=user)
                return Redirect(f"/author/{code}?saved=true", status_code=303)
            doc = await copy_to_new_course(
                tx, storage, code=code, version=version, new_code=data.new_code[:40], editor=user
            )
        except DomainError as exc:
            if isinstance(exc, NotFound | Forbidden):
                raise
            return await _copy_page(
                request,
                tx,
                user,
                code,
                status=exc.status,
                new_code=data.new_code[:40],
                error=exc.localize(request_language(request)).detail,
            )
        return Redirect(f"/author/{doc.code}?saved=true", status_code=303)

    @get("/{code:str}/export", operation_id="page_author_export")
    async def export(self, tx: Tx, user: User, code: Code, version: VersionInQuery = None) -> Response[bytes]:
        """The draft (no version) or a version as a course folder in a zip."""
        data = await export_zip(tx, code=code, version=version, editor=user)
        return Response(
            data,
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="{export_name(code, version, clinic_time.today())}"'
            },
        )

    @post("/{code:str}/import", operation_id="page_author_import_draft")
    async def import_draft(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code
    ) -> Redirect | Template:
        """A course folder (zip) replaces this course's draft, whole or not at all."""
        try:
            data, filename = await _upload(request)
            await import_zip(tx, data=data, filename=filename, code=code, editor=user)
        except CourseFolderError as exc:
            return await _copy_page(request, tx, user, code, status=400, problems=exc.problems)
        except Invalid as exc:
            return await _copy_page(
                request, tx, user, code, status=400, error=exc.localize(request_language(request)).detail
            )
        return Redirect(f"/author/{code}?saved=true", status_code=303)

    @get("/import", operation_id="page_author_import")
    async def import_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "authoring/import.html.jinja2", error=None, problems=[])

    @post("/import", operation_id="page_author_import_new")
    async def import_new(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Redirect | Template:
        """A course folder (zip) becomes a new course, its importer an owner."""
        try:
            data, filename = await _upload(request)
            doc = await import_zip(tx, data=data, filename=filename, code=None, editor=user)
        except CourseFolderError as exc:
            return page(request, "authoring/import.html.jinja2", status=400, error=None, problems=exc.problems)
        except Invalid as exc:
            return page(
                request,
                "authoring/import.html.jinja2",
                status=400,
                problems=[],
                error=exc.localize(request_language(request)).detail,
            )
        return Redirect(f"/author/{doc.code}?saved=true", status_code=303)
