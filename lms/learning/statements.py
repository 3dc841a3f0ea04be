"""The statement log: storing a checked batch in one statement, reading back, and the use case that ties it together.

A batch is stored whole or not at all: unknown activities or someone else's registration refuse it (400); an id
already stored with other content refuses it (409); an id already stored with the same content changes nothing.
The store is one SQL statement (all or none by itself), so a batch that cannot finish anything is one round trip
with no BEGIN/COMMIT around it (from the xAPI resource, written together with other senders' batches by the
process's StatementWriter); one that can is stored and checked for completion in one transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from litestar.datastructures import State

from lms.deps import connection
from lms.errors import Conflict, Invalid
from lms.learning import xapi

_STORE = """
WITH input AS (
    SELECT x.* FROM jsonb_to_recordset($1::jsonb) AS x(
        batch int, user_id uuid, id uuid, verb text, activity_iri text, code text, version int, akey text, voids_id uuid,
        registration uuid, ts timestamptz, raw jsonb, ord int, finishes boolean)
), resolved AS (
    SELECT i.*, v.id AS version_id, a.id AS activity_id,
           coalesce(r.id, mine.id) AS enrollment_id, r.user_id AS registration_user, r.version_id AS registration_version
    FROM input i
    LEFT JOIN courses c ON c.code = i.code
    LEFT JOIN course_versions v ON v.course_id = c.id AND v.version = i.version
    LEFT JOIN version_activities a ON a.version_id = v.id AND a.key = i.akey
    -- The enrolments by index, one probe per row (OFFSET 0 keeps each lookup a lookup): joined as tables, the plan
    -- that PostgreSQL keeps for this statement hashed the whole enrolments table on every call.
    LEFT JOIN LATERAL (SELECT e.id, e.user_id, e.version_id FROM enrollments e WHERE e.id = i.registration OFFSET 0) r ON true
    LEFT JOIN LATERAL (SELECT e.id FROM enrollments e
                       WHERE i.registration IS NULL AND e.user_id = i.user_id AND e.version_id = v.id OFFSET 0) mine ON true
), bad AS (
    SELECT batch, ord, CASE
        WHEN code IS NOT NULL AND version_id IS NULL THEN 'object.id: no such course version'
        WHEN akey IS NOT NULL AND activity_id IS NULL THEN 'object.id: no such activity in this course version'
        WHEN registration IS NOT NULL AND registration_user IS DISTINCT FROM user_id THEN 'context.registration: not one of your enrollments'
        WHEN registration IS NOT NULL AND version_id IS NOT NULL AND registration_version <> version_id
            THEN 'context.registration: this enrollment is for another course version'
        END AS reason
    FROM resolved
), stored AS (
    -- A batch with any problem stores nothing; the other batches of the same call are stored.
    -- `context` is left empty: `raw` holds it, and nothing reads the copy (migration 0009).
    INSERT INTO statements (id, user_id, enrollment_id, verb, activity_iri, activity_id, voids_id, result, timestamp, raw)
    SELECT id, user_id, enrollment_id, verb, activity_iri, activity_id, voids_id, raw -> 'result', ts, raw
    FROM resolved
    WHERE batch NOT IN (SELECT batch FROM bad WHERE reason IS NOT NULL)
    ORDER BY id
    -- The same id again: with the same content nothing changes (and nothing is returned); with other content
    -- refuse_statement_conflict raises (SQLSTATE LS409), which undoes the whole statement (migration 0008).
    ON CONFLICT (id) DO UPDATE SET voided = refuse_statement_conflict(statements.id)
        WHERE statements.raw <> EXCLUDED.raw OR statements.user_id <> EXCLUDED.user_id
    RETURNING id, user_id, enrollment_id, voids_id
), voided AS (
    -- Only voiding statements stored now take effect, only on their sender's own statements, and a voiding statement
    -- cannot itself be voided.
    UPDATE statements s SET voided = true
    FROM stored v
    WHERE v.voids_id IS NOT NULL AND s.id = v.voids_id AND s.user_id = v.user_id
      AND s.verb <> 'http://adlnet.gov/expapi/verbs/voided' AND NOT s.voided
    RETURNING s.enrollment_id
)
SELECT (SELECT json_agg(json_build_object('batch', batch, 'ord', ord, 'reason', reason) ORDER BY batch, ord)
        FROM bad WHERE reason IS NOT NULL) AS problems,
       (SELECT array_agg(DISTINCT s.enrollment_id) FROM stored s JOIN resolved r ON r.id = s.id
        WHERE s.enrollment_id IS NOT NULL AND r.finishes) AS enrollment_ids,
       (SELECT count(*) FROM voided) AS voided
