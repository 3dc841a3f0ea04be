"""HTML of the apprenticeship: the apprentice's phone page (her hours, wage step, weeks to log and fix), a record as
her mentor, clinic and the partnership see it (decisions, competencies, completion and placement), and the export."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import ADMINS, require_login, require_role
from lms.accounts.schemas import CurrentUser
from lms.deps import Db, Tx, User
from lms.errors import DomainError, NotFound, shown
from lms.i18n import N_, request_language
from lms.programs import common
from lms.programs.apprenticeship import queries, service
from lms.programs.apprenticeship.schemas import CompetencyForm, DecisionForm, NewApprenticeshipForm, OutcomeForm
from lms.reports import exports
from lms.web import page


def _can_decide(record: Any, user: CurrentUser) -> bool:
    return record.mentor_id == user.id or user.role == "program_admin"


def _can_record_outcome(record: Any, user: CurrentUser) -> bool:
    return user.role == "program_admin" or (user.role == "clinic_admin" and record.clinic_id == user.clinic_id)


class ApprenticeshipPages(Controller):
    path = "/programs"
    include_in_schema = False
    guards = [require_login]

    async def _mine(
        self,
        request: Request[Any, Any, Any],
        db: asyncpg.Connection,
        user: CurrentUser,
        *,
        error: str | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
        fixing: UUID | None = None,
    ) -> Template:
        return page(
            request,
            "programs/apprenticeship.html.jinja2",
            status=status,
            record=await queries.own(db, user_id=user.id),
            error=error,
            form=form or {},
            fixing=fixing,
            today=common.today(),
            **common.page_helpers(request_language(request)),
        )

    @get("/apprenticeship", operation_id="page_programs_apprenticeship")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await self._mine(request, db, user)

    @post("/apprenticeship/weeks", operation_id="page_programs_week_log")
    async def log_week(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Template | Redirect:
        form = dict(await request.form())
        try:
            await service.log_week(tx, user=user, form=form)
        except DomainError as exc:
            return await self._mine(request, tx, user, error=shown(request, exc), status=exc.status, form=form)
        return Redirect("/programs/apprenticeship?sent=1", status_code=303)

    @post("/apprenticeship/weeks/{week_id:uuid}", operation_id="page_programs_week_fix")
    async def fix_week(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, week_id: FromPath[UUID]
    ) -> Template | Redirect:
        form = dict(await request.form())
        try:
            await service.fix_week(tx, user=user, week_id=week_id, form=form)
        except NotFound:
            raise
        except DomainError as exc:
            return await self._mine(
                request, tx, user, error=shown(request, exc), status=exc.status, form=form, fixing=week_id
            )
        return Redirect("/programs/apprenticeship?sent=1", status_code=303)

    async def _record(
        self,
        request: Request[Any, Any, Any],
        db: asyncpg.Connection,
        user: CurrentUser,
        apprenticeship_id: UUID,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Template:
        record = await queries.get(db, apprenticeship_id=apprenticeship_id, viewer=user)
        if record is None:
            raise NotFound(N_("no such apprenticeship you may see"), field="apprenticeship_id")
        return page(
            request,
            "programs/apprentice.html.jinja2",
            status=status,
            record=record,
            error=error,
            can_decide=_can_decide(record, user),
            can_record_outcome=_can_record_outcome(record, user),
            **common.page_helpers(request_language(request)),
        )

    @get("/apprentices/{apprenticeship_id:uuid}", operation_id="page_programs_apprentice")
    async def record(
        self, request: Request[Any, Any, Any], db: Db, user: User, apprenticeship_id: FromPath[UUID]
    ) -> Template:
        return await self._record(request, db, user, apprenticeship_id)

    @post("/weeks/{week_id:uuid}/decision", operation_id="page_programs_week_decide")
    async def decide(self, tx: Tx, user: User, week_id: FromPath[UUID], data: URLEncodedBody[DecisionForm]) -> Redirect:
        apprenticeship_id = await service.decide_week(tx, viewer=user, week_id=week_id, form=data)
        return Redirect(f"/programs/apprentices/{apprenticeship_id}?decided={data.decision}", status_code=303)

    @post("/apprentices/{apprenticeship_id:uuid}/competencies", operation_id="page_programs_competency_sign")
    async def sign(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        apprenticeship_id: FromPath[UUID],
        data: URLEncodedBody[CompetencyForm],
    ) -> Redirect:
        await service.sign_competency(tx, viewer=user, apprenticeship_id=apprenticeship_id, competency=data.competency)
        return Redirect(f"/programs/apprentices/{apprenticeship_id}", status_code=303)

    @post(
        "/apprentices/{apprenticeship_id:uuid}/outcome",
        operation_id="page_programs_outcome",
        guards=[require_role(*ADMINS)],
    )
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        apprenticeship_id: FromPath[UUID],
        data: URLEncodedBody[OutcomeForm],
    ) -> Template | Redirect:
        try:
            await service.record_outcome(tx, viewer=user, apprenticeship_id=apprenticeship_id, form=data)
        except NotFound:
            raise
        except DomainError as exc:
            return await self._record(
                request, tx, user, apprenticeship_id, error=shown(request, exc), status=exc.status
            )
        return Redirect(f"/programs/apprentices/{apprenticeship_id}", status_code=303)

    @post("/apprentices", operation_id="page_programs_apprentice_create", guards=[require_role("program_admin")])
    async def create(self, tx: Tx, user: User, data: URLEncodedBody[NewApprenticeshipForm]) -> Redirect:
        made = await service.create(tx, actor=user, form=data)
        return Redirect(f"/programs/apprentices/{made}", status_code=303)

    @get(
        "/apprenticeship/export.csv", operation_id="page_programs_apprenticeship_export", guards=[require_role(*ADMINS)]
    )
    async def export(self, tx: Tx, user: User) -> Response[bytes]:
        """Hours and progress of every apprentice the caller may see (a clinic admin: her clinic's)."""
        rows = service.export_table(await queries.export_rows(tx, viewer=user))
        await exports.audit_export(
            tx,
            actor_id=user.id,
            scope="programs",
            table="apprenticeship",
            filters=None,
            rows=len(rows),
            clinic_id=user.clinic_id if user.role == "clinic_admin" else None,
        )
        return exports.csv_response(f"lms-apprenticeship-{common.today().isoformat()}.csv", service.EXPORT_HEADER, rows)
