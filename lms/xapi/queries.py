"""SQL of the statement log: storing a checked batch, reading statements back, attachments and activities.

Who may read what is part of each query's WHERE (a `Scope`): everything (program admins, LRS clients with read
access), one clinic's workers (clinic admins), or the caller's own statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms.errors import Conflict, Invalid

CONFLICT_SQLSTATE = "LS409"  # raised by refuse_statement_conflict (migration 0008)


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose statements and documents a caller may read: all, or their own plus (clinic admins) their clinic's workers."""

    everything: bool
    user_id: UUID | None = None
    clinic_id: UUID | None = None


_STORE = """
WITH input AS (
    SELECT x.* FROM jsonb_to_recordset($1::jsonb) AS x(
        id uuid, user_id uuid, actor_uid uuid, actor_email text, verb text, activity_iri text, code text, version int,
        akey text, voids_id uuid, registration uuid, ts timestamptz, raw jsonb, ord int, finishes boolean,
        agents text[], related_agents text[], related_activities text[], attachment_hashes text[])
), resolved AS (
    SELECT i.*, coalesce(i.user_id, ua.id, ue.id) AS who, v.id AS version_id, a.id AS activity_id,
           r.id AS enrollment_by_registration, r.user_id AS registration_user, r.version_id AS registration_version
    FROM input i
    -- Who by index, and only when the sender is not the person herself: joined as tables, the plan (made for 100
    -- rows of jsonb_to_recordset) read and hashed all of users twice for every batch.
    LEFT JOIN LATERAL (SELECT u.id FROM users u WHERE i.user_id IS NULL AND u.id = i.actor_uid OFFSET 0) ua ON true
    LEFT JOIN LATERAL (SELECT u.id FROM users u WHERE i.user_id IS NULL AND u.email = i.actor_email OFFSET 0) ue ON true
    LEFT JOIN courses c ON c.code = i.code
    LEFT JOIN course_versions v ON v.course_id = c.id AND v.version = i.version
    LEFT JOIN version_activities a ON a.version_id = v.id AND a.key = i.akey
    -- The enrolments by index, one probe per row (OFFSET 0 keeps each lookup a lookup): joined as tables, the plan
    -- that PostgreSQL keeps for this statement hashed the whole enrolments table on every call.
    LEFT JOIN LATERAL (SELECT e.id, e.user_id, e.version_id FROM enrollments e
                       WHERE i.code IS NOT NULL AND e.id = i.registration OFFSET 0) r ON true
), linked AS (
    SELECT r.*, coalesce(r.enrollment_by_registration, mine.id) AS enrollment_id FROM resolved r
    LEFT JOIN LATERAL (SELECT e.id FROM enrollments e
                       WHERE r.registration IS NULL AND e.user_id = r.who AND e.version_id = r.version_id OFFSET 0) mine ON true
), bad AS (
    -- Only statements about this service's own activities are checked against its catalogue and enrolments.
    SELECT ord, CASE
        WHEN code IS NOT NULL AND version_id IS NULL THEN 'object.id: no such course version'
        WHEN akey IS NOT NULL AND activity_id IS NULL THEN 'object.id: no such activity in this course version'
        WHEN code IS NOT NULL AND registration IS NOT NULL AND registration_user IS DISTINCT FROM who
            THEN 'context.registration: not one of this learner''s enrollments'
        WHEN code IS NOT NULL AND registration IS NOT NULL AND registration_version <> version_id
            THEN 'context.registration: this enrollment is for another course version'
        END AS reason
    FROM linked
), stored AS (
    -- A statement voided by another of the same batch is stored voided (the UPDATE below cannot see rows that
    -- this same command inserts).
    INSERT INTO statements (id, user_id, enrollment_id, verb, activity_iri, activity_id, voids_id, result, timestamp, raw,
                            registration, agents, related_agents, related_activities, authority, attachment_hashes, voided)
    SELECT l.id, l.who, l.enrollment_id, l.verb, l.activity_iri, l.activity_id, l.voids_id, l.raw -> 'result', l.ts, l.raw,
           l.registration, l.agents, l.related_agents, l.related_activities, $2::jsonb, l.attachment_hashes,
           l.verb <> 'http://adlnet.gov/expapi/verbs/voided' AND EXISTS (
               SELECT 1 FROM linked v WHERE v.voids_id = l.id AND ($3::uuid IS NULL OR l.who = $3))
    FROM linked l
    WHERE NOT EXISTS (SELECT 1 FROM bad WHERE reason IS NOT NULL)
    ORDER BY l.id
    -- The same id again: with the same content nothing changes (and nothing is returned); with other content
    -- refuse_statement_conflict raises (SQLSTATE LS409), which undoes the whole statement (migration 0008).
    ON CONFLICT (id) DO UPDATE SET voided = refuse_statement_conflict(statements.id)
        WHERE statements.raw <> EXCLUDED.raw
    RETURNING id, user_id, enrollment_id, voids_id
), definitions AS (
    -- The latest definition of each activity the batch defines (the Activities resource answers it), in the same
    -- statement: a batch is one round trip.
    INSERT INTO lrs_activities (id, definition)
    SELECT key, value FROM jsonb_each($4::jsonb) WHERE NOT EXISTS (SELECT 1 FROM bad WHERE reason IS NOT NULL) ORDER BY key
    ON CONFLICT (id) DO UPDATE SET definition = lrs_activities_merged(lrs_activities.definition, EXCLUDED.definition),
                                   updated = now()
        WHERE lrs_activities.definition IS DISTINCT FROM lrs_activities_merged(lrs_activities.definition, EXCLUDED.definition)
), voided AS (
    -- Only voiding statements stored now take effect; a worker voids only her own statements (an LRS client with
    -- write access any); a voiding statement cannot itself be voided.
    UPDATE statements s SET voided = true
    FROM stored v
    WHERE v.voids_id IS NOT NULL AND s.id = v.voids_id AND ($3::uuid IS NULL OR s.user_id = $3)
      AND s.verb <> 'http://adlnet.gov/expapi/verbs/voided' AND NOT s.voided
    RETURNING s.id
)
SELECT (SELECT json_agg(json_build_object('ord', ord, 'reason', reason) ORDER BY ord)
        FROM bad WHERE reason IS NOT NULL) AS problems,
       (SELECT array_agg(DISTINCT s.enrollment_id) FROM stored s JOIN input i ON i.id = s.id
        WHERE s.enrollment_id IS NOT NULL AND i.finishes) AS enrollment_ids,
       (SELECT count(*) FROM voided) AS voided
"""


