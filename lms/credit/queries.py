"""Credit SQL. One round trip per function; rows become Structs in one place."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.audit.queries import AuditEntry
from lms.clinic_time import ZONE_NAME
from lms.credit.outside import queries as outside_queries
from lms.credit.renewal import Requirement
from lms.credit.rules import CreditRule
from lms.credit.schemas import CertificateRow, CorrectionOut, Facts, KeyOut, PublicCertificateRow, WorkerCredentialOut

# Dates on certificates are California dates.


# ---------------------------------------------------------------- rules and requirements


async def load_rules(conn: asyncpg.Connection) -> dict[str, CreditRule]:
    rows = await conn.fetch(
        """SELECT b.code AS body, b.name, b.unit, b.minutes_per_unit, b.rounding, b.step::float8 AS step, b.counts_live,
                  b.counts_self_paced, b.min_minutes,
                  (SELECT coalesce(json_agg(json_build_object(
                              'category', c.category, 'name', c.name, 'max_units', c.max_units::float8,
                              'valid_months', c.valid_months) ORDER BY c.category), '[]')
                   FROM credit_categories c WHERE c.body = b.code) AS categories
           FROM accrediting_bodies b ORDER BY b.code"""
    )
    return {r["body"]: msgspec.convert(dict(r), CreditRule) for r in rows}


# A credential's renewal rule as JSON (alias r: credential_requirements).
_REQUIREMENT_JSON = """json_build_object(
    'credential', r.credential, 'name', r.name, 'body', r.body, 'units', r.units::float8, 'cycle_months', r.cycle_months,
    'max_non_live_share', r.max_non_live_share::float8, 'min_approved_units', r.min_approved_units::float8,
    'rule_text', r.rule_text, 'source', r.source, 'effective_from', r.effective_from, 'effective_until', r.effective_until,
    'version_of', r.version_of, 'first_renewal_exempt', r.first_renewal_exempt,
    'categories', (SELECT coalesce(json_agg(json_build_object(
                       'category', m.category, 'min_units', m.min_units::float8, 'needs_live', m.needs_live,
                       'must_be_current', m.must_be_current) ORDER BY m.category), '[]')
                   FROM credential_category_minimums m WHERE m.credential = r.credential),
    'caps', (SELECT coalesce(json_agg(json_build_object(
                 'category', k.category, 'max_units', k.max_units::float8, 'max_share', k.max_share::float8,
                 'live_only', k.live_only) ORDER BY k.category), '[]')
             FROM credential_category_caps k WHERE k.credential = r.credential))"""


async def rules_and_requirements(conn: asyncpg.Connection) -> tuple[dict[str, CreditRule], dict[str, Requirement]]:
    """Both rule tables in one round trip (they are small, and a report needs both)."""
    row = await conn.fetchrow(
        f"""SELECT (SELECT coalesce(json_agg(json_build_object(
                       'body', b.code, 'name', b.name, 'unit', b.unit, 'minutes_per_unit', b.minutes_per_unit,
                       'rounding', b.rounding, 'step', b.step::float8, 'counts_live', b.counts_live,
                       'counts_self_paced', b.counts_self_paced, 'min_minutes', b.min_minutes,
                       'categories', (SELECT coalesce(json_agg(json_build_object(
                                          'category', c.category, 'name', c.name, 'max_units', c.max_units::float8,
                                          'valid_months', c.valid_months) ORDER BY c.category), '[]')
                                      FROM credit_categories c WHERE c.body = b.code)) ORDER BY b.code), '[]')
                   FROM accrediting_bodies b) AS rules,
                  (SELECT coalesce(json_agg({_REQUIREMENT_JSON} ORDER BY r.credential), '[]')
                   FROM credential_requirements r) AS requirements"""
    )
    rules = {r["body"]: msgspec.convert(r, CreditRule) for r in row["rules"]}
    requirements = {r["credential"]: msgspec.convert(r, Requirement) for r in row["requirements"]}
    return rules, requirements


async def load_requirements(conn: asyncpg.Connection) -> dict[str, Requirement]:
    rows = await conn.fetch(f"SELECT {_REQUIREMENT_JSON} AS r FROM credential_requirements r ORDER BY r.credential")
    return {r["r"]["credential"]: msgspec.convert(r["r"], Requirement) for r in rows}


# ---------------------------------------------------------------- signing keys


async def active_signing_key(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT id, private_key_encrypted, created_at FROM signing_keys WHERE retired_at IS NULL"
    )


async def insert_signing_key(conn: asyncpg.Connection, *, key_id: str, encrypted: bytes) -> bool:
    """False when another process made the active key first (the partial unique index decides)."""
    done = await conn.fetchval(
        "INSERT INTO signing_keys (id, private_key_encrypted) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
        key_id,
        encrypted,
    )
    return done is not None


async def lock_key_rotation(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('signing key rotation', 0))")


async def retire_active_key(conn: asyncpg.Connection) -> str | None:
    return await conn.fetchval("UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING id")


async def list_keys(conn: asyncpg.Connection) -> list[KeyOut]:
    rows = await conn.fetch("SELECT id, created_at, retired_at FROM signing_keys ORDER BY created_at, id")
    return [msgspec.convert(dict(r), KeyOut) for r in rows]


async def key_exists(conn: asyncpg.Connection, key_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM signing_keys WHERE id = $1)", key_id)


# ---------------------------------------------------------------- issuing


async def lock_enrollment(conn: asyncpg.Connection, enrollment_id: UUID) -> None:
    """Serialise issuers of one enrolment until the transaction ends (the UNIQUE constraint is the backstop)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('certificate:' || $1::uuid::text, 0))", enrollment_id
    )


