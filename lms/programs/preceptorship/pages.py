"""HTML of preceptorship: a worker logs supervised hours from her phone and sees them signed off against the hours her
role and board require; her preceptor signs or returns them and evaluates her competencies; program admins assign."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.errors import DomainError, shown
from lms.i18n import request_language
from lms.programs import common
from lms.programs.preceptorship import queries, service
from lms.programs.preceptorship.schemas import RATINGS, EvaluationForm, HoursForm, NewPreceptorshipForm, SignForm
from lms.web import page


class PreceptorshipPages(Controller):
    path = "/programs"
    include_in_schema = False
    guards = [require_login]

    async def _mine(
        self, request: Request[Any, Any, Any], db: Any, user: Any, *, error: str | None = None, status: int = 200
    ) -> Template:
        return page(
            request,
            "programs/preceptorship.html.jinja2",
            status=status,
            records=await queries.own(db, user_id=user.id),
            error=error,
            today=common.today(),
            ratings=RATINGS,
            **common.page_helpers(request_language(request)),
        )

    @get("/preceptorship", operation_id="page_programs_preceptorship")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await self._mine(request, db, user)

    @post("/preceptorship/hours", operation_id="page_programs_supervised_hours")
    async def log_hours(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[HoursForm]
    ) -> Template | Redirect:
        try:
            await service.log_hours(tx, user=user, form=data)
        except DomainError as exc:
            return await self._mine(request, tx, user, error=shown(request, exc), status=exc.status)
        return Redirect("/programs/preceptorship?sent=1", status_code=303)

    @post("/hours/{entry_id:uuid}/decision", operation_id="page_programs_supervised_hours_sign")
    async def sign(self, tx: Tx, user: User, entry_id: FromPath[UUID], data: URLEncodedBody[SignForm]) -> Redirect:
        await service.sign(tx, viewer=user, entry_id=entry_id, form=data)
        return Redirect("/programs?signed=1#h-precepting", status_code=303)

    @post("/preceptees/{preceptorship_id:uuid}/evaluations", operation_id="page_programs_preceptor_evaluate")
    async def evaluate(
        self, tx: Tx, user: User, preceptorship_id: FromPath[UUID], data: URLEncodedBody[EvaluationForm]
    ) -> Redirect:
        await service.evaluate(tx, viewer=user, preceptorship_id=preceptorship_id, form=data)
        return Redirect("/programs?evaluated=1#h-precepting", status_code=303)

    @post("/preceptees", operation_id="page_programs_preceptorship_create", guards=[require_role("program_admin")])
    async def create(self, tx: Tx, user: User, data: URLEncodedBody[NewPreceptorshipForm]) -> Redirect:
        await service.create(tx, actor=user, form=data)
        return Redirect("/programs?assigned=1#h-preceptorships", status_code=303)
