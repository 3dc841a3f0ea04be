"""HTML of the programs' standards: what program admins configure without code (tuition caps, supervised hours
required per role and board, each apprenticeship program's hours and model). Every change is audited."""

from __future__ import annotations

from typing import Any

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.audit.queries import record
from lms.deps import Db, Tx, User
from lms.errors import Invalid
from lms.i18n import N_, request_language
from lms.programs import common
from lms.programs.standards import queries, service
from lms.programs.standards.schemas import ApprenticeshipStandardForm, CapForm, SupervisionForm
from lms.web import page


class StandardsPages(Controller):
    path = "/programs/standards"
    include_in_schema = False
    guards = [require_role("program_admin")]

    @get("/", operation_id="page_programs_standards")
    async def show(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return page(
            request,
            "programs/standards.html.jinja2",
            standards=await queries.standards(db),
            **common.page_helpers(request_language(request)),
        )

    @post("/caps", operation_id="page_programs_standards_cap")
    async def cap(self, tx: Tx, user: User, data: URLEncodedBody[CapForm]) -> Redirect:
        year, cents = service.cap(data)
        await queries.set_cap(tx, year=year, cap_cents=cents)
        await record(
            tx, actor_id=user.id, action="programs.tuition_cap_set", subject=str(year), detail={"cap_cents": cents}
        )
        return Redirect("/programs/standards?saved=1", status_code=303)

    @post("/supervision", operation_id="page_programs_standards_supervision")
    async def supervision(self, tx: Tx, user: User, data: URLEncodedBody[SupervisionForm]) -> Redirect:
        role_key, board, hours = service.supervision(data)
        if not await queries.set_required_hours(tx, role_key=role_key, board=board, hours=hours):
            raise Invalid(N_("requirement: no such role and board"), field="requirement")
        await record(
            tx,
            actor_id=user.id,
            action="programs.supervision_hours_set",
            subject=data.requirement,
            detail={"required_hours": hours},
        )
        return Redirect("/programs/standards?saved=1", status_code=303)

    @post("/apprenticeship", operation_id="page_programs_standards_apprenticeship")
    async def apprenticeship(self, tx: Tx, user: User, data: URLEncodedBody[ApprenticeshipStandardForm]) -> Redirect:
        model, ojt, ri, wage = service.apprenticeship(data)
        if not await queries.set_program_standard(
            tx, key=data.program, model=model, ojt_hours=ojt, ri_hours=ri, journeyworker_cents=wage
        ):
            raise Invalid(N_("program: no such apprenticeship program"), field="program")
        await record(
            tx,
            actor_id=user.id,
            action="programs.apprenticeship_standard_set",
            subject=data.program,
            detail={"model": model, "ojt_hours": ojt, "ri_hours": ri, "journeyworker_cents": wage},
        )
        return Redirect(f"/programs/standards/apprenticeship/{data.program}?saved=1", status_code=303)
