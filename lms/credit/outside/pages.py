"""HTML: a worker's outside records (list and form with the certificate file), and a clinic admin's review queue with
the CSV import of back records (dry run first)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.credit import queries as credit_queries
from lms.credit.outside import queries, service
from lms.credit.outside.checks import MAX_CERTIFICATE_BYTES
from lms.credit.outside.schemas import DELIVERIES, STATUS_NAMES, OutsideRecordIn, ReviewIn
from lms.credit.schemas import CATEGORY_NAMES
from lms.deps import Db, StorageDep, Tx, User
from lms.errors import Conflict, Forbidden, Invalid, NotFound, shown
from lms.i18n import N_, request_language
from lms.storage import Storage  # noqa: F401 (see lms.deps)
from lms.web import page

MAX_CSV_BYTES = 1024 * 1024
_TEXT_FIELDS = (
    "provider",
    "approval_number",
    "title",
    "started_on",
    "ended_on",
    "minutes",
    "delivery",
    "body",
    "category",
)


def _names() -> dict[str, Any]:
    return {"deliveries": DELIVERIES, "status_names": STATUS_NAMES, "category_names": CATEGORY_NAMES}


def _form_record(form: dict[str, str]) -> OutsideRecordIn:
    raw: dict[str, Any] = {k: form.get(k, "").strip() for k in _TEXT_FIELDS}
    raw["category"] = raw["category"] or None
    raw["body_approved"] = form.get("body_approved") != "no"
    try:
        return msgspec.convert(raw, OutsideRecordIn, strict=False)
    except msgspec.ValidationError as exc:
        text = str(exc)
        field = text.rsplit("$.", 1)[-1].rstrip("`") if "$." in text else "form"
        raise Invalid(text, field=field) from None


class OutsideRecordPages(Controller):
    include_in_schema = False

    @get("/my/outside-records", operation_id="page_my_outside_records", guards=[require_role("worker")])
    async def mine(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await _my_page(request, db, user)

    @post("/my/outside-records", operation_id="page_my_outside_record_create", guards=[require_role("worker")])
    async def create(
        self, request: Request[Any, Any, Any], tx: Tx, storage: StorageDep, user: User
    ) -> Template | Redirect:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("certificate")
        try:
            file = None
            if isinstance(upload, UploadFile) and upload.filename:
                content = await upload.read(MAX_CERTIFICATE_BYTES + 1)
                file = (content, upload.filename)
            async with tx.transaction():
                await service.record(tx, storage, actor=user, user_id=user.id, data=_form_record(fields), file=file)
        except (Invalid, Conflict) as exc:
            return await _my_page(
                request, tx, user, status=400, error=shown(request, exc), error_field=exc.field, form=fields
            )
        return Redirect("/my/outside-records?saved=1", status_code=303)

    @get("/clinic/outside-records", operation_id="page_clinic_outside_records", guards=[require_role("clinic_admin")])
    async def queue(self, request: Request[Any, Any, Any], db: Db, user: User) -> Template:
        return await _clinic_page(request, db, user)

    @post(
        "/clinic/outside-records/{record_id:uuid}/review",
        operation_id="page_clinic_outside_record_review",
        guards=[require_role("clinic_admin")],
    )
    async def review(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, record_id: FromPath[UUID]
    ) -> Template | Redirect:
        form = await request.form()
        try:
            try:
                data = msgspec.convert(
                    {"decision": str(form.get("decision") or ""), "reason": str(form.get("reason") or "")[:500]},
                    ReviewIn,
                )
            except msgspec.ValidationError:
                raise Invalid(N_("decision: choose approve or reject"), field="decision") from None
            async with tx.transaction():
                await service.review(tx, admin=user, record_id=record_id, data=data)
        except (Invalid, Conflict, NotFound, Forbidden) as exc:
            return await _clinic_page(request, tx, user, status=exc.status, error=shown(request, exc))
        return Redirect("/clinic/outside-records?reviewed=1", status_code=303)

    @post(
        "/clinic/outside-records/import",
        operation_id="page_clinic_outside_records_import",
        guards=[require_role("clinic_admin")],
    )
    async def import_csv(self, request: Request[Any, Any, Any], tx: Tx, user: User) -> Template:
        form = await request.form()
        upload = form.get("file")
        text = str(form.get("csv") or "")
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read(MAX_CSV_BYTES + 1)
            text = raw.decode("utf-8-sig", errors="replace") if len(raw) <= MAX_CSV_BYTES else ""
        dry_run = form.get("confirm") != "1"
        language = request_language(request)
        try:
            async with tx.transaction():
                result = await service.import_records(tx, admin=user, text=text, dry_run=dry_run, language=language)
        except service.ImportRefused as exc:
            return await _clinic_page(
                request, tx, user, status=400, imported=exc.result, csv=text, error=exc.localize(language).detail
            )
        except (Invalid, Conflict, Forbidden) as exc:
            return await _clinic_page(request, tx, user, status=400, csv=text, error=exc.localize(language).detail)
        return await _clinic_page(request, tx, user, imported=result, csv=text)


async def _my_page(
    request: Request[Any, Any, Any], conn: Any, user: CurrentUser, *, status: int = 200, **context: Any
) -> Template:
    context.setdefault("form", {})
    return page(
        request,
        "credit/outside_mine.html.jinja2",
        status=status,
        records=await queries.for_worker(conn, user.id),
        rules=await credit_queries.load_rules(conn),
        saved=request.query_params.get("saved") == "1",
        **_names(),
        **context,
    )


async def _clinic_page(
    request: Request[Any, Any, Any], conn: Any, user: CurrentUser, *, status: int = 200, **context: Any
) -> Template:
    records = await queries.for_clinic(conn, user.clinic_id, status=None) if user.clinic_id else []
    return page(
        request,
        "credit/outside_clinic.html.jinja2",
        status=status,
        pending=[r for r in records if r.status == "pending"],
        reviewed=[r for r in records if r.status != "pending"],
        reviewed_now=request.query_params.get("reviewed") == "1",
        **_names(),
        **context,
    )
