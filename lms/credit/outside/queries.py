"""Outside-record SQL. Who may see or review a record is decided in each query's WHERE: the worker herself, a clinic
admin of the worker's clinic, or (reading only) a program admin."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.credit.outside.schemas import OutsideRecord, OutsideRecordIn
from lms.errors import Conflict
from lms.i18n import N_

_RECORD = """o.id, o.user_id, u.display_name AS worker_name, o.provider, o.approval_number, o.title, o.started_on,
             o.ended_on, o.minutes, o.delivery, o.body, o.category, o.body_approved,
             o.certificate_key IS NOT NULL AS has_certificate, o.certificate_name, o.source, o.recorded_at, o.status,
             o.reviewed_at, o.review_reason"""
_FROM = "outside_records o JOIN users u ON u.id = o.user_id"
# What an INSERT or UPDATE returns for _RECORD to read.
_RETURNED = """o.id, o.user_id, o.provider, o.approval_number, o.title, o.started_on, o.ended_on, o.minutes, o.delivery, o.body,
               o.category, o.body_approved, o.certificate_key, o.certificate_name, o.source, o.recorded_at, o.status,
               o.reviewed_at, o.review_reason, o.reviewed_by"""

# A worker's approved outside records as the renewal rules read them (alias u: users), beside her certificates.
APPROVED_JSON = """(SELECT coalesce(json_agg(json_build_object(
                        'id', o.id, 'ended_on', o.ended_on, 'minutes', o.minutes, 'delivery', o.delivery, 'body', o.body,
                        'category', o.category, 'body_approved', o.body_approved) ORDER BY o.ended_on, o.id), '[]')
                    FROM outside_records o WHERE o.user_id = u.id AND o.status = 'approved')"""

_DUPLICATE = N_("This course is already recorded for this worker (same provider, approval number and first day).")


def _row(row: Any) -> OutsideRecord:
    return msgspec.convert(dict(row), OutsideRecord)


async def insert_record(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    clinic_id: UUID | None,
    data: OutsideRecordIn,
    source: str,
    recorded_by: UUID,
    certificate: tuple[str, str, str, int] | None,
) -> OutsideRecord | None:
    """None unless the worker exists (and, when ``clinic_id`` is given, is a worker of that clinic)."""
    key, content_type, name, size = certificate or (None, None, None, None)
    try:
        async with conn.transaction():
            row = await conn.fetchrow(
                f"""WITH o AS (
                        INSERT INTO outside_records AS o (user_id, provider, approval_number, title, started_on, ended_on, minutes,
                                                     delivery, body, category, body_approved, certificate_key,
                                                     certificate_type, certificate_name, certificate_bytes, source, recorded_by)
                        SELECT u.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18
                        FROM users u WHERE u.id = $1 AND u.role = 'worker' AND u.active AND ($2::uuid IS NULL OR u.clinic_id = $2)
                        RETURNING {_RETURNED})
                    SELECT {_RECORD} FROM o JOIN users u ON u.id = o.user_id""",
                user_id,
                clinic_id,
                data.provider.strip(),
                data.approval_number.strip(),
                data.title.strip(),
                data.started_on,
                data.ended_on,
                data.minutes,
                data.delivery,
                data.body,
                data.category,
                data.body_approved,
                key,
                content_type,
                name,
                size,
                source,
                recorded_by,
            )
    except asyncpg.UniqueViolationError:
        raise Conflict(_DUPLICATE, field="approval_number") from None
    return _row(row) if row else None


async def for_worker(conn: asyncpg.Connection, user_id: UUID) -> list[OutsideRecord]:
    rows = await conn.fetch(
        f"SELECT {_RECORD} FROM {_FROM} WHERE o.user_id = $1 ORDER BY o.ended_on DESC, o.recorded_at DESC", user_id
    )
    return [_row(r) for r in rows]


async def for_clinic(
    conn: asyncpg.Connection, clinic_id: UUID, *, status: str | None, limit: int = 500
) -> list[OutsideRecord]:
    """This clinic's workers' records (the clinic in the WHERE), waiting ones first."""
    rows = await conn.fetch(
        f"""SELECT {_RECORD} FROM {_FROM}
            WHERE u.clinic_id = $1 AND ($2::text IS NULL OR o.status = $2)
            ORDER BY o.status <> 'pending', o.recorded_at DESC LIMIT $3""",
        clinic_id,
        status,
        limit,
    )
    return [_row(r) for r in rows]


async def review(
    conn: asyncpg.Connection,
    *,
    record_id: UUID,
    clinic_id: UUID,
    reviewer_id: UUID,
    status: str,
    reason: str | None,
) -> tuple[OutsideRecord | None, str | None]:
    """(the reviewed record, None) or (None, its current status: already reviewed) or (None, None: not of this clinic).
    The status test in the WHERE makes two reviews at once one result: the second finds it no longer pending."""
    row = await conn.fetchrow(
        f"""WITH r AS (
                UPDATE outside_records o SET status = $4, review_reason = $5, reviewed_by = $3, reviewed_at = now()
                FROM users w WHERE o.id = $1 AND w.id = o.user_id AND w.clinic_id = $2 AND o.status = 'pending'
                RETURNING {_RETURNED}),
            a AS (
                INSERT INTO audit_log (actor_id, action, subject, detail)
                SELECT $3, 'outside_record.' || r.status, r.id::text,
                       jsonb_build_object('worker', r.user_id, 'reason', r.review_reason, 'minutes', r.minutes, 'body', r.body)
                FROM r)
            SELECT {_RECORD}, NULL AS current FROM r o JOIN users u ON u.id = o.user_id
            UNION ALL
            SELECT {_RECORD}, o.status AS current FROM {_FROM}
            WHERE o.id = $1 AND u.clinic_id = $2 AND NOT EXISTS (SELECT 1 FROM r)""",
        record_id,
        clinic_id,
        reviewer_id,
        status,
        reason,
    )
    if row is None:
        return None, None
    if row["current"] is not None:
        return None, row["current"]
    return _row({k: v for k, v in dict(row).items() if k != "current"}), None


async def certificate_file(conn: asyncpg.Connection, *, record_id: UUID, viewer: CurrentUser) -> asyncpg.Record | None:
    """The record's certificate file, for the worker, a clinic admin of her clinic, or a program admin."""
    return await conn.fetchrow(
        """SELECT o.certificate_key, o.certificate_type, o.certificate_name FROM outside_records o JOIN users u ON u.id = o.user_id
           WHERE o.id = $1 AND o.certificate_key IS NOT NULL
             AND (o.user_id = $2 OR $3::text = 'program_admin' OR ($3::text = 'clinic_admin' AND u.clinic_id = $4))""",
        record_id,
        viewer.id,
        viewer.role,
        viewer.clinic_id,
    )


