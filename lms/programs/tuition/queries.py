"""SQL of tuition reimbursement. A request is read by the worker who made it, her clinic's admins and the program
admins, in the WHERE; the amounts and grades on it are seen by no one else."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.schemas import CurrentUser
from lms.programs.tuition.schemas import ReportRow, TuitionRequest

# Only the worker, her clinic's admins and program admins (no supervisor here: nothing like a mentor sees money).
_SEES = "(r.user_id = $2 OR $3 = 'program_admin' OR ($3 = 'clinic_admin' AND r.clinic_id = $4))"

_REQUEST = """
SELECT r.id, r.user_id, u.display_name AS worker, r.clinic_id, c.name AS clinic, r.field, r.program, r.school, r.term, r.year,
       r.cost_cents, r.status, r.returned_reason, r.clinic_decided_at, cd.display_name AS clinic_decided_by, r.approved_cents,
       r.approved_at, r.paid_cents, r.paid_at, r.created_at,
       (SELECT coalesce(json_agg(json_build_object('id', d.id, 'kind', d.kind, 'filename', d.filename, 'status', d.status)
                                 ORDER BY d.created_at), '[]') FROM tuition_documents d WHERE d.request_id = r.id) AS documents,
       (SELECT cap_cents FROM tuition_caps WHERE year = r.year) AS cap_cents,
       (SELECT coalesce(sum(o.approved_cents), 0) FROM tuition_requests o
        WHERE o.user_id = r.user_id AND o.year = r.year AND o.id <> r.id AND o.status IN ('approved', 'paid'))::int AS approved_in_year_cents
FROM tuition_requests r JOIN users u ON u.id = r.user_id JOIN clinics c ON c.id = r.clinic_id
LEFT JOIN users cd ON cd.id = r.clinic_decided_by
"""


def _request(row: Any) -> TuitionRequest:
    return msgspec.convert(dict(row), TuitionRequest, strict=False)


async def get(
    conn: asyncpg.Connection, *, request_id: UUID, viewer: CurrentUser, lock: bool = False
) -> TuitionRequest | None:
    row = await conn.fetchrow(
        f"{_REQUEST} WHERE r.id = $1 AND {_SEES}{' FOR UPDATE OF r' if lock else ''}",
        request_id,
        viewer.id,
        viewer.role,
        viewer.clinic_id,
    )
    return _request(row) if row else None


async def own(conn: asyncpg.Connection, *, user_id: UUID) -> list[TuitionRequest]:
    return [
        _request(r) for r in await conn.fetch(f"{_REQUEST} WHERE r.user_id = $1 ORDER BY r.created_at DESC", user_id)
    ]


async def listed(conn: asyncpg.Connection, *, viewer: CurrentUser) -> list[TuitionRequest]:
    """The requests an admin's desk shows: her clinic's (clinic admins) or all (program admins), newest first."""
    rows = await conn.fetch(
        f"""{_REQUEST} WHERE ($1 = 'program_admin' OR ($1 = 'clinic_admin' AND r.clinic_id = $2))
            ORDER BY r.status IN ('paid', 'returned'), r.created_at DESC LIMIT 200""",
        viewer.role,
        viewer.clinic_id,
    )
    return [_request(r) for r in rows]


async def cap(conn: asyncpg.Connection, *, year: int) -> int | None:
    return await conn.fetchval("SELECT cap_cents FROM tuition_caps WHERE year = $1", year)


async def approved_in_year(conn: asyncpg.Connection, *, user_id: UUID, year: int) -> int:
    return await conn.fetchval(
        """SELECT coalesce(sum(approved_cents), 0)::int FROM tuition_requests
           WHERE user_id = $1 AND year = $2 AND status IN ('approved', 'paid')""",
        user_id,
        year,
    )


async def insert(conn: asyncpg.Connection, *, user_id: UUID, clinic_id: UUID, values: dict[str, Any]) -> UUID:
    return await conn.fetchval(
        """INSERT INTO tuition_requests (user_id, clinic_id, field, program, school, term, year, cost_cents)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""",
        user_id,
        clinic_id,
        values["field"],
        values["program"],
        values["school"],
        values["term"],
        values["year"],
        values["cost_cents"],
    )


async def resubmit(conn: asyncpg.Connection, *, request_id: UUID, values: dict[str, Any]) -> None:
    await conn.execute(
        """UPDATE tuition_requests SET field = $2, program = $3, school = $4, term = $5, year = $6, cost_cents = $7,
                  status = 'submitted', returned_reason = NULL, clinic_decided_by = NULL, clinic_decided_at = NULL,
                  updated_at = now()
           WHERE id = $1""",
        request_id,
        values["field"],
        values["program"],
        values["school"],
        values["term"],
        values["year"],
        values["cost_cents"],
    )


async def clinic_decision(
    conn: asyncpg.Connection, *, request_id: UUID, approve: bool, reason: str | None, actor_id: UUID
) -> None:
    await conn.execute(
        """UPDATE tuition_requests SET status = CASE WHEN $2 THEN 'clinic_approved' ELSE 'returned' END, returned_reason = $3,
                  clinic_decided_by = $4, clinic_decided_at = now(), updated_at = now() WHERE id = $1""",
        request_id,
        approve,
        reason,
        actor_id,
    )


async def partnership_decision(
    conn: asyncpg.Connection, *, request_id: UUID, approved_cents: int | None, reason: str | None, actor_id: UUID
) -> None:
    await conn.execute(
        """UPDATE tuition_requests SET status = CASE WHEN $2::int IS NULL THEN 'returned' ELSE 'approved' END,
                  approved_cents = $2, approved_by = $4, approved_at = CASE WHEN $2::int IS NULL THEN NULL ELSE now() END,
                  returned_reason = $3, updated_at = now() WHERE id = $1""",
        request_id,
        approved_cents,
        reason,
        actor_id,
    )


async def mark_paid(conn: asyncpg.Connection, *, request_id: UUID, paid_cents: int) -> None:
    await conn.execute(
        "UPDATE tuition_requests SET status = 'paid', paid_cents = $2, paid_at = now(), updated_at = now() WHERE id = $1",
        request_id,
        paid_cents,
    )


async def add_document(
    conn: asyncpg.Connection,
    *,
    request_id: UUID,
    document_id: UUID,
    kind: str,
    filename: str,
    content_type: str,
    storage_key: str,
) -> None:
    await conn.execute(
        """INSERT INTO tuition_documents (id, request_id, kind, filename, content_type, storage_key)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        document_id,
        request_id,
        kind,
        filename,
        content_type,
        storage_key,
    )


