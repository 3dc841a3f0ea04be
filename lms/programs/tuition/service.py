"""Use cases of tuition reimbursement: applying and fixing a returned request, the clinic's then the partnership's
decision within the yearly cap, payment, and receipts and grades sent straight to the object store and checked there."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import asyncpg

from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.errors import Conflict, Invalid, NotFound
from lms.i18n import N_, Text
from lms.media.types import MAX_BYTES, SNIFF_BYTES, MediaRefused, check_content, normalise_type, safe_filename
from lms.programs import common
from lms.programs.tuition import queries
from lms.programs.tuition.schemas import (
    DOCUMENT_KINDS,
    DOCUMENT_TYPES,
    FIELDS,
    STATUS_NAMES,
    DecisionForm,
    DocumentForm,
    RequestForm,
    TuitionRequest,
)
from lms.storage import Storage


def _text(value: str, field: str, low: int, high: int) -> str:
    text = " ".join(value.split())
    if not low <= len(text) <= high:
        raise Invalid(
            N_("%(field)s: %(low)s to %(high)s characters"),
            params={"field": field, "low": low, "high": high},
            field=field,
        )
    return text


def request_values(form: RequestForm) -> dict[str, Any]:
    if form.field not in FIELDS:
        raise Invalid(N_("field: one of %(fields)s"), params={"fields": ", ".join(FIELDS)}, field="field")
    if not form.year.strip().isdigit() or not 2000 <= int(form.year) <= 2100:
        raise Invalid(N_("year: the year of the term, such as 2026"), field="year")
    cost = common.money_to_cents(form.cost, "cost")
    if cost < 1:
        raise Invalid(N_("cost: more than 0"), field="cost")
    return {
        "field": form.field,
        "program": _text(form.program, "program", 2, 200),
        "school": _text(form.school, "school", 2, 200),
        "term": _text(form.term, "term", 2, 60),
        "year": int(form.year),
        "cost_cents": cost,
    }


async def apply(conn: asyncpg.Connection, *, user: CurrentUser, form: RequestForm) -> UUID:
    if user.clinic_id is None:
        raise Invalid(N_("clinic: tuition reimbursement is for workers of a member clinic"), field="clinic")
    request_id = await queries.insert(conn, user_id=user.id, clinic_id=user.clinic_id, values=request_values(form))
    await record(conn, actor_id=user.id, action="tuition.applied", subject=str(request_id))
    return request_id


async def fix(conn: asyncpg.Connection, *, user: CurrentUser, request_id: UUID, form: RequestForm) -> None:
    found = await queries.get(conn, request_id=request_id, viewer=user, lock=True)
    if found is None or found.user_id != user.id:
        raise NotFound(N_("no such request of yours"), field="request_id")
    if found.status != "returned":
        raise Conflict(N_("only a returned request can be changed"), field="request_id")
    await queries.resubmit(conn, request_id=request_id, values=request_values(form))
    await record(conn, actor_id=user.id, action="tuition.resubmitted", subject=str(request_id))


def _reason(form: DecisionForm) -> str:
    reason = " ".join(form.reason.split())
    if not 2 <= len(reason) <= 1000:
        raise Invalid(N_("reason: say why the request is returned (2 to 1,000 characters)"), field="reason")
    return reason


async def decide(
    conn: asyncpg.Connection, *, viewer: CurrentUser, request_id: UUID, form: DecisionForm
) -> TuitionRequest:
    """The clinic approves or returns a new request; then the partnership approves an amount (within the year's cap)
    or returns it; then records the payment."""
    found = await queries.get(conn, request_id=request_id, viewer=viewer, lock=True)
    if found is None or viewer.role not in ("clinic_admin", "program_admin") or found.user_id == viewer.id:
        raise NotFound(N_("no such request you may decide on"), field="request_id")
    if form.decision not in ("approve", "return", "pay"):
        raise Invalid(N_("decision: approve, return or pay"), field="decision")
    if found.status == "submitted":
        if viewer.role != "clinic_admin":
            raise Conflict(N_("the worker's clinic decides on this request first"), field="request_id")
        if form.decision == "pay":
            raise Conflict(N_("the clinic has not approved this request yet"), field="decision")
        reason = _reason(form) if form.decision == "return" else None
        await queries.clinic_decision(
            conn, request_id=request_id, approve=form.decision == "approve", reason=reason, actor_id=viewer.id
        )
    elif found.status == "clinic_approved":
        if viewer.role != "program_admin":
            raise Conflict(N_("this request waits for the partnership now"), field="request_id")
        if form.decision == "pay":
            raise Conflict(N_("approve an amount before recording a payment"), field="decision")
        amount = None
        if form.decision == "approve":
            amount = common.money_to_cents(form.amount, "amount") if form.amount.strip() else found.cost_cents
            if amount > found.cost_cents:
                raise Invalid(
                    N_("amount: at most the cost, %(cost)s"),
                    params={"cost": common.dollars(found.cost_cents)},
                    field="amount",
                )
            if found.cap_cents is not None and found.approved_in_year_cents + amount > found.cap_cents:
                left = max(found.cap_cents - found.approved_in_year_cents, 0)
                raise Invalid(
                    N_("amount: over the %(year)s cap of %(cap)s; %(left)s remains for this worker"),
                    params={"year": found.year, "cap": common.dollars(found.cap_cents), "left": common.dollars(left)},
                    field="amount",
                )
        reason = _reason(form) if form.decision == "return" else None
        await queries.partnership_decision(
            conn, request_id=request_id, approved_cents=amount, reason=reason, actor_id=viewer.id
        )
    elif found.status == "approved":
        if viewer.role != "program_admin" or form.decision != "pay":
            raise Conflict(N_("this request is approved; the partnership records its payment"), field="decision")
        paid = common.money_to_cents(form.amount, "amount") if form.amount.strip() else found.approved_cents or 0
        if paid > (found.approved_cents or 0):
            raise Invalid(
                N_("amount: at most the approved %(approved)s"),
                params={"approved": common.dollars(found.approved_cents)},
                field="amount",
            )
        await queries.mark_paid(conn, request_id=request_id, paid_cents=paid)
    else:
        raise Conflict(
            N_("this request cannot change now: %(status)s"),
            params={"status": Text(STATUS_NAMES[found.status])},
            field="request_id",
        )
    await record(
        conn,
        actor_id=viewer.id,
        action=f"tuition.{form.decision}",
        subject=str(request_id),
        detail={"from": found.status},
    )
    decided = await queries.get(conn, request_id=request_id, viewer=viewer)
    assert decided is not None
    return decided


def storage_key(request_id: UUID, document_id: UUID) -> str:
    """Chosen here, never by the uploader."""
    return f"tuition/{request_id}/{document_id}"


async def ask_upload(
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    user: CurrentUser,
    request_id: UUID,
    form: DocumentForm,
    redirect: Any,
) -> dict[str, Any]:
    """A presigned form for one receipt or grade report (PDF, JPEG or PNG): the file goes from the browser to the store."""
    found = await queries.get(conn, request_id=request_id, viewer=user)
    if found is None or found.user_id != user.id:
        raise NotFound(N_("no such request of yours"), field="request_id")
    if form.kind not in DOCUMENT_KINDS:
        raise Invalid(N_("kind: receipt or grades"), field="kind")
    content_type = normalise_type("", form.file.strip())
    if content_type not in DOCUMENT_TYPES:
        raise Invalid(N_("file: send a PDF, JPEG or PNG file"), field="file")
    document_id = uuid4()
    key = storage_key(request_id, document_id)
    filename = safe_filename(form.file.strip()[-255:], content_type)
    await queries.add_document(
        conn,
        request_id=request_id,
        document_id=document_id,
        kind=form.kind,
        filename=filename,
        content_type=content_type,
        storage_key=key,
    )
    kind = "pdf" if content_type == "application/pdf" else "image"
    post = storage.presigned_post(key, content_type, MAX_BYTES[kind], redirect=redirect(document_id))
    return {"post": post, "filename": filename, "kind": form.kind}


async def check_upload(
    conn: asyncpg.Connection, storage: Storage, *, user: CurrentUser, request_id: UUID, document_id: UUID
) -> None:
    """After the store's redirect: the file's first bytes must say what its name said, else it is deleted."""
    found = await queries.get(conn, request_id=request_id, viewer=user)
    doc = (
        await queries.document(conn, request_id=request_id, document_id=document_id)
        if found and found.user_id == user.id
        else None
    )
    if doc is None:
        raise NotFound(N_("no such document of yours"), field="document_id")
    if doc["status"] == "ready":
        return
    if await storage.head(doc["storage_key"]) is None:
        raise Invalid(N_("file: the file did not reach the store; send it again"), field="file")
    try:
        content_type = check_content(doc["content_type"], await storage.first_bytes(doc["storage_key"], SNIFF_BYTES))
    except MediaRefused:
        await storage.delete(doc["storage_key"])
        await queries.drop_document(conn, document_id=document_id)
        raise Invalid(
            N_("file: this file is not the PDF, JPEG or PNG its name says; it was deleted"), field="file"
        ) from None
    await queries.document_ready(conn, document_id=document_id, content_type=content_type)


async def download_url(
    conn: asyncpg.Connection, storage: Storage, *, viewer: CurrentUser, request_id: UUID, document_id: UUID
) -> str:
    found = await queries.get(conn, request_id=request_id, viewer=viewer)
    doc = await queries.document(conn, request_id=request_id, document_id=document_id) if found else None
    if doc is None:
        raise NotFound(N_("no such document"), field="document_id")
    if doc["status"] != "ready":
        raise Conflict(N_("this document has not been uploaded yet"), field="document_id")
    return storage.presigned_get(doc["storage_key"], doc["content_type"], doc["filename"], expires=300, inline=False)
