"""HTML of the career ladders as program admins edit them: create a ladder (a name per language, a track), add steps
of each kind with what reaches them, rename them, move them up or down, retire and restore them. Every change is
audited (service)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import FromPath, PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.catalog.language import TRACK_NAMES
from lms.deps import Db, Tx, User
from lms.errors import NotFound
from lms.i18n import N_, UI_LANGUAGES, request_language
from lms.programs import common
from lms.programs.pathways import queries, service
from lms.programs.pathways.schemas import STEP_KINDS, TUITION_FIELDS, LadderForm, MoveForm, NamesForm, StepForm
from lms.web import page

LadderKey = Annotated[str, PathParameter(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]

KIND_NAMES = {
    "course": N_("A course of this service (its certificate)"),
    "credential": N_("A board credential or licence on record"),
    "outside": N_("A program elsewhere"),
    "apprenticeship": N_("An apprenticeship completed"),
    "tuition": N_("A degree with tuition reimbursed"),
}
FIELD_NAMES = {
    "nursing": N_("Nursing"),
    "social_work": N_("Social work"),
    "dental": N_("Dental"),
    "behavioral_health": N_("Behavioral health"),
    "other": N_("Other"),
}


def _helpers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return {
        **common.page_helpers(request_language(request)),
        "languages": UI_LANGUAGES,
        "name_fields": {tag: field for field, tag in service.NAME_FIELDS.items()},
        "track_names": TRACK_NAMES,
        "kind_names": KIND_NAMES,
        "field_names": FIELD_NAMES,
        "step_kinds": STEP_KINDS,
        "tuition_fields": TUITION_FIELDS,
    }


class LadderPages(Controller):
    path = "/programs/pathways/ladders"
    include_in_schema = False
    guards = [require_role("program_admin")]

    @get("/", operation_id="page_programs_ladders")
    async def ladders(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page_of(request, "programs/ladders.html.jinja2", ladders=await queries.edited_ladders(db))

    @post("/", operation_id="page_programs_ladder_create")
    async def create(self, tx: Tx, user: User, data: URLEncodedBody[LadderForm]) -> Redirect:
        key = await service.create_ladder(tx, viewer=user, form=data)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1", status_code=303)

    @get("/{key:str}", operation_id="page_programs_ladder")
    async def ladder(self, request: Request[Any, Any, Any], db: Db, key: LadderKey) -> Template:
        found = await queries.edited_ladder(db, key=key)
        if found is None:
            raise NotFound(N_("ladder: no such ladder"), field="ladder")
        return page_of(request, "programs/ladder_edit.html.jinja2", ladder=found, options=await queries.ref_options(db))

    @post("/{key:str}", operation_id="page_programs_ladder_update")
    async def update(self, tx: Tx, user: User, key: LadderKey, data: URLEncodedBody[LadderForm]) -> Redirect:
        await service.update_ladder(tx, viewer=user, key=key, form=data, retired=data.retired == "on")
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1", status_code=303)

    @post("/{key:str}/steps", operation_id="page_programs_ladder_step_add")
    async def add_step(self, tx: Tx, user: User, key: LadderKey, data: URLEncodedBody[StepForm]) -> Redirect:
        await service.add_step(tx, viewer=user, ladder=key, form=data)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1#steps", status_code=303)

    @post("/{key:str}/steps/{step_id:uuid}/move", operation_id="page_programs_ladder_step_move")
    async def move_step(
        self, tx: Tx, user: User, key: LadderKey, step_id: FromPath[UUID], data: URLEncodedBody[MoveForm]
    ) -> Redirect:
        await service.move_step(tx, viewer=user, ladder=key, step_id=step_id, direction=data.direction)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1#steps", status_code=303)

    @post("/{key:str}/steps/{step_id:uuid}/retire", operation_id="page_programs_ladder_step_retire")
    async def retire_step(self, tx: Tx, user: User, key: LadderKey, step_id: FromPath[UUID]) -> Redirect:
        await service.retire_step(tx, viewer=user, ladder=key, step_id=step_id)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1#steps", status_code=303)

    @post("/{key:str}/steps/{step_id:uuid}/restore", operation_id="page_programs_ladder_step_restore")
    async def restore_step(self, tx: Tx, user: User, key: LadderKey, step_id: FromPath[UUID]) -> Redirect:
        await service.restore_step(tx, viewer=user, ladder=key, step_id=step_id)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1#steps", status_code=303)

    @post("/{key:str}/steps/{step_id:uuid}/name", operation_id="page_programs_ladder_step_rename")
    async def rename_step(
        self, tx: Tx, user: User, key: LadderKey, step_id: FromPath[UUID], data: URLEncodedBody[NamesForm]
    ) -> Redirect:
        await service.rename_step(tx, viewer=user, ladder=key, step_id=step_id, form=data)
        return Redirect(f"/programs/pathways/ladders/{key}?saved=1#steps", status_code=303)


def page_of(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    return page(request, template, **context, **_helpers(request))
