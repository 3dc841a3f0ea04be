"""JSON: a worker's outside records, a clinic admin's review queue, records for her workers and the CSV import, and
the certificate file of a record (for the worker, her clinic admin, a program admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from lms.accounts.auth import require_login, require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.credit.outside import queries, service
from lms.credit.outside.schemas import (
    ClinicOutsideRecordIn,
    ImportIn,
    ImportResult,
    OutsideRecord,
    OutsideRecordIn,
    ReviewIn,
)
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import NotFound
from lms.i18n import N_, request_language
from lms.storage import Storage  # noqa: F401 (see lms.deps)

StatusFilter = Annotated[Literal["pending", "approved", "rejected"] | None, QueryParameter()]


class MyOutsideRecordsController(Controller):
    path = "/api/v1/me/outside-records"
    tags = ["credit"]
    guards = [require_role("worker")]

    @get("/", operation_id="me_outside_records")
    async def list_records(self, db: Db, user: User) -> list[OutsideRecord]:
        """Training she did elsewhere, with its review status."""
        return await queries.for_worker(db, user.id)

    @post("/", operation_id="me_outside_record_create", status_code=201)
    async def create(self, tx: Tx, storage: StorageDep, user: User, data: JSONBody[OutsideRecordIn]) -> OutsideRecord:
        """Record a course done elsewhere (dates in the past; the certificate file as base64, a PDF or an image). It
        counts toward renewal once a clinic admin of her clinic approves it."""
        return await service.record(tx, storage, actor=user, user_id=user.id, data=data)


class ClinicOutsideRecordsController(Controller):
    path = "/api/v1/clinic/outside-records"
    tags = ["credit"]
    guards = [require_role("clinic_admin")]

    @get("/", operation_id="clinic_outside_records")
    async def list_records(self, db: Db, user: User, status: StatusFilter = None) -> list[OutsideRecord]:
        """Her clinic's workers' outside records, waiting ones first."""
        if user.clinic_id is None:
            return []
        return await queries.for_clinic(db, user.clinic_id, status=status)

    @post("/", operation_id="clinic_outside_record_create", status_code=201)
    async def create(
        self, tx: Tx, storage: StorageDep, user: User, data: JSONBody[ClinicOutsideRecordIn]
    ) -> OutsideRecord:
        """Record a course a worker of her clinic did elsewhere (still to be reviewed)."""
        return await service.record(tx, storage, actor=user, user_id=data.user_id, data=data)

    @post("/{record_id:uuid}/review", operation_id="clinic_outside_record_review", status_code=200)
    async def review(self, tx: Tx, user: User, record_id: FromPath[UUID], data: JSONBody[ReviewIn]) -> OutsideRecord:
        """Approve, or reject with a reason (audit-logged). A record is reviewed once: a second review is a 409."""
        return await service.review(tx, admin=user, record_id=record_id, data=data)

    @post("/import", operation_id="clinic_outside_records_import", status_code=200)
    async def import_csv(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: JSONBody[ImportIn]
    ) -> ImportResult:
        """Back records from CSV. ``dry_run`` (the default) only checks; any bad line is a 400 naming every line and
        column, and nothing is stored."""
        return await service.import_records(
            tx, admin=user, text=data.csv, dry_run=data.dry_run, language=request_language(request)
        )


class OutsideCertificateController(Controller):
    path = "/api/v1/outside-records"
    tags = ["credit"]
    guards = [require_login]

    @get("/{record_id:uuid}/certificate", operation_id="outside_record_certificate", status_code=303)
    async def certificate(self, db: Db, storage: StorageDep, user: User, record_id: FromPath[UUID]) -> Redirect:
        """The record's certificate file (a short-lived link to the store)."""
        found = await queries.certificate_file(db, record_id=record_id, viewer=user)
        if found is None:
            raise NotFound(N_("no certificate file for this record that you may see"), field="record_id")
        url = storage.presigned_get(
            found["certificate_key"], found["certificate_type"], found["certificate_name"], expires=300, inline=False
        )
        return Redirect(url, status_code=303)