async def clinic_workers(
    conn: asyncpg.Connection, *, clinic_id: UUID, emails: list[str], roster_ids: list[str]
) -> dict[str, UUID]:
    """Active workers of this clinic by lower-case email and by roster id (the keys a CSV line may use)."""
    rows = await conn.fetch(
        """SELECT id, lower(email) AS email, roster_id FROM users
           WHERE clinic_id = $1 AND role = 'worker' AND active AND (lower(email) = ANY($2::text[]) OR roster_id = ANY($3::text[]))""",
        clinic_id,
        emails,
        roster_ids,
    )
    found: dict[str, UUID] = {}
    for r in rows:
        if r["email"]:
            found[f"email:{r['email']}"] = r["id"]
        if r["roster_id"]:
            found[f"roster:{r['roster_id']}"] = r["id"]
    return found


async def already_recorded(
    conn: asyncpg.Connection, keys: list[tuple[UUID, str, str, Any]]
) -> set[tuple[UUID, str, str, Any]]:
    """Which (worker, lower(provider), approval number, first day) are already recorded and not rejected."""
    if not keys:
        return set()
    rows = await conn.fetch(
        """SELECT o.user_id, lower(o.provider) AS provider, o.approval_number, o.started_on
           FROM outside_records o JOIN unnest($1::uuid[], $2::text[], $3::text[], $4::date[]) AS k (user_id, provider, approval_number, started_on)
             ON o.user_id = k.user_id AND lower(o.provider) = k.provider AND o.approval_number = k.approval_number
            AND o.started_on = k.started_on
           WHERE o.status <> 'rejected'""",
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
    )
    return {(r["user_id"], r["provider"], r["approval_number"], r["started_on"]) for r in rows}


async def insert_imported(conn: asyncpg.Connection, *, rows: list[dict[str, Any]], admin_id: UUID) -> int:
    """Back records a clinic admin imports: recorded and approved by her in one statement (all or nothing)."""
    try:
        async with conn.transaction():
            return await conn.fetchval(
                """WITH i AS (
                       INSERT INTO outside_records AS o (user_id, provider, approval_number, title, started_on, ended_on, minutes,
                                                    delivery, body, category, body_approved, source, recorded_by, status,
                                                    reviewed_by, reviewed_at, review_reason)
                       SELECT r.user_id, r.provider, r.approval_number, r.title, r.started_on, r.ended_on, r.minutes, r.delivery,
                              r.body, r.category, r.body_approved, 'import', $2, 'approved', $2, now(), 'imported from the clinic''s records'
                       FROM jsonb_to_recordset($1::jsonb) AS r (user_id uuid, provider text, approval_number text, title text,
                            started_on date, ended_on date, minutes int, delivery text, body text, category text, body_approved bool)
                       RETURNING id)
                   SELECT count(*) FROM i""",
                [
                    {k: str(v) if v is not None and not isinstance(v, (bool, int)) else v for k, v in r.items()}
                    for r in rows
                ],
                admin_id,
            )
    except asyncpg.UniqueViolationError:
        raise Conflict(_DUPLICATE, field="csv") from None


# The same course: same provider, and the same approval number or the same title (as a clinic retypes it).
_SAME_COURSE_OVERLAPPING = """o.status <> 'rejected' AND o.user_id = k.user_id AND lower(o.provider) = k.provider
                              AND (o.approval_number = k.approval_number OR lower(o.title) = k.title)
                              AND o.started_on <= k.ended_on AND k.started_on <= o.ended_on"""


async def overlapping(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """Index of each row (worker, provider, approval number, title, dates) -> an outside record not rejected of the
    same worker and course whose dates overlap it. Takes each worker's lock first, so two overlapping records sent at
    once cannot both pass (the second waits and then sees the first)."""
    if not rows:
        return {}
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('outside_records:' || w::text, 0)) "
        "FROM (SELECT DISTINCT unnest($1::uuid[]) AS w ORDER BY 1) x",
        [r["user_id"] for r in rows],
    )
    found = await conn.fetch(
        f"""SELECT DISTINCT ON (k.i) k.i, o.title, o.approval_number, o.started_on, o.ended_on
            FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[])
                 AS k (i, user_id, provider, approval_number, title, started_on, ended_on)
            JOIN outside_records o ON {_SAME_COURSE_OVERLAPPING}
            ORDER BY k.i, o.started_on""",
        list(range(len(rows))),
        [r["user_id"] for r in rows],
        [r["provider"].strip().lower() for r in rows],
        [r["approval_number"].strip() for r in rows],
        [r["title"].strip().lower() for r in rows],
        [r["started_on"] for r in rows],
        [r["ended_on"] for r in rows],
    )
    return {r["i"]: dict(r) for r in found}
