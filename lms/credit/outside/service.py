"""Outside records: recording one (with its certificate file checked by content and put in the store), the clinic's
review, and the CSV import of back records."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record as audit
from lms.credit import queries as credit_queries
from lms.credit.outside import imports, queries
from lms.credit.outside.checks import check_certificate, check_record, decode_certificate
from lms.credit.outside.schemas import ImportProblem, ImportResult, OutsideRecord, OutsideRecordIn, ReviewIn
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_, say
from lms.storage import Storage

OVERLAP = N_(
    "This worker already has “%(title)s” from this provider on record for %(start)s to %(end)s, and these "
    "dates overlap it. If it is another course, give its own approval number and title; if it is the same one, it is "
    "recorded already."
)


def _clash_params(clash: dict[str, Any]) -> dict[str, Any]:
    return {"title": clash["title"], "start": clash["started_on"], "end": clash["ended_on"]}


class ImportRefused(Invalid):
    """A CSV import with bad lines: nothing stored; ``result`` names every line."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__(
            N_("%(count)s line(s) of the file need fixing; nothing was stored."),
            field="csv",
            params={"count": len(result.problems)},
            extra={"problems": [{"line": p.line, "field": p.field, "message": p.message} for p in result.problems]},
        )
        self.result = result


async def record(
    conn: asyncpg.Connection,
    storage: Storage,
    *,
    actor: CurrentUser,
    user_id: UUID,
    data: OutsideRecordIn,
    file: tuple[bytes, str] | None = None,
) -> OutsideRecord:
    """A worker records her own outside course, or a clinic admin one for a worker of her clinic. Everything is checked
    before anything is stored; the file goes to the store inside the request's transaction, so a store failure leaves
    no record."""
    if actor.role == "worker" and user_id != actor.id:
        raise Forbidden(N_("a worker records her own training"))
    rules = await credit_queries.load_rules(conn)
    check_record(data, rules, today=clinic_time.today())
    if file is None and data.certificate is not None:
        file = (decode_certificate(data.certificate.data_base64), data.certificate.filename)
    clash = (await queries.overlapping(conn, [{"user_id": user_id, **msgspec.structs.asdict(data)}])).get(0)
    if clash is not None and not (
        clash["approval_number"] == data.approval_number.strip() and clash["started_on"] == data.started_on
    ):  # an exact repeat is refused by the insert, with its own message
        raise Conflict(OVERLAP, field="started_on", params=_clash_params(clash))
    certificate = None
    if file is not None:
        content, filename = file
        content_type, name = check_certificate(content, filename)
        certificate = (f"outside/{user_id}/{uuid4()}", content_type, name, len(content))
    saved = await queries.insert_record(
        conn,
        user_id=user_id,
        clinic_id=None if actor.role == "worker" else actor.clinic_id,
        data=data,
        source="worker" if actor.role == "worker" else "clinic",
        recorded_by=actor.id,
        certificate=certificate,
    )
    if saved is None:
        raise NotFound(N_("no such worker in your clinic"), field="user_id")
    if certificate is not None and file is not None:
        await storage.put(certificate[0], file[0], certificate[1])
    await audit(
        conn,
        actor_id=actor.id,
        action="outside_record.recorded",
        subject=str(saved.id),
        detail={"worker": str(user_id), "minutes": data.minutes, "body": data.body, "file": certificate is not None},
    )
    return saved


async def review(conn: asyncpg.Connection, *, admin: CurrentUser, record_id: UUID, data: ReviewIn) -> OutsideRecord:
    """Approve, or reject with a reason; two reviews at once give one result (the second is a 409)."""
    reason = data.reason.strip()
    if data.decision == "reject" and not 3 <= len(reason) <= 500:
        raise Invalid(N_("Say why the record is rejected (3 to 500 characters)."), field="reason")
    if admin.clinic_id is None:
        raise Forbidden(N_("only a clinic's admin reviews its workers' records"))
    saved, current = await queries.review(
        conn,
        record_id=record_id,
        clinic_id=admin.clinic_id,
        reviewer_id=admin.id,
        status="approved" if data.decision == "approve" else "rejected",
        reason=reason or None,
    )
    if saved is None and current is None:
        raise NotFound(N_("no such outside record in your clinic"), field="record_id")
    if saved is None:
        raise Conflict(N_("This record has already been reviewed."), field="record_id")
    return saved


async def import_records(
    conn: asyncpg.Connection, *, admin: CurrentUser, text: str, dry_run: bool, language: str = "en"
) -> ImportResult:
    """Check every line (worker of this clinic, fields, duplicates in the file and on record); store all or none."""
    if admin.clinic_id is None:
        raise Forbidden(N_("only a clinic's admin imports its records"))
    rules = await credit_queries.load_rules(conn)
    parsed = imports.parse_records(text, rules, today=clinic_time.today())
    keys = [line.worker_key for line in parsed.lines]
    workers = await queries.clinic_workers(
        conn,
        clinic_id=admin.clinic_id,
        emails=[k[6:] for k in keys if k.startswith("email:")],
        roster_ids=[k[7:] for k in keys if k.startswith("roster:")],
    )
    rows: list[tuple[int, dict[str, Any]]] = []
    problems = list(parsed.problems)
    for line in parsed.lines:
        user_id = workers.get(line.worker_key)
        if user_id is None:
            column = "email" if line.worker_key.startswith("email:") else "roster_id"
            problems.append(
                imports.Problem(
                    line.line,
                    column,
                    N_("No active worker of your clinic is %(who)s."),
                    {"who": line.worker_key.split(":", 1)[1]},
                )
            )
            continue
        r = line.record
        rows.append(
            (
                line.line,
                {
                    "user_id": user_id,
                    "provider": r.provider.strip(),
                    "approval_number": r.approval_number.strip(),
                    "title": r.title.strip(),
                    "started_on": r.started_on,
                    "ended_on": r.ended_on,
                    "minutes": r.minutes,
                    "delivery": r.delivery,
                    "body": r.body,
                    "category": r.category,
                    "body_approved": r.body_approved,
                },
            )
        )
    on_record = await queries.already_recorded(
        conn, [(row["user_id"], row["provider"].lower(), row["approval_number"], row["started_on"]) for _, row in rows]
    )
    clashes = await queries.overlapping(conn, [row for _, row in rows])
    for i, (number, row) in enumerate(rows):
        if (row["user_id"], row["provider"].lower(), row["approval_number"], row["started_on"]) in on_record:
            problems.append(
                imports.Problem(number, "approval_number", N_("This course is already on record for this worker."))
            )
        elif (clash := clashes.get(i)) is not None:
            problems.append(imports.Problem(number, "started_on", OVERLAP, _clash_params(clash)))
    result = ImportResult(
        dry_run=dry_run,
        lines=parsed.read,
        stored=0,
        problems=[
            ImportProblem(
                line=p.line,
                field=p.field,
                message=say(language, p.template, dict(p.params)),
            )
            for p in sorted(problems, key=lambda p: p.line)
        ],
    )
    if result.problems:
        raise ImportRefused(result)
    if dry_run or not rows:
        return result
    stored = await queries.insert_imported(conn, rows=[row for _, row in rows], admin_id=admin.id)
    await audit(
        conn,
        actor_id=admin.id,
        action="outside_record.imported",
        subject=str(admin.clinic_id),
        detail={"records": stored},
    )
    return ImportResult(dry_run=False, lines=parsed.read, stored=stored)