"""

Batch = tuple[UUID, list[dict[str, Any]]]  # (sender, checked rows)


async def store_batches(conn: asyncpg.Connection, batches: list[Batch]) -> tuple[dict[int, Invalid], list[UUID]]:
    """Store several senders' checked batches in one SQL statement, each whole or not at all.

    Returns the refusals by position in `batches` (those batches stored nothing) and the enrolments where something
    may have been finished. Raises the database's error when the statement as a whole fails (a repeated id with other
    content: LS409), which stores nothing of any batch."""
    payload = [_payload(row, n, user_id) for n, (user_id, rows) in enumerate(batches) for row in rows]
    result = await conn.fetchrow(_STORE, payload)
    problems: dict[int, list[tuple[str, str]]] = {}
    for p in result["problems"] or ():
        where, _, message = p["reason"].partition(": ")
        problems.setdefault(p["batch"], []).append((f"statements[{p['ord']}].{where}", message))
    refusals = {n: Invalid(f"{found[0][0]}: {found[0][1]}", field=found[0][0],
                           extra={"problems": [{"field": f, "message": m} for f, m in found]})
                for n, found in problems.items()}
    return refusals, list(result["enrollment_ids"] or [])


async def store(conn: asyncpg.Connection, rows: list[dict[str, Any]], *, user_id: UUID) -> list[UUID]:
    """Store one sender's checked rows in one statement; return the enrolments where something may have been finished."""
    try:
        refusals, enrollment_ids = await store_batches(conn, [(user_id, rows)])
    except asyncpg.PostgresError as exc:
        if exc.sqlstate != CONFLICT_SQLSTATE:
            raise
        raise Conflict(f"statement {exc.detail} exists already with other content; statements never change (void it instead)",
                       field="id", extra={"conflicts": [exc.detail]}) from None
    if refusals:
        raise refusals[0]
    return enrollment_ids


def _payload(row: dict[str, Any], batch: int, user_id: UUID) -> dict[str, Any]:
    """What the statement needs of a checked row, with `finishes` marking the rows that can finish an activity."""
    return {k: row[k] for k in _PAYLOAD} | {"batch": batch, "user_id": user_id, "finishes": finishes(row)}


def finishes(row: dict[str, Any]) -> bool:
    """Can this checked row finish an activity? Completion is checked only after such rows."""
    return row["verb"] in _FINISHING or (row["raw"].get("result") or {}).get("completion") is True


CONFLICT_SQLSTATE = "LS409"  # raised by refuse_statement_conflict (migration 0008)
_PAYLOAD = ("id", "verb", "activity_iri", "code", "version", "akey", "voids_id", "registration", "ts", "raw", "ord")
_FINISHING = {xapi.VERB_BASE + "completed", xapi.VERB_BASE + "passed"}


_OUT_COLUMNS = "s.id, s.raw, s.timestamp, s.stored, s.voided"


def statement_out(row: Any, base_url: str) -> dict[str, Any]:
    """The statement as stored, with the properties the LRS sets."""
    out = dict(row["raw"])
    out.setdefault("timestamp", xapi.format_timestamp(row["timestamp"]))
    out["stored"] = xapi.format_timestamp(row["stored"])
    out["authority"] = xapi.authority(base_url)
    out["version"] = xapi.VERSION
    return out


async def get_statement(conn: asyncpg.Connection, *, user_id: UUID, statement_id: UUID, voided: bool) -> Any | None:
    """One of the caller's statements: a voided one only when asked by voidedStatementId, per xAPI."""
    return await conn.fetchrow(
        f"SELECT {_OUT_COLUMNS} FROM statements s WHERE s.id = $1 AND s.user_id = $2 AND s.voided = $3",
        statement_id, user_id, voided,
    )