async def store(
    conn: asyncpg.Connection,
    rows: list[dict[str, Any]],
    *,
    authority: dict[str, Any] | None,
    voider: UUID | None,
    definitions: dict[str, dict[str, Any]],
) -> list[UUID]:
    """Store checked rows in one SQL statement, all or none; return the enrolments where something may be finished.

    `voider`: the worker whose statements a voiding statement may void (None: an LRS client, any statement)."""
    try:
        result = await conn.fetchrow(_STORE, rows, authority, voider, definitions)
    except asyncpg.PostgresError as exc:
        if exc.sqlstate != CONFLICT_SQLSTATE:
            raise
        raise Conflict(
            f"statement {exc.detail} exists already with other content; statements never change (void it instead)",
            field="id",
            extra={"conflicts": [exc.detail]},
        ) from None
    problems = result["problems"]
    if problems:
        first = problems[0]
        where, _, message = first["reason"].partition(": ")
        field = f"statements[{first['ord']}].{where}"
        raise Invalid(
            f"{field}: {message}",
            field=field,
            extra={
                "problems": [
                    {
                        "field": f"statements[{p['ord']}].{p['reason'].partition(': ')[0]}",
                        "message": p["reason"].partition(": ")[2],
                    }
                    for p in problems
                ]
            },
        )
    return list(result["enrollment_ids"] or [])


async def store_attachments(conn: asyncpg.Connection, parts: list[tuple[str, str, bytes]]) -> None:
    """(sha2, content type, bytes) of each attachment sent with statements; one kept per hash."""
    if parts:
        await conn.executemany(
            "INSERT INTO statement_attachments (sha2, content_type, content) VALUES ($1, $2, $3) ON CONFLICT (sha2) DO NOTHING",
            parts,
        )


async def attachments_for(conn: asyncpg.Connection, hashes: list[str]) -> list[Any]:
    return await conn.fetch(
        "SELECT sha2, content_type, content FROM statement_attachments WHERE sha2 = ANY($1::text[]) ORDER BY sha2",
        hashes,
    )


