"""HTML for instructors: drafts with every language side by side, translation status, preview, publish, retire."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import STAFF, require_role
from lms.catalog import queries, service
from lms.catalog.language import TRACK_NAMES
from lms.deps import Db, Tx, User
from lms.errors import DomainError, Invalid, NotFound, shown
from lms.i18n import N_
from lms.schemas import Form, VersionInPath
from lms.web import page

Code = Annotated[str, PathParameter(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]


class RetireForm(Form):
    reason: str = ""


class OwnerForm(Form):
    email: str = ""


class AuthoringPages(Controller):
    path = "/author"
    include_in_schema = False
    guards = [require_role(*STAFF)]

    @get("/", operation_id="page_author_home")
    async def home(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(
            request,
            "catalog/author_home.html.jinja2",
            courses=await queries.authoring_list(db, editor=user),
            track_names=TRACK_NAMES,
        )

    @post("/{code:str}/versions/{version:int}/retire", operation_id="page_author_retire")
    async def retire(
        self, tx: Tx, user: User, code: Code, version: VersionInPath, data: URLEncodedBody[RetireForm]
    ) -> Redirect:
        await service.retire(tx, code=code, version=version, editor=user, reason=data.reason[:500])
        return Redirect(f"/author/{code}", status_code=303)

    @get("/{code:str}/owners", operation_id="page_author_owners")
    async def owners(self, request: Request[Any, Any, Any], db: Db, user: User, code: Code) -> Template:
        return await _owners_page(request, db, user, code)

    @post("/{code:str}/owners", operation_id="page_author_owner_add")
    async def add_owner(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, data: URLEncodedBody[OwnerForm]
    ) -> Template:
        try:
            name = await service.add_owner(tx, code=code, email=data.email[:254], actor=user)
        except Invalid as exc:
            return await _owners_page(request, tx, user, code, status=400, error=shown(request, exc))
        return await _owners_page(request, tx, user, code, added=name)

    @post("/{code:str}/owners/{user_id:uuid}/remove", operation_id="page_author_owner_remove")
    async def remove_owner(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, code: Code, user_id: FromPath[UUID]
    ) -> Template:
        try:
            await service.remove_owner(tx, code=code, user_id=user_id, actor=user)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            return await _owners_page(request, tx, user, code, status=exc.status, error=shown(request, exc))
        return await _owners_page(request, tx, user, code, removed=True)


async def _owners_page(
    request: Request[Any, Any, Any],
    db: Any,
    user: Any,
    code: str,
    *,
    status: int = 200,
    error: str | None = None,
    added: str | None = None,
    removed: bool = False,
) -> Template:
    owners = await queries.list_owners(db, code=code, viewer=user)
    if owners is None:
        raise NotFound(
            N_("no course %(code)s that you may change (its owners and program admins may)"), params={"code": code}
        )
    return page(
        request,
        "catalog/author_owners.html.jinja2",
        status=status,
        code=code,
        owners=owners,
        error=error,
        added=added,
        removed=removed,
    )