async def list_statements(
    conn: asyncpg.Connection, *, user_id: UUID, registration: UUID | None, verb: str | None, activity: str | None,
    since: datetime | None, until: datetime | None, limit: int, ascending: bool,
    after: tuple[datetime, UUID] | None = None,
) -> list[Any]:
    order, beyond = ("ASC", ">") if ascending else ("DESC", "<")
    return await conn.fetch(
        f"""SELECT {_OUT_COLUMNS} FROM statements s
            WHERE s.user_id = $1 AND NOT s.voided
              AND ($2::uuid IS NULL OR s.enrollment_id = $2)
              AND ($3::text IS NULL OR s.verb = $3)
              AND ($4::text IS NULL OR s.activity_iri = $4)
              AND ($5::timestamptz IS NULL OR s.stored > $5)
              AND ($6::timestamptz IS NULL OR s.stored <= $6)
              AND ($8::timestamptz IS NULL OR (s.stored, s.id) {beyond} ($8, $9::uuid))
            ORDER BY s.stored {order}, s.id {order}
            LIMIT $7""",
        user_id, registration, verb, activity, since, until, limit, after[0] if after else None, after[1] if after else None,
    )


def _checked(statements: list[Any], *, user_id: UUID, base_url: str, statement_id: str | None) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    if statement_id is not None:
        return [xapi.check_statement(statements[0], "statement", base_url=base_url, caller_id=user_id, now=now, statement_id=statement_id)]
    return xapi.check_batch(statements, base_url=base_url, caller_id=user_id, now=now)


async def record_statements(conn: asyncpg.Connection, statements: list[Any], *, user_id: UUID, base_url: str) -> list[str]:
    """Check, store, and complete what became complete, on a connection the caller holds (the worker's pages).

    The statements and the completion they bring are one transaction, a savepoint inside the caller's: a refused
    batch (a repeat with other content raises inside the insert) leaves the caller's transaction usable."""
    rows = _checked(statements, user_id=user_id, base_url=base_url, statement_id=None)
    async with conn.transaction():
        await _store_and_complete(conn, rows, user_id=user_id, base_url=base_url)
    return [r["id"] for r in rows]


async def send_statements(
    state: State, statements: list[Any], *, user_id: UUID, base_url: str, statement_id: str | None = None,
) -> list[str]:
    """The xAPI resource's path: check, then store, holding no connection while the batch waits.

    A batch that can finish something is stored and checked for completion in its own transaction, and one that
    voids a statement is stored on its own too (one SQL statement does not see the rows it inserts, so a statement
    and its voiding written together would leave the statement unvoided). Any other batch (the phone's
    `launched`/`progressed`) goes to the process's StatementWriter, which stores the batches that arrive together in
    one SQL statement."""
    rows = _checked(statements, user_id=user_id, base_url=base_url, statement_id=statement_id)
    if any(finishes(r) or r["voids_id"] for r in rows):
        async with connection(state) as conn, conn.transaction():
            await _store_and_complete(conn, rows, user_id=user_id, base_url=base_url)
    else:
        await state.statement_writer.store(rows, user_id=user_id)
    return [r["id"] for r in rows]


async def _store_and_complete(conn: asyncpg.Connection, rows: list[dict[str, Any]], *, user_id: UUID, base_url: str) -> None:
    from lms.learning.completion import complete_if_done

    enrollment_ids = await store(conn, rows, user_id=user_id)
    if enrollment_ids:
        await complete_if_done(conn, enrollment_ids, base_url=base_url)


async def store_trusted(conn: asyncpg.Connection, statement: dict[str, Any], *, user_id: UUID, base_url: str) -> None:
    """A statement the server made itself (quiz result, attendance, completion): same checks, same log."""
    row = xapi.check_statement(statement, "statement", base_url=base_url, caller_id=user_id, now=datetime.now(UTC))
    await store(conn, [row], user_id=user_id)
