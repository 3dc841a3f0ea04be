"""HTML of tuition reimbursement: a worker applies from her phone, sends receipts and grades, and sees where her
request stands at every step; her clinic, then the partnership, approve or return it; reports by clinic, field and
term for the admins."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import ADMINS, require_login, require_role
from lms.accounts.schemas import CurrentUser
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import DomainError, NotFound, shown
from lms.i18n import N_, request_language
from lms.programs import common
from lms.programs.tuition import queries, service
from lms.programs.tuition.schemas import DOCUMENT_KINDS, FIELDS, STATUS_NAMES, DecisionForm, DocumentForm, RequestForm
from lms.reports import exports
from lms.storage import Storage  # noqa: F401 (see lms.deps)
from lms.web import page

GroupBy = Annotated[str, QueryParameter(pattern=r"^(clinic|field|term)$")]


def _helpers(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return dict(
        fields=FIELDS,
        status_names=STATUS_NAMES,
        document_kinds=DOCUMENT_KINDS,
        **common.page_helpers(request_language(request)),
    )


class TuitionPages(Controller):
    path = "/programs/tuition"
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
        form: RequestForm | None = None,
    ) -> Template:
        year = common.today().year
        return page(
            request,
            "programs/tuition.html.jinja2",
            status=status,
            requests=await queries.own(db, user_id=user.id),
            year=year,
            cap=await queries.cap(db, year=year),
            used=await queries.approved_in_year(db, user_id=user.id, year=year),
            error=error,
            form=form or RequestForm(year=str(year)),
            **_helpers(request),
        )

    @get("/", operation_id="page_programs_tuition")
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await self._mine(request, db, user)

    @post("/", operation_id="page_programs_tuition_apply")
    async def apply(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[RequestForm]
    ) -> Template | Redirect:
        try:
            made = await service.apply(tx, user=user, form=data)
        except DomainError as exc:
            return await self._mine(request, tx, user, error=shown(request, exc), status=exc.status, form=data)
        return Redirect(f"/programs/tuition/{made}", status_code=303)

    async def _one(
        self,
        request: Request[Any, Any, Any],
        db: asyncpg.Connection,
        user: CurrentUser,
        request_id: UUID,
        *,
        error: str | None = None,
        status: int = 200,
        upload: dict[str, Any] | None = None,
    ) -> Template:
        found = await queries.get(db, request_id=request_id, viewer=user)
        if found is None:
            raise NotFound(N_("no such request you may see"), field="request_id")
        return page(
            request,
            "programs/tuition_request.html.jinja2",
            status=status,
            item=found,
            error=error,
            upload=upload,
            mine=found.user_id == user.id,
            **_helpers(request),
        )

    @get("/{request_id:uuid}", operation_id="page_programs_tuition_request")
    async def one(self, request: Request[Any, Any, Any], db: Db, user: User, request_id: FromPath[UUID]) -> Template:
        return await self._one(request, db, user, request_id)

    @post("/{request_id:uuid}", operation_id="page_programs_tuition_fix")
    async def fix(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        request_id: FromPath[UUID],
        data: URLEncodedBody[RequestForm],
    ) -> Template | Redirect:
        try:
            await service.fix(tx, user=user, request_id=request_id, form=data)
        except NotFound:
            raise
        except DomainError as exc:
            return await self._one(request, tx, user, request_id, error=shown(request, exc), status=exc.status)
        return Redirect(f"/programs/tuition/{request_id}", status_code=303)

    @post("/{request_id:uuid}/decision", operation_id="page_programs_tuition_decide", guards=[require_role(*ADMINS)])
    async def decide(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        user: User,
        request_id: FromPath[UUID],
        data: URLEncodedBody[DecisionForm],
    ) -> Template | Redirect:
        try:
            await service.decide(tx, viewer=user, request_id=request_id, form=data)
        except NotFound:
            raise
        except DomainError as exc:
            return await self._one(request, tx, user, request_id, error=shown(request, exc), status=exc.status)
        return Redirect(f"/programs/tuition/{request_id}", status_code=303)

    @post("/{request_id:uuid}/documents", operation_id="page_programs_tuition_upload")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        request_id: FromPath[UUID],
        data: URLEncodedBody[DocumentForm],
    ) -> Template:
        """Without scripts: this page names the file; the next form posts it to the store, which sends the browser back."""
        base = str(request.base_url).rstrip("/")
        try:
            upload = await service.ask_upload(
                tx,
                storage,
                user=user,
                request_id=request_id,
                form=data,
                redirect=lambda document_id: f"{base}/programs/tuition/{request_id}/documents/{document_id}/uploaded",
            )
        except NotFound:
            raise
        except DomainError as exc:
            return await self._one(request, tx, user, request_id, error=shown(request, exc), status=exc.status)
        return await self._one(request, tx, user, request_id, upload=upload)

    @get("/{request_id:uuid}/documents/{document_id:uuid}/uploaded", operation_id="page_programs_tuition_uploaded")
    async def uploaded(
        self,
        request: Request[Any, Any, Any],
        tx: Tx,
        storage: StorageDep,
        user: User,
        request_id: FromPath[UUID],
        document_id: FromPath[UUID],
    ) -> Template | Redirect:
        try:
            await service.check_upload(tx, storage, user=user, request_id=request_id, document_id=document_id)
        except NotFound:
            raise
        except DomainError as exc:  # the refused file's row goes with this transaction's commit
            return await self._one(request, tx, user, request_id, error=shown(request, exc), status=exc.status)
        return Redirect(f"/programs/tuition/{request_id}?uploaded=1", status_code=303)

    @get("/{request_id:uuid}/documents/{document_id:uuid}", operation_id="page_programs_tuition_document")
    async def document(
        self, db: Db, storage: StorageDep, user: User, request_id: FromPath[UUID], document_id: FromPath[UUID]
    ) -> Redirect:
        return Redirect(
            await service.download_url(db, storage, viewer=user, request_id=request_id, document_id=document_id),
            status_code=303,
        )

    @get("/desk", operation_id="page_programs_tuition_desk", guards=[require_role(*ADMINS)])
    async def desk(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        """The requests to decide on, and the reports by clinic, field of study and term."""
        return page(
            request,
            "programs/tuition_desk.html.jinja2",
            requests=await queries.listed(db, viewer=user),
            reports={by: await queries.report(db, viewer=user, by=by) for by in ("clinic", "field", "term")},
            **_helpers(request),
        )

    @get("/report.csv", operation_id="page_programs_tuition_report", guards=[require_role(*ADMINS)])
    async def report(self, tx: Tx, user: User, by: GroupBy = "clinic") -> Response[bytes]:
        rows = await queries.report(tx, viewer=user, by=by)
        table = [
            [
                r.group,
                r.requests,
                r.workers,
                common.dollars(r.requested_cents),
                common.dollars(r.approved_cents),
                common.dollars(r.paid_cents),
            ]
            for r in rows
        ]
        await exports.audit_export(
            tx,
            actor_id=user.id,
            scope="programs",
            table=f"tuition_by_{by}",
            filters=None,
            rows=len(table),
            clinic_id=user.clinic_id if user.role == "clinic_admin" else None,
        )
        return exports.csv_response(
            f"lms-tuition-by-{by}-{common.today().isoformat()}.csv",
            [by, "requests", "workers", "requested", "approved", "paid"],
            table,
        )
