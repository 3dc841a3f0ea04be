"""Credit use cases: issue a certificate exactly once, sign it, show it, revoke it, publish keys and the status list,
a worker's transcript, and a clinic's view of its workers against their renewal requirements."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from litestar.concurrency import sync_to_thread

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.credit import codes, keys, queries, signing, status_list
from lms.credit.certificates import build_facts, status_of
from lms.credit.credential import open_badge
from lms.credit.rules import add_months, number
from lms.credit.schemas import (
    REVOCATION_REASONS,
    CertificateRow,
    ClinicReport,
    CreditLine,
    PublicCertificate,
    PublicCertificateRow,
    Transcript,
    VerificationResult,
)
from lms.credit.standing import body_totals, worker_credit, worker_renewals
from lms.credit.verification import verify_credential
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.i18n import N_
from lms.learning import attendance
from lms.settings import Settings

log = logging.getLogger("lms.credit")
T = TypeVar("T")


# ---------------------------------------------------------------- issuing


async def issue_certificate(conn: asyncpg.Connection, enrollment_id: UUID) -> CertificateRow | None:
    """The enrolment's certificate, issued now if it has none: exactly once however many callers race.

    None when the enrolment is not complete. Facts are frozen here; the signed credential is made by
    ``ensure_credential`` (at once where the service's settings are at hand, else on first need).
    """
    await queries.lock_enrollment(conn, enrollment_id)
    existing = await queries.certificate_by_enrollment(conn, enrollment_id)
    if existing is not None:
        return existing
    inputs = await queries.issue_inputs(conn, enrollment_id)
    if inputs is None:
        return None
    rules = await queries.load_rules(conn)
    issued_at = datetime.now(UTC).replace(microsecond=0)
    for _attempt in range(5):
        code = codes.new_code()
        facts = build_facts(inputs, rules, code=code, issued_at=issued_at)
        inserted = await queries.insert_certificate(
            conn,
            certificate_id=uuid.uuid4(),
            code=code,
            enrollment_id=enrollment_id,
            user_id=inputs["user_id"],
            version_id=inputs["version_id"],
            language=facts.language,
            completed_at=inputs["completed_at"],
            issued_at=issued_at,
            valid_until=facts.valid_until,
            facts=msgspec.to_builtins(facts),
            status_index=await queries.next_status_index(conn),
        )
        found = await queries.certificate_by_enrollment(conn, enrollment_id)
        if inserted or found is not None:
            return found
    raise Conflict(N_("could not find a free certificate code; try again"))  # pragma: no cover - 31^9 codes


async def on_completion(conn: asyncpg.Connection, enrollment_id: UUID) -> None:
    """Completion listener: issue the certificate inside the completion transaction.

    A failure here must not undo the worker's completion, so it runs in a savepoint and is logged; the transcript
    issues any certificate still missing the next time the worker opens it.
    """
    try:
        async with conn.transaction():
            await issue_certificate(conn, enrollment_id)
    except Exception:  # noqa: BLE001 - logged, and retried from the transcript
        log.exception("certificate for enrollment %s not issued at completion; it will be issued later", enrollment_id)


async def issue_missing(conn: asyncpg.Connection, user_id: UUID) -> None:
    for enrollment_id in await queries.completed_without_certificate(conn, user_id):
        async with conn.transaction():
            await issue_certificate(conn, enrollment_id)


async def ensure_credential(conn: asyncpg.Connection, cert: CertificateRow, settings: Settings) -> dict[str, Any]:
    """The certificate's signed OpenBadgeCredential, signed once with the active key and then kept as it is."""
    stored = await queries.credential_by_code(conn, cert.code)
    if stored is not None:
        return stored
    key = await keys.active_key(conn, secret_key=settings.secret_key)
    unsigned = open_badge(
        cert.facts, certificate_id=cert.id, status_index=cert.status_index, public_base_url=settings.public_base_url
    )
    signed = await sync_to_thread(
        signing.sign,
        unsigned,
        private_key=key.private_key,
        verification_method=keys.verification_method(settings.public_base_url, key.id),
    )
    if await queries.store_credential(conn, certificate_id=cert.id, credential=signed, key_id=key.id):
        return signed
    theirs = await queries.credential_by_code(conn, cert.code)  # another request signed it first
    if theirs is None:
        raise NotFound(N_("No certificate has this code."))
    return theirs


# ---------------------------------------------------------------- reading


def verify_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{codes.grouped(code)}"


def public_view(
    cert: CertificateRow | PublicCertificateRow, settings: Settings, *, now: datetime | None = None
) -> PublicCertificate:
    now = now or datetime.now(UTC)
    return PublicCertificate(
        code=codes.grouped(cert.code),
        status=status_of(
            revoked_at=cert.revoked_at,
            valid_until=cert.valid_until,
            today=now.astimezone(clinic_time.ZONE).date(),
            superseded=cert.superseded_by_code is not None,
        ),
        status_checked_at=now.replace(microsecond=0),
        revoked_at=cert.revoked_at,
        revoked_reason=cert.revoked_reason,
        verify_url=verify_url(settings, cert.code),
        facts=cert.facts,
        superseded_by=codes.grouped(cert.superseded_by_code) if cert.superseded_by_code else None,
    )


async def _by_typed_code(
    conn: asyncpg.Connection, typed_code: str, read: Callable[[asyncpg.Connection, str], Awaitable[T | None]]
) -> T:
    """By a code as typed; unknown and malformed codes are the same 404, with no hint."""
    code = codes.normalize(typed_code)
    found = await read(conn, code) if code else None
    if found is None:
        raise NotFound(N_("No certificate has this code."))
    return found


async def public_certificate(conn: asyncpg.Connection, typed_code: str, settings: Settings) -> PublicCertificate:
    """What anyone with the code sees (the verify page and its JSON), read with only the columns it shows."""
    return public_view(await _by_typed_code(conn, typed_code, queries.public_certificate_by_code), settings)


async def find_certificate(conn: asyncpg.Connection, typed_code: str) -> CertificateRow:
    return await _by_typed_code(conn, typed_code, queries.certificate_by_code)


async def transcript(conn: asyncpg.Connection, user: CurrentUser, settings: Settings) -> Transcript:
    # Sessions that ended while she was still checked in count up to their end from now on (and may complete courses).
    await attendance.close_ended(conn, user_id=user.id, base_url=settings.public_base_url)
    await issue_missing(conn, user.id)
    certs = await queries.user_certificates(conn, user.id)
    counted = [c for c in certs if c.revoked_at is None]
    minutes = sum(c.facts.contact_minutes for c in counted)
    return Transcript(
        worker_name=user.display_name,
        contact_hours=number(Decimal(minutes) / 60),
        totals=body_totals(certs, await queries.load_rules(conn)),
        certificates=[public_view(c, settings) for c in certs],
        corrections=await queries.corrections_for_worker(conn, user.id),
        renewals=await worker_renewals(conn, user.id),
    )


def transcript_table(data: Transcript) -> tuple[list[str], list[list[Any]]]:
    """The transcript as a CSV table (written by lms.reports.exports, the one CSV writer)."""
    header = [
        "code",
        "status",
        "course_code",
        "course_title",
        "version",
        "enrolled_on",
        "completed_on",
        "contact_hours",
        "live_minutes",
        "self_paced_minutes",
        "body",
        "provider_number",
        "category",
        "credit",
        "unit",
        "live_credit",
        "non_live_credit",
        "valid_until",
        "verify_url",
    ]
    rows: list[list[Any]] = []
    for cert in data.certificates:
        f = cert.facts
        lines: list[CreditLine | None] = [*f.credits] or [None]  # a certificate without credit is one line too
        for line in lines:
            rows.append(
                [
                    cert.code,
                    cert.status,
                    f.course_code,
                    f.course_title,
                    f.course_version,
                    f.enrolled_on,
                    f.completed_on,
                    f.contact_hours,
                    f.live_minutes,
                    f.self_paced_minutes,
                    line.body if line else "",
                    line.provider_number if line else "",
                    (line.approval_category or "") if line else "",
                    line.credit if line else "",
                    line.unit if line else "",
                    line.live_credit if line else "",
                    line.non_live_credit if line else "",
                    f.valid_until or "",
                    cert.verify_url,
                ]
            )
    return header, rows


# ---------------------------------------------------------------- revocation


async def revoke(
    conn: asyncpg.Connection, *, typed_code: str, actor: CurrentUser, reason: str, note: str
) -> CertificateRow:
    """``reason``: one of REVOCATION_REASONS, shown publicly; ``note``: what happened, seen by program admins only."""
    cert = await find_certificate(conn, typed_code)
    if reason not in REVOCATION_REASONS:
        raise Invalid(
            N_("Choose a reason from the list: %(reasons)s."),
            params={"reasons": ", ".join(REVOCATION_REASONS)},
            field="reason",
        )
    note = note.strip()
    if not 3 <= len(note) <= 500:
        raise Invalid(N_("Give an internal note of 3 to 500 characters."), field="note")
    revoked = await queries.revoke(conn, code=cert.code, actor_id=actor.id, reason=reason, note=note)
    if revoked is None:
        raise Conflict(N_("This certificate was revoked already."), field="code")
    await record(
        conn,
        actor_id=actor.id,
        action="certificate.revoke",
        subject=cert.code,
        detail={"reason": reason, "note": note, "enrollment_id": str(cert.enrollment_id), "user_id": str(cert.user_id)},
    )
    return revoked


# ---------------------------------------------------------------- keys, status list, verification


async def did_document(conn: asyncpg.Connection, settings: Settings) -> dict[str, Any]:
    await keys.active_key(conn, secret_key=settings.secret_key)  # made on first use, so the document is never empty
    published = await queries.list_keys(conn)
    return keys.did_document(settings.public_base_url, [k.id for k in published])


_STATUS_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


async def status_list_credential(conn: asyncpg.Connection, settings: Settings, number_: int) -> dict[str, Any]:
    """The signed list; re-signed only when a revocation changed it (or the key rotated)."""
    if number_ < 1 or number_ > status_list.list_number(max(await queries.max_status_index(conn), 0)):
        raise NotFound(N_("No such status list."))
    key = await keys.active_key(conn, secret_key=settings.secret_key)
    version = await queries.status_list_version(conn)
    cache_key = (settings.public_base_url, number_, key.id, *version)
    cached = _STATUS_CACHE.get(cache_key)
    if cached is not None:
        return cached
    first = (number_ - 1) * status_list.LIST_SIZE
    revoked = await queries.revoked_indexes(conn, first=first, last=first + status_list.LIST_SIZE - 1)
    unsigned = status_list.status_list_credential(
        settings.public_base_url,
        number_,
        issuer=keys.did_web(settings.public_base_url),
        revoked_indexes=revoked,
        valid_from=signing.now_iso(),
    )
    signed = await sync_to_thread(
        signing.sign,
        unsigned,
        private_key=key.private_key,
        verification_method=keys.verification_method(settings.public_base_url, key.id),
    )
    if len(_STATUS_CACHE) > 64:
        _STATUS_CACHE.clear()
    _STATUS_CACHE[cache_key] = signed
    return signed


async def verify_document(conn: asyncpg.Connection, settings: Settings, document: Any) -> VerificationResult:
    """Check a credential as any verifier would, resolving this service's own DID and status lists locally."""
    did = keys.did_web(settings.public_base_url)
    base = status_list.list_url(settings.public_base_url, 1).rsplit("/", 1)[0] + "/"

    async def resolve_key(method: str) -> bytes | None:
        controller, _, key_id = method.partition("#")
        if controller != did or not await queries.key_exists(conn, key_id):
            return None
        try:
            return signing.public_from_multibase(key_id)
        except signing.ProofError:
            return None

    async def load_list(url: str) -> dict[str, Any] | None:
        tail = url[len(base) :] if url.startswith(base) else ""
        if not tail.isdigit():
            return None
        try:
            return await status_list_credential(conn, settings, int(tail))
        except NotFound:
            return None

    result = await verify_credential(document, resolve_key=resolve_key, load_status_list=load_list)
    if not result.checks["proof"] or not str(document.get("id", "")).startswith("urn:uuid:"):
        return result
    try:
        certificate_id = UUID(document["id"][len("urn:uuid:") :])
    except ValueError:
        return result
    code = await queries.code_by_id(conn, certificate_id)
    return msgspec.structs.replace(result, code=codes.grouped(code) if code else None)


# ---------------------------------------------------------------- clinics

CLINIC_PAGE_SIZE = 50


async def viewer_clinic(conn: asyncpg.Connection, *, viewer: CurrentUser, clinic_slug: str | None) -> UUID:
    """The clinic whose credit this viewer may see: a clinic admin their own, a program admin the one named."""
    if viewer.role == "clinic_admin":
        clinic_id = viewer.clinic_id
    elif viewer.role == "program_admin":
        if not clinic_slug:
            raise Invalid(N_("Name the clinic."), field="clinic")
        clinic_id = await queries.clinic_id_by_slug(conn, clinic_slug)
    else:
        raise Forbidden(N_("Only clinic admins see their workers' credit."))
    if clinic_id is None:
        raise NotFound(N_("No such clinic."), field="clinic")
    return clinic_id


async def clinic_report(
    conn: asyncpg.Connection,
    *,
    viewer: CurrentUser,
    clinic_slug: str | None,
    months: int,
    fmt: str,
    today: date | None = None,
    page: int | None = None,
    short_only: bool = False,
    audit: bool = True,
) -> ClinicReport:
    """Each worker of the viewer's clinic (program admins: the clinic named), their credit per body in the last
    ``months`` months, and every credential they hold checked against its renewal requirement. Audit-logged.

    ``page`` (from 1): that page of CLINIC_PAGE_SIZE workers by name, else all. ``short_only``: only the workers
    short of a requirement (every worker is checked, then the page is taken from those)."""
    clinic_id = await viewer_clinic(conn, viewer=viewer, clinic_slug=clinic_slug)
    today = today or clinic_time.today()
    since = add_months(today, -months)
    offset = (page - 1) * CLINIC_PAGE_SIZE if page else 0
    paged_in_sql = page is not None and not short_only
    clinic_name, total, workers = await queries.clinic_workers_audited(
        conn,
        clinic_id=clinic_id,
        actor_id=viewer.id,
        fmt=fmt,
        months=months,
        limit=CLINIC_PAGE_SIZE if paged_in_sql else None,
        offset=offset if paged_in_sql else 0,
        audit=audit,
    )
    if clinic_name is None:
        raise NotFound(N_("No such clinic."), field="clinic")
    rules, requirements = await queries.rules_and_requirements(conn)
    out = [worker_credit(w, rules, requirements, since=since, today=today) for w in workers]
    if short_only:
        out = [w for w in out if w.meets is False]
        total = len(out)
        if page is not None:
            out = out[offset : offset + CLINIC_PAGE_SIZE]
    return ClinicReport(
        clinic_id=clinic_id,
        clinic_name=clinic_name,
        as_of=today,
        since=since,
        workers=out,
        credential_names={key: r.name for key, r in requirements.items() if r.version_of is None},
        total_workers=total,
        first=offset + 1 if out else 0,
        corrections=await queries.corrections_for_clinic(conn, clinic_id),
    )


def clinic_table(report: ClinicReport) -> tuple[list[str], list[list[Any]]]:
    """Clinic credit as a CSV table (written by lms.reports.exports, the one CSV writer: names are typed by people)."""
    header = [
        "worker",
        "credential",
        "body",
        "cycle_start",
        "cycle_end",
        "required",
        "counted",
        "earned",
        "live",
        "non_live",
        "meets",
        "short_of",
    ]
    rows: list[list[Any]] = []
    for worker in report.workers:
        if not worker.credentials:
            rows.append([worker.name, "", "", "", "", "", "", "", "", "", "", ""])
        for s in worker.credentials:
            short = "; ".join(
                f"{x.kind}{':' + x.category if x.category else ''} {x.have}/{x.needed}"
                if x.kind != "live"
                else f"live:{x.category}"
                for x in s.shortfalls
            )
            rows.append(
                [
                    worker.name,
                    s.credential,
                    s.body,
                    s.cycle_start,
                    s.cycle_end,
                    s.required,
                    s.counted,
                    s.earned,
                    s.live,
                    s.non_live,
                    "yes" if s.meets else "no",
                    short,
                ]
            )
    return header, rows


async def set_worker_credential(
    conn: asyncpg.Connection,
    *,
    viewer: CurrentUser,
    user_id: UUID,
    credential: str,
    cycle_start: date,
    licensed_on: date | None = None,
):
    if viewer.clinic_id is None:
        raise Forbidden(N_("Only a clinic's admin records its workers' credentials."))
    if licensed_on is not None and licensed_on > clinic_time.today():
        raise Invalid(N_("The licence's first issue date cannot be in the future."), field="licensed_on")
    saved = await queries.set_worker_credential(
        conn,
        clinic_id=viewer.clinic_id,
        user_id=user_id,
        credential=credential,
        cycle_start=cycle_start,
        recorded_by=viewer.id,
        licensed_on=licensed_on,
    )
    if saved is None:
        requirements = await queries.load_requirements(conn)
        known = sorted(key for key, r in requirements.items() if r.version_of is None)
        if credential not in known:
            raise Invalid(
                N_("Unknown credential '%(credential)s'; known: %(known)s."),
                params={"credential": credential, "known": ", ".join(known)},
                field="credential",
            )
        raise NotFound(N_("No worker of your clinic has this id."), field="user_id")
    await record(
        conn,
        actor_id=viewer.id,
        action="clinic.worker_credential",
        subject=str(user_id),
        detail={
            "credential": credential,
            "cycle_start": cycle_start.isoformat(),
            **({"licensed_on": licensed_on.isoformat()} if licensed_on else {}),
        },
    )
    return saved
