"""HTML of the programs' content, for program admins: a new apprenticeship program; its work processes, wage steps
and competencies; each preceptorship role's competencies and evaluation items; retired ones restored. Every change is audited (service)."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import PathParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.programs import common
from lms.programs.content import queries, service
from lms.programs.content.schemas import RemoveForm, WageStepForm
from lms.web import page

# Keys as their tables bound them (apprenticeship_programs.key, supervision_requirements.role_key and board).
ProgramKey = Annotated[str, PathParameter(min_length=2, max_length=63)]
RoleKey = Annotated[str, PathParameter(min_length=1, max_length=31)]
Board = Annotated[str, PathParameter(min_length=2, max_length=40)]


def _program_page(program_key: ProgramKey, shown: str = "saved=1") -> Redirect:
    return Redirect(f"/programs/standards/apprenticeship/{program_key}?{shown}", status_code=303)


def _role_page(role_key: RoleKey, board: Board, shown: str = "saved=1") -> Redirect:
    return Redirect(f"/programs/standards/supervision/{role_key}/{board}?{shown}", status_code=303)


class ContentPages(Controller):
    path = "/programs/standards"
    include_in_schema = False
    guards = [require_role("program_admin")]

    @post("/programs", operation_id="page_programs_standards_program_create")
    async def create(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Redirect:
        key = await service.create_program(tx, actor=user, form=dict(await request.form()))
        return _program_page(key)

    @get("/apprenticeship/{program_key:str}", operation_id="page_programs_standards_program")
    async def program(self, request: Request[Any, Any, Any], db: Db, program_key: ProgramKey) -> Template:
        content = await queries.program_content(db, key=program_key)
        if content is None:
            raise NotFound(N_("program: no such apprenticeship program"), field="program")
        return page(
            request,
            "programs/program_content.html.jinja2",
            program=content,
            **common.page_helpers(request_language(request)),
        )

    @post("/apprenticeship/{program_key:str}/work-processes", operation_id="page_programs_standards_work_process")
    async def work_process(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, program_key: ProgramKey
    ) -> Redirect:
        form = dict(await request.form())
        await service.save_apprenticeship_item(tx, actor=user, program_key=program_key, kind="work_process", form=form)
        return _program_page(program_key)

    @post("/apprenticeship/{program_key:str}/competencies", operation_id="page_programs_standards_competency")
    async def competency(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, program_key: ProgramKey
    ) -> Redirect:
        form = dict(await request.form())
        await service.save_apprenticeship_item(tx, actor=user, program_key=program_key, kind="competency", form=form)
        return _program_page(program_key)

    @post("/apprenticeship/{program_key:str}/wage-steps", operation_id="page_programs_standards_wage_step")
    async def wage_step(
        self, tx: Tx, user: User, program_key: ProgramKey, data: URLEncodedBody[WageStepForm]
    ) -> Redirect:
        await service.add_wage_step(tx, actor=user, program_key=program_key, form=data)
        return _program_page(program_key)

    @post("/apprenticeship/{program_key:str}/remove", operation_id="page_programs_standards_program_remove")
    async def remove(self, tx: Tx, user: User, program_key: ProgramKey, data: URLEncodedBody[RemoveForm]) -> Redirect:
        removed = await service.remove_apprenticeship_item(tx, actor=user, program_key=program_key, form=data)
        return _program_page(program_key, f"removed={removed}")

    @post("/apprenticeship/{program_key:str}/restore", operation_id="page_programs_standards_program_restore")
    async def restore(self, tx: Tx, user: User, program_key: ProgramKey, data: URLEncodedBody[RemoveForm]) -> Redirect:
        await service.restore_apprenticeship_item(tx, actor=user, program_key=program_key, form=data)
        return _program_page(program_key, "restored=1")

    @get("/supervision/{role_key:str}/{board:str}", operation_id="page_programs_standards_role")
    async def role(self, request: Request[Any, Any, Any], db: Db, role_key: RoleKey, board: Board) -> Template:
        content = await queries.role_content(db, role_key=role_key, board=board)
        if content is None:
            raise NotFound(N_("requirement: no such role and board"), field="requirement")
        return page(
            request,
            "programs/role_content.html.jinja2",
            role=content,
            **common.page_helpers(request_language(request)),
        )

    @post("/supervision/{role_key:str}/{board:str}/items", operation_id="page_programs_standards_role_item")
    async def role_item(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, role_key: RoleKey, board: Board
    ) -> Redirect:
        form = dict(await request.form())
        await service.save_role_item(tx, actor=user, role_key=role_key, board=board, form=form)
        return _role_page(role_key, board)

    @post("/supervision/{role_key:str}/{board:str}/remove", operation_id="page_programs_standards_role_remove")
    async def role_remove(
        self, tx: Tx, user: User, role_key: RoleKey, board: Board, data: URLEncodedBody[RemoveForm]
    ) -> Redirect:
        removed = await service.remove_role_item(tx, actor=user, role_key=role_key, board=board, form=data)
        return _role_page(role_key, board, f"removed={removed}")

    @post("/supervision/{role_key:str}/{board:str}/restore", operation_id="page_programs_standards_role_restore")
    async def role_restore(
        self, tx: Tx, user: User, role_key: RoleKey, board: Board, data: URLEncodedBody[RemoveForm]
    ) -> Redirect:
        await service.restore_role_item(tx, actor=user, role_key=role_key, board=board, form=data)
        return _role_page(role_key, board, "restored=1")