async def issue_inputs(conn: asyncpg.Connection, enrollment_id: UUID) -> dict[str, Any] | None:
    """Everything a certificate freezes, for a completed enrolment: who, what, when, and the minutes that count.

    Self-paced minutes are those of lessons and quizzes done; live minutes are attended minutes of each in-person
    activity (the best attendance, at most the activity's minutes) and the minutes of signed checkoffs.
    """
    row = await conn.fetchrow(
        f"""SELECT e.id AS enrollment_id, e.user_id, u.display_name, u.language AS user_language,
                   (e.enrolled_at AT TIME ZONE '{ZONE_NAME}')::date AS enrolled_on,
                   coalesce(c.completed_at, e.completed_at) AS completed_at,
                   (coalesce(c.completed_at, e.completed_at) AT TIME ZONE '{ZONE_NAME}')::date AS completed_on,
                   co.code AS course_code, co.track, v.id AS version_id, v.version, v.title, v.languages,
                   (SELECT coalesce(sum(p.minutes), 0)::int FROM activity_progress p
                    WHERE p.enrollment_id = e.id AND p.done AND p.kind IN ('lesson', 'quiz')) AS self_paced_minutes,
                   (SELECT coalesce(json_agg(json_build_object(
                               'key', a.key, 'kind', a.kind, 'title', a.title, 'minutes', x.minutes, 'date', x.on_date,
                               'instructor', x.instructor, 'delivery', x.delivery) ORDER BY a.position), '[]')
                    FROM version_activities a
                    CROSS JOIN LATERAL (
                        SELECT least(t.minutes, a.minutes) AS minutes, (s.starts_at AT TIME ZONE '{ZONE_NAME}')::date AS on_date,
                               i.display_name AS instructor, s.delivery
                        FROM attendance t
                        JOIN inperson_sessions s ON s.id = t.session_id
                        JOIN users i ON i.id = s.instructor_id
                        WHERE a.kind = 'in_person' AND t.enrollment_id = e.id AND s.activity_id = a.id AND t.left_at IS NOT NULL
                        UNION ALL
                        SELECT a.minutes, (k.signed_at AT TIME ZONE '{ZONE_NAME}')::date, i.display_name, 'in_person'
                        FROM checkoffs k JOIN users i ON i.id = k.instructor_id
                        WHERE a.kind = 'checkoff' AND k.enrollment_id = e.id AND k.activity_id = a.id
                        ORDER BY 1 DESC LIMIT 1) x
                    WHERE a.version_id = e.version_id AND a.kind IN ('in_person', 'checkoff')) AS in_person,
                   (SELECT coalesce(json_agg(json_build_object(
                               'body', p.body, 'provider_number', p.provider_number, 'approved_from', p.approved_from,
                               'approved_until', p.approved_until, 'category', p.category) ORDER BY p.body), '[]')
                    FROM version_approvals p WHERE p.version_id = e.version_id) AS approvals
            FROM enrollments e
            JOIN users u ON u.id = e.user_id
            JOIN course_versions v ON v.id = e.version_id
            JOIN courses co ON co.id = v.course_id
            LEFT JOIN completions c ON c.enrollment_id = e.id
            WHERE e.id = $1 AND coalesce(c.completed_at, e.completed_at) IS NOT NULL""",
        enrollment_id,
    )
    return dict(row) if row else None


