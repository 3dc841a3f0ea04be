"""HTML: the people a clinic admin (her clinic) or a program admin (everyone) looks after: add one, import a roster
(dry run first), deactivate someone who left, change a role; program admins also add clinics and union locals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from lms.accounts import people, queries
from lms.accounts.auth import ADMINS, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.errors import Conflict, Forbidden, Invalid, shown
from lms.i18n import N_, request_language
from lms.web import page

MAX_ROSTER_BYTES = 1024 * 1024


async def _fields(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


class PeoplePages(Controller):
    include_in_schema = False
    guards = [require_role(*ADMINS)]

    @get("/people", operation_id="page_people")
    async def people(self, request: Request[Any, Any, Any], db: Db, user: User, q: FromQuery[str] = "") -> Template:
        return await _people_page(request, db, user, q=q.strip()[:100])

    @post("/people", operation_id="page_people_add")
    async def add(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Template | Redirect:
        data = await _fields(request)
        try:
            async with tx.transaction():
                added = await people.add_person(tx, admin=user, data=data)
        except (Invalid, Conflict, Forbidden) as exc:
            return await _people_page(request, tx, user, status=400, add_error=shown(request, exc), form=data)
        return Redirect(f"/people?q={added.email or added.display_name}", status_code=303)

    @get("/people/import", operation_id="page_people_import")
    async def import_form(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(
            request,
            "accounts/roster.html.jinja2",
            check=None,
            roster="",
            error=None,
            clinics=await queries.list_clinics(db),
            clinic="",
        )

    @post("/people/import", operation_id="page_people_import_submit")
    async def import_roster(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Template:
        form = await request.form()
        upload = form.get("file")
        text = form.get("roster") or ""
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read(MAX_ROSTER_BYTES + 1)
            text = raw.decode("utf-8-sig", errors="replace") if len(raw) <= MAX_ROSTER_BYTES else ""
        clinic = str(form.get("clinic") or "") or None
        dry_run = form.get("confirm") != "1"
        error, check = None, None
        try:
            check = await people.import_roster(tx, admin=user, text=str(text), clinic_slug=clinic, dry_run=dry_run)
        except Invalid as exc:
            error = exc.localize(request_language(request)).detail
        return page(
            request,
            "accounts/roster.html.jinja2",
            status=400 if error or (check and check.problems) else 200,
            check=check,
            roster=text,
            error=error,
            dry_run=dry_run,
            clinics=await queries.list_clinics(tx),
            clinic=clinic or "",
        )

    @post("/people/{user_id:uuid}/deactivate", operation_id="page_people_deactivate")
    async def deactivate(self, tx: Tx, user: User, user_id: FromPath[UUID]) -> Redirect:
        await people.deactivate(tx, admin=user, user_id=user_id)
        return Redirect("/people", status_code=303)

    @post("/people/{user_id:uuid}/role", operation_id="page_people_role")
    async def role(self, request: Request[Any, Any, Any], tx: Tx, user: User, user_id: FromPath[UUID]) -> Redirect:
        role = (await _fields(request)).get("role", "")
        await people.change_role(tx, admin=user, user_id=user_id, role=role)
        return Redirect("/people", status_code=303)

    @post("/people/organisations", operation_id="page_people_organisation_add", guards=[require_role("program_admin")])
    async def add_organisation(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Template | Redirect:
        data = await _fields(request)
        slug, name = data.get("slug", "").strip().lower(), data.get("name", "").strip()
        try:
            if not (2 <= len(name) <= 200) or not queries.SLUG.fullmatch(slug):
                raise Invalid(N_("a short name (a-z, 0-9, -) and a full name of 2 to 200 characters"), field="slug")
            async with tx.transaction():
                if data.get("kind") == "local":
                    await queries.create_local(tx, slug=slug, name=name)
                else:
                    await queries.create_clinic(tx, slug=slug, name=name)
        except (Invalid, Conflict) as exc:
            return await _people_page(request, tx, user, status=400, org_error=shown(request, exc))
        return Redirect("/people", status_code=303)


async def _people_page(
    request: Request[Any, Any, Any], conn: Any, user: CurrentUser, *, status: int = 200, q: str = "", **context: Any
) -> Template:
    found = await queries.list_people(conn, viewer=user, search=q)
    context.setdefault("form", {})
    return page(
        request,
        "accounts/people.html.jinja2",
        status=status,
        people=found,
        q=q,
        clinics=await queries.list_clinics(conn) if user.role == "program_admin" else [],
        locals_=await queries.list_locals(conn) if user.role == "program_admin" else [],
        **context,
    )