async def activity_definition(conn: asyncpg.Connection, activity_id: str) -> dict[str, Any] | None:
    return await conn.fetchval("SELECT definition FROM lrs_activities WHERE id = $1", activity_id)


_OUT = "s.id, s.raw, s.timestamp, s.stored, s.authority, s.attachment_hashes"
_SCOPE = """($S1::boolean OR s.user_id = $S2::uuid
             OR ($S3::uuid IS NOT NULL AND s.user_id IN (SELECT u.id FROM users u WHERE u.clinic_id = $S3 AND u.role = 'worker')))"""
_SCOPE_T = _SCOPE.replace("s.user_id", "t.user_id")  # the statement a StatementRef targets: readable by the caller too


def _scoped(sql: str, first: int) -> str:
    return sql.replace("$S1", f"${first}").replace("$S2", f"${first + 1}").replace("$S3", f"${first + 2}")


async def get_statement(conn: asyncpg.Connection, scope: Scope, *, statement_id: UUID, voided: bool) -> Any | None:
    """One statement the caller may read: a voided one only when asked by voidedStatementId, per xAPI."""
    return await conn.fetchrow(
        _scoped(f"SELECT {_OUT} FROM statements s WHERE s.id = $1 AND s.voided = $2 AND {_SCOPE}", 3),
        statement_id,
        voided,
        scope.everything,
        scope.user_id,
        scope.clinic_id,
    )


@dataclass(frozen=True, slots=True)
class Filters:
    agent: str | None = None
    related_agents: bool = False
    verb: str | None = None
    activity: str | None = None
    related_activities: bool = False
    registration: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    ascending: bool = False


def _matches(alias: str) -> str:
    """The agent, verb, activity and registration filters on one statement (parameters $1-$6)."""
    a = alias
    return f"""($1::text IS NULL OR (CASE WHEN $2 THEN {a}.related_agents ELSE {a}.agents END) @> ARRAY[$1::text])
              AND ($3::text IS NULL OR {a}.verb = $3)
              AND ($4::text IS NULL OR (CASE WHEN $5 THEN {a}.related_activities @> ARRAY[$4::text] ELSE {a}.activity_iri = $4 END))
              AND ($6::uuid IS NULL OR {a}.registration = $6)"""


async def list_statements(
    conn: asyncpg.Connection, scope: Scope, filters: Filters, *, limit: int, after: tuple[datetime, UUID] | None
) -> list[Any]:
    """A page of the statements the caller may read that match the filters (one more than `limit`: is there more?).

    A statement whose object is a StatementRef matches when the statement it targets does (voided or not), as xAPI
    asks: asking for a verb returns the voiding statements of statements with that verb, not the voided ones."""
    order, beyond = ("ASC", ">") if filters.ascending else ("DESC", "<")
    f = filters
    # CASE, not AND: PostgreSQL may evaluate the cast before the test of the object's type.
    targeted = f"""OR EXISTS (SELECT 1 FROM statements t WHERE t.id = CASE WHEN s.raw -> 'object' ->> 'objectType' = 'StatementRef'
                                                                 THEN (s.raw -> 'object' ->> 'id')::uuid END
                                                  AND {_matches("t")} AND {_SCOPE_T})"""
    filtered = f.agent or f.verb or f.activity or f.registration
    return await conn.fetch(
        _scoped(
            f"""SELECT {_OUT} FROM statements s
            WHERE NOT s.voided AND {_SCOPE}
              AND ({_matches("s")} {targeted if filtered else ""})
              AND ($7::timestamptz IS NULL OR s.stored > $7)
              AND ($8::timestamptz IS NULL OR s.stored <= $8)
              AND ($10::timestamptz IS NULL OR (s.stored, s.id) {beyond} ($10, $11::uuid))
            ORDER BY s.stored {order}, s.id {order}
            LIMIT $9""",
            12,
        ),
        f.agent,
        f.related_agents,
        f.verb,
        f.activity,
        f.related_activities,
        f.registration,
        f.since,
        f.until,
        limit + 1,
        after[0] if after else None,
        after[1] if after else None,
        scope.everything,
        scope.user_id,
        scope.clinic_id,
    )
