"""HTML for instructors: drafts with every language side by side, translation status, preview, publish, retire."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.catalog import queries, service
from lms.catalog.authoring import apply_activity_form, apply_course_form, find_activity
from lms.catalog.content import kind_of, missing_translation_labels
from lms.catalog.language import KIND_NAMES, TRACK_NAMES
from lms.deps import Db, Tx, User
from lms.errors import DomainError, Invalid, NotFound
from lms.schemas import Form, VersionInPath, VersionInQuery
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class RetireForm(Form):
    reason: str = ""


class OwnerForm(Form):
    email: str = ""


async def _form(request: Request[Any, Any, Any]) -> tuple[dict[str, str], list[str]]:
    """The form's single fields, and the ids of the media files ticked for a lesson."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}, form.getall("media", [])


async def _attachable(db: Any, code: str) -> list[Any]:
    from lms.media.queries import list_media

    return [m for m in await list_media(db, code=code) if m.kind != "captions" and m.status == "ready"]


class AuthoringPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/", operation_id="page_author_home")
    async def home(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(request, "catalog/author_home.html.jinja2", courses=await queries.authoring_list(db, editor=user), track_names=TRACK_NAMES)

    @get("/{code:str}", operation_id="page_author_course")
    async def course(
        self, request: Request[Any, Any, Any], db: Db, user: User, code: Code,
        published: VersionInQuery = None, saved: FromQuery[bool] = False,
    ) -> Template:
        doc = await service.load_draft(db, code, editor=user)
        versions = await queries.list_versions(db, code=code)
        return page(request, "catalog/author_course.html.jinja2", doc=doc, translation=service.translation_status(doc),
                    missing_labels=missing_translation_labels(doc), versions=versions, published=published, saved=saved, kind_names=KIND_NAMES, kind_of=kind_of, error=None)

    @post("/{code:str}", operation_id="page_author_course_save")
    async def save_course(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code) -> Redirect | Template:
        doc = await service.load_draft(tx, code, editor=user)
        try:
            updated = apply_course_form(doc, (await _form(request))[0])
            await service.save_draft(tx, updated, code=code, editor=user)
        except Invalid as exc:
            versions = await queries.list_versions(tx, code=code)
            return page(request, "catalog/author_course.html.jinja2", status=400, doc=doc, versions=versions,
                        published=None, saved=False, kind_names=KIND_NAMES, kind_of=kind_of, error=exc.detail, translation=service.translation_status(doc),
                        missing_labels=missing_translation_labels(doc))
        return Redirect(f"/author/{code}?saved=true", status_code=303)

    @get("/{code:str}/activities/{key:str}", operation_id="page_author_activity")
    async def activity(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code, key: FromPath[str]) -> Template:
        doc = await service.load_draft(db, code, editor=user)
        m, a = find_activity(doc, key)
        return page(request, "catalog/author_activity.html.jinja2", doc=doc, module=doc.modules[m],
                    activity=doc.modules[m].activities[a], kind_names=KIND_NAMES, kind_of=kind_of, error=None,
                    library=await _attachable(db, code))

    @post("/{code:str}/activities/{key:str}", operation_id="page_author_activity_save")
    async def save_activity(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, key: FromPath[str]) -> Redirect | Template:
        doc = await service.load_draft(tx, code, editor=user)
        try:
            fields, media_ids = await _form(request)
            updated = apply_activity_form(doc, key, fields, media_ids=media_ids)
            await service.save_draft(tx, updated, code=code, editor=user)
        except Invalid as exc:
            m, a = find_activity(doc, key)
            return page(request, "catalog/author_activity.html.jinja2", status=400, doc=doc, module=doc.modules[m],
                        activity=doc.modules[m].activities[a], kind_names=KIND_NAMES, kind_of=kind_of, error=exc.detail,
                        library=await _attachable(tx, code))
        return Redirect(f"/author/{code}?saved=true#{key}", status_code=303)

    @post("/{code:str}/versions/{version:int}/retire", operation_id="page_author_retire")
    async def retire(self, tx: Tx, user: User, code: Code, version: VersionInPath, data: URLEncodedBody[RetireForm]) -> Redirect:
        await service.retire(tx, code=code, version=version, editor=user, reason=data.reason[:500])
        return Redirect(f"/author/{code}", status_code=303)

    @get("/{code:str}/owners", operation_id="page_author_owners")
    async def owners(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code) -> Template:
        return await _owners_page(request, db, user, code)

    @post("/{code:str}/owners", operation_id="page_author_owner_add")
    async def add_owner(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code,
                        data: URLEncodedBody[OwnerForm]) -> Template:
        try:
            name = await service.add_owner(tx, code=code, email=data.email[:254], actor=user)
        except Invalid as exc:
            return await _owners_page(request, tx, user, code, status=400, error=exc.detail)
        return await _owners_page(request, tx, user, code, added=name)

    @post("/{code:str}/owners/{user_id:uuid}/remove", operation_id="page_author_owner_remove")
    async def remove_owner(self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code,
                           user_id: FromPath[UUID]) -> Template:
        try:
            await service.remove_owner(tx, code=code, user_id=user_id, actor=user)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await _owners_page(request, tx, user, code, status=exc.status, error=exc.detail)
        return await _owners_page(request, tx, user, code, removed=True)


async def _owners_page(request: Request[Any, Any, Any], db: Any, user: Any, code: str, *, status: int = 200,
                       error: str | None = None, added: str | None = None, removed: bool = False) -> Template:
    owners = await queries.list_owners(db, code=code, viewer=user)
    if owners is None:
        raise NotFound(f"no course {code} that you may change (its owners and program admins may)")
    return page(request, "catalog/author_owners.html.jinja2", status=status, code=code, owners=owners, error=error,
                added=added, removed=removed)