async def document(conn: asyncpg.Connection, *, request_id: UUID, document_id: UUID) -> asyncpg.Record | None:
    """A document of this request (the caller has already been allowed to see the request)."""
    return await conn.fetchrow(
        """SELECT id, kind, filename, content_type, storage_key, status FROM tuition_documents
           WHERE id = $1 AND request_id = $2""",
        document_id,
        request_id,
    )


async def document_ready(conn: asyncpg.Connection, *, document_id: UUID, content_type: str) -> None:
    await conn.execute(
        "UPDATE tuition_documents SET status = 'ready', content_type = $2 WHERE id = $1", document_id, content_type
    )


async def drop_document(conn: asyncpg.Connection, *, document_id: UUID) -> None:
    await conn.execute("DELETE FROM tuition_documents WHERE id = $1", document_id)


_GROUPS = {"clinic": "c.name", "field": "r.field", "term": "r.term || ' ' || r.year"}


async def report(conn: asyncpg.Connection, *, viewer: CurrentUser, by: str) -> list[ReportRow]:
    """Requests, workers and amounts by clinic, field of study or term, in the viewer's scope."""
    group = _GROUPS[by]
    rows = await conn.fetch(
        f"""SELECT {group} AS "group", count(*)::int AS requests, count(DISTINCT r.user_id)::int AS workers,
                   sum(r.cost_cents)::int AS requested_cents,
                   coalesce(sum(r.approved_cents) FILTER (WHERE r.status IN ('approved', 'paid')), 0)::int AS approved_cents,
                   coalesce(sum(r.paid_cents) FILTER (WHERE r.status = 'paid'), 0)::int AS paid_cents
            FROM tuition_requests r JOIN clinics c ON c.id = r.clinic_id
            WHERE ($1 = 'program_admin' OR ($1 = 'clinic_admin' AND r.clinic_id = $2))
            GROUP BY 1 ORDER BY 1""",
        viewer.role,
        viewer.clinic_id,
    )
    return [msgspec.convert(dict(r), ReportRow) for r in rows]