async def next_status_index(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT nextval('certificate_status_index')::int")


async def insert_certificate(
    conn: asyncpg.Connection,
    *,
    certificate_id: UUID,
    code: str,
    enrollment_id: UUID,
    user_id: UUID,
    version_id: UUID,
    language: str,
    completed_at: Any,
    issued_at: Any,
    valid_until: date | None,
    facts: Any,
    status_index: int,
) -> bool:
    """False when nothing was inserted: the enrolment has its certificate already, or (rarely) the code is taken."""
    done = await conn.fetchval(
        """INSERT INTO certificates (id, code, enrollment_id, user_id, version_id, language, completed_at, issued_at,
                                     valid_until, facts, status_index)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING RETURNING id""",
        certificate_id,
        code,
        enrollment_id,
        user_id,
        version_id,
        language,
        completed_at,
        issued_at,
        valid_until,
        facts,
        status_index,
    )
    return done is not None


async def store_credential(conn: asyncpg.Connection, *, certificate_id: UUID, credential: Any, key_id: str) -> bool:
    """Keep the signed credential, once; False when another request stored one first (then read theirs)."""
    done = await conn.fetchval(
        "UPDATE certificates SET credential = $2, key_id = $3 WHERE id = $1 AND credential IS NULL RETURNING id",
        certificate_id,
        credential,
        key_id,
    )
    return done is not None


_CERT = """c.id, c.code, c.enrollment_id, c.user_id, c.language, c.completed_at, c.issued_at, c.valid_until, c.facts,
           c.key_id, c.status_index, c.revoked_at, c.revoked_reason_code AS revoked_reason, c.revoked_reason AS revoked_note,
           c.correction, (SELECT n.code FROM certificates n WHERE n.id = c.superseded_by) AS superseded_by_code"""


async def certificate_by_enrollment(conn: asyncpg.Connection, enrollment_id: UUID) -> CertificateRow | None:
    """The enrolment's standing certificate (revoked by hand included; not one a correction replaced)."""
    row = await conn.fetchrow(
        f"SELECT {_CERT} FROM certificates c WHERE c.enrollment_id = $1 AND c.correction IS NULL", enrollment_id
    )
    return msgspec.convert(dict(row), CertificateRow) if row else None


async def certificate_by_code(conn: asyncpg.Connection, code: str) -> CertificateRow | None:
    row = await conn.fetchrow(f"SELECT {_CERT} FROM certificates c WHERE c.code = $1", code)
    return msgspec.convert(dict(row), CertificateRow) if row else None


_decode_facts = msgspec.json.Decoder(Facts).decode


async def public_certificate_by_code(conn: asyncpg.Connection, code: str) -> PublicCertificateRow | None:
    """Only what a public lookup shows; the facts as stored text, decoded straight into their type."""
    row = await conn.fetchrow(
        """SELECT c.code, c.valid_until, c.facts::text, c.revoked_at, c.revoked_reason_code, n.code
           FROM certificates c LEFT JOIN certificates n ON n.id = c.superseded_by WHERE c.code = $1""",
        code,
    )
    if row is None:
        return None
    return PublicCertificateRow(
        code=row[0],
        valid_until=row[1],
        facts=_decode_facts(row[2]),
        revoked_at=row[3],
        revoked_reason=row[4],
        superseded_by_code=row[5],
    )


async def credential_by_code(conn: asyncpg.Connection, code: str) -> dict[str, Any] | None:
    return await conn.fetchval("SELECT credential FROM certificates WHERE code = $1", code)


async def code_by_id(conn: asyncpg.Connection, certificate_id: UUID) -> str | None:
    return await conn.fetchval("SELECT code FROM certificates WHERE id = $1", certificate_id)


async def user_certificates(conn: asyncpg.Connection, user_id: UUID) -> list[CertificateRow]:
    rows = await conn.fetch(
        f"SELECT {_CERT} FROM certificates c WHERE c.user_id = $1 ORDER BY c.completed_at DESC, c.code", user_id
    )
    return [msgspec.convert(dict(r), CertificateRow) for r in rows]


async def completed_without_certificate(conn: asyncpg.Connection, user_id: UUID) -> list[UUID]:
    """Completed enrolments that have no certificate yet (a listener failed, or completion predates certificates)."""
    rows = await conn.fetch(
        """SELECT e.id FROM enrollments e
           WHERE e.user_id = $1 AND e.completed_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM certificates c WHERE c.enrollment_id = e.id AND c.correction IS NULL)
           ORDER BY e.completed_at""",
        user_id,
    )
    return [r["id"] for r in rows]


async def revoke(
    conn: asyncpg.Connection, *, code: str, actor_id: UUID, reason: str, note: str
) -> CertificateRow | None:
    """Revoke once (``reason`` public, from the list; ``note`` internal); None when there is no such certificate or it
    was revoked already."""
    row = await conn.fetchrow(
        f"""UPDATE certificates c SET revoked_at = now(), revoked_by = $2, revoked_reason_code = $3, revoked_reason = $4
            WHERE c.code = $1 AND c.revoked_at IS NULL
            RETURNING {_CERT}""",
        code,
        actor_id,
        reason,
        note,
    )
    return msgspec.convert(dict(row), CertificateRow) if row else None


async def revoked_indexes(conn: asyncpg.Connection, *, first: int, last: int) -> list[int]:
    rows = await conn.fetch(
        "SELECT status_index FROM certificates WHERE revoked_at IS NOT NULL AND status_index BETWEEN $1 AND $2 ORDER BY 1",
        first,
        last,
    )
    return [r["status_index"] for r in rows]


async def status_list_version(conn: asyncpg.Connection) -> tuple[int, Any]:
    """(revoked count, latest revocation): changes whenever the lists must be signed again."""
    row = await conn.fetchrow(
        "SELECT count(*)::int AS n, max(revoked_at) AS latest FROM certificates WHERE revoked_at IS NOT NULL"
    )
    return row["n"], row["latest"]


async def max_status_index(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT coalesce(max(status_index), -1) FROM certificates")


# ---------------------------------------------------------------- clinics


async def clinic_workers_audited(
    conn: asyncpg.Connection,
    *,
    clinic_id: UUID,
    actor_id: UUID,
    fmt: str,
    months: int,
    limit: int | None = None,
    offset: int = 0,
    audit: bool = True,
) -> tuple[str | None, int, list[dict[str, Any]]]:
    """(clinic name, how many workers it has, workers of THIS clinic by name, ``limit`` of them from ``offset`` or all,
    with their credentials and the credit lines of their certificates), and, unless ``audit`` is false (the caller
    records the viewing), the audit record of this lookup (who, what, which workers were shown) written by the same
    statement."""
    rows = await conn.fetch(
        f"""WITH ws AS (
               SELECT u.id, u.display_name FROM users u WHERE u.clinic_id = $1 AND u.role = 'worker' AND u.active
               ORDER BY u.display_name, u.id LIMIT $5 OFFSET $6),
           audit AS (
               INSERT INTO audit_log (actor_id, action, subject, detail)
               SELECT $2, 'clinic.credit_lookup', $1::text,
                      jsonb_build_object('format', $3::text, 'months', $4::int, 'workers', count(ws.id),
                                         'worker_ids', coalesce(jsonb_agg(ws.id::text ORDER BY ws.display_name, ws.id)
                                                                FILTER (WHERE ws.id IS NOT NULL), '[]'::jsonb))
               FROM ws HAVING $7::bool)
           SELECT k.name AS clinic_name, u.id AS user_id, u.display_name AS name,
                  (SELECT count(*) FROM users t WHERE t.clinic_id = $1 AND t.role = 'worker' AND t.active) AS total,
                  (SELECT coalesce(json_agg(json_build_object('credential', w.credential, 'cycle_start', w.cycle_start, 'licensed_on', w.licensed_on)
                                            ORDER BY w.credential), '[]')
                   FROM worker_credentials w WHERE w.user_id = u.id) AS credentials,
                  (SELECT coalesce(json_agg(json_build_object(
                              'code', c.code, 'completed_on', c.facts ->> 'completed_on', 'revoked', c.revoked_at IS NOT NULL,
                              'credits', c.facts -> 'credits', 'live_minutes', c.facts -> 'live_minutes',
                              'in_person_minutes', c.facts -> 'in_person_minutes',
                              'valid_until', c.valid_until) ORDER BY c.completed_at), '[]')
                   FROM certificates c WHERE c.user_id = u.id) AS certificates,
                  {outside_queries.APPROVED_JSON} AS outside
           FROM clinics k
           LEFT JOIN ws u ON true
           WHERE k.id = $1
           ORDER BY u.display_name, u.id""",
        clinic_id,
        actor_id,
        fmt,
        months,
        limit,
        offset,
        audit,
    )
    if not rows:
        return None, 0, []
    return rows[0]["clinic_name"], rows[0]["total"], [dict(r) for r in rows if r["user_id"] is not None]


def credit_lookup_entry(*, clinic_id: UUID, actor_id: UUID, fmt: str, months: int, worker_ids: list[str]) -> AuditEntry:
    """The audit record ``clinic_workers_audited`` writes, for a viewing of kept figures (lms.kept_figures)."""
    detail = {"format": fmt, "months": months, "workers": len(worker_ids), "worker_ids": worker_ids}
    return AuditEntry(actor_id=actor_id, action="clinic.credit_lookup", subject=str(clinic_id), detail=detail)


async def clinic_id_by_slug(conn: asyncpg.Connection, slug: str) -> UUID | None:
    return await conn.fetchval("SELECT id FROM clinics WHERE slug = $1", slug)


async def set_worker_credential(
    conn: asyncpg.Connection,
    *,
    clinic_id: UUID,
    user_id: UUID,
    credential: str,
    cycle_start: date,
    recorded_by: UUID,
    licensed_on: date | None = None,
) -> WorkerCredentialOut | None:
    """Record (or move) a worker's credential cycle; None unless the worker is in this clinic and the credential exists
    (a credential, not one of its rule's versions)."""
    row = await conn.fetchrow(
        """INSERT INTO worker_credentials (user_id, credential, cycle_start, recorded_by, licensed_on)
           SELECT u.id, r.credential, $4, $5, $6
           FROM users u JOIN credential_requirements r ON r.credential = $3 AND r.version_of IS NULL
           WHERE u.id = $2 AND u.clinic_id = $1 AND u.role = 'worker'
           ON CONFLICT (user_id, credential) DO UPDATE
               SET cycle_start = EXCLUDED.cycle_start, recorded_by = EXCLUDED.recorded_by, recorded_at = now(),
                   licensed_on = coalesce(EXCLUDED.licensed_on, worker_credentials.licensed_on)
           RETURNING user_id, credential, cycle_start, licensed_on""",
        clinic_id,
        user_id,
        credential,
        cycle_start,
        recorded_by,
        licensed_on,
    )
    return msgspec.convert(dict(row), WorkerCredentialOut) if row else None


# ---------------------------------------------------------------- corrections


async def revoke_by_correction(
    conn: asyncpg.Connection, *, certificate_id: UUID, actor_id: UUID | None, outcome: str
) -> None:
    await conn.execute(
        """UPDATE certificates SET revoked_at = now(), revoked_by = $2, revoked_reason = 'record corrected',
                                  revoked_reason_code = 'record_corrected', correction = $3
           WHERE id = $1 AND revoked_at IS NULL""",
        certificate_id,
        actor_id,
        outcome,
    )


async def mark_superseded(conn: asyncpg.Connection, *, certificate_id: UUID, replaced_by: UUID) -> None:
    await conn.execute(
        "UPDATE certificates SET superseded_by = $2 WHERE id = $1 AND superseded_by IS NULL",
        certificate_id,
        replaced_by,
    )


async def insert_correction(
    conn: asyncpg.Connection,
    *,
    certificate_id: UUID,
    replaced_by: UUID | None,
    user_id: UUID,
    outcome: str,
    reason: str,
    changes: dict[str, Any],
    actor_id: UUID | None,
) -> None:
    await conn.execute(
        """INSERT INTO certificate_corrections (certificate_id, replaced_by, user_id, outcome, reason, changes, actor_id)
           VALUES ($1, $2, $3, $4, left($5, 500), $6, $7)""",
        certificate_id,
        replaced_by,
        user_id,
        outcome,
        reason or "record corrected",
        changes,
        actor_id,
    )


_CORRECTION = """o.code, n.code AS replaced_by, k.outcome, k.reason, k.changes, k.corrected_at,
                 o.facts ->> 'course_code' AS course_code, o.facts ->> 'course_title' AS course_title, u.display_name AS worker_name"""
_CORRECTION_FROM = """certificate_corrections k JOIN certificates o ON o.id = k.certificate_id
                      LEFT JOIN certificates n ON n.id = k.replaced_by JOIN users u ON u.id = k.user_id"""


async def corrections_for_worker(conn: asyncpg.Connection, user_id: UUID) -> list[CorrectionOut]:
    rows = await conn.fetch(
        f"SELECT {_CORRECTION} FROM {_CORRECTION_FROM} WHERE k.user_id = $1 ORDER BY k.corrected_at DESC LIMIT 200",
        user_id,
    )
    return [msgspec.convert(dict(r), CorrectionOut) for r in rows]


async def corrections_for_clinic(conn: asyncpg.Connection, clinic_id: UUID) -> list[CorrectionOut]:
    """Corrections of this clinic's workers' certificates (the clinic in the WHERE)."""
    rows = await conn.fetch(
        f"""SELECT {_CORRECTION} FROM {_CORRECTION_FROM}
            WHERE u.clinic_id = $1 ORDER BY k.corrected_at DESC LIMIT 200""",
        clinic_id,
    )
    return [msgspec.convert(dict(r), CorrectionOut) for r in rows]


async def worker_renewal_inputs(conn: asyncpg.Connection, user_id: UUID) -> dict[str, Any]:
    """One worker's credentials and certificate credit lines, shaped like a row of ``clinic_workers_audited``."""
    row = await conn.fetchrow(
        f"""SELECT u.id AS user_id, u.display_name AS name,
                  (SELECT coalesce(json_agg(json_build_object('credential', w.credential, 'cycle_start', w.cycle_start, 'licensed_on', w.licensed_on)
                                            ORDER BY w.credential), '[]')
                   FROM worker_credentials w WHERE w.user_id = u.id) AS credentials,
                  (SELECT coalesce(json_agg(json_build_object(
                              'code', c.code, 'completed_on', c.facts ->> 'completed_on', 'revoked', c.revoked_at IS NOT NULL,
                              'credits', c.facts -> 'credits', 'live_minutes', c.facts -> 'live_minutes',
                              'in_person_minutes', c.facts -> 'in_person_minutes',
                              'valid_until', c.valid_until) ORDER BY c.completed_at), '[]')
                   FROM certificates c WHERE c.user_id = u.id) AS certificates,
                  {outside_queries.APPROVED_JSON} AS outside
           FROM users u WHERE u.id = $1""",
        user_id,
    )
    return dict(row)
