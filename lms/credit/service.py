"""Credit use cases: issue a certificate exactly once, show it, revoke it, and a worker's transcript. Signed
credentials are in credential_service.py, the clinics' view in clinic_service.py."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from lms import clinic_time
from lms.accounts.schemas import CurrentUser
from lms.audit.queries import record
from lms.credit import codes, queries
from lms.credit.certificates import build_facts, status_of
from lms.credit.rules import number
from lms.credit.schemas import (
    REVOCATION_REASONS,
    CertificateRow,
    CreditLine,
    PublicCertificate,
    PublicCertificateRow,
    Transcript,
)
from lms.credit.standing import body_totals, worker_renewals
from lms.errors import Conflict, Invalid, NotFound
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
