"""The SQL of the xAPI document resources (lms/xapi/documents.py): State, Activity Profile and Agent Profile
documents keyed by (kind, activity, agent, registration, id). Who may read what is part of each read's WHERE (a
`Scope`); writes name the worker a document is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms.xapi.queries import Scope


@dataclass(frozen=True, slots=True)
class DocKey:
    kind: str  # state | activity_profile | agent_profile
    activity_id: str  # '' for agent profiles
    agent: str  # identity text; '' for activity profiles
    registration: UUID  # NO_REGISTRATION outside state


_KEY = "d.kind = $1 AND d.activity_id = $2 AND d.agent = $3 AND d.registration = $4"


def _scope_sql(first: int) -> str:
    return (
        f"(${first}::boolean OR d.user_id = ${first + 1}::uuid OR (${first + 2}::uuid IS NOT NULL AND d.user_id IN "
        f"(SELECT u.id FROM users u WHERE u.clinic_id = ${first + 2} AND u.role = 'worker')))"
    )


async def readable_document(conn: asyncpg.Connection, key: DocKey, doc_id: str, scope: Scope) -> Any | None:
    """The document's content, content type, ETag and time, if the scope may read it."""
    return await conn.fetchrow(
        f"SELECT content, content_type, etag, updated FROM lrs_documents d WHERE {_KEY} AND d.doc_id = $5 AND {_scope_sql(6)}",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        doc_id,
        scope.everything,
        scope.user_id,
        scope.clinic_id,
    )


async def readable_ids(conn: asyncpg.Connection, key: DocKey, since: datetime | None, scope: Scope) -> list[Any]:
    """The ids and times of the documents under the key the scope may read (changed after ``since``), by id."""
    return await conn.fetch(
        f"""SELECT d.doc_id, d.updated FROM lrs_documents d
            WHERE {_KEY} AND ($5::timestamptz IS NULL OR d.updated > $5) AND {_scope_sql(6)} ORDER BY d.doc_id""",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        since,
        scope.everything,
        scope.user_id,
        scope.clinic_id,
    )


async def lock_document(conn: asyncpg.Connection, key: DocKey, doc_id: str) -> Any | None:
    """The document as it is (content, content type, ETag, worker), locked until the caller's transaction ends."""
    return await conn.fetchrow(
        f"SELECT content, content_type, etag, user_id FROM lrs_documents d WHERE {_KEY} AND d.doc_id = $5 FOR UPDATE",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        doc_id,
    )


async def user_id_by_email(conn: asyncpg.Connection, email: str) -> UUID | None:
    found: UUID | None = await conn.fetchval("SELECT id FROM users WHERE email = $1", email)
    return found


async def existing_user_id(conn: asyncpg.Connection, user_id: UUID) -> UUID | None:
    found: UUID | None = await conn.fetchval("SELECT id FROM users WHERE id = $1", user_id)
    return found


async def put_document(
    conn: asyncpg.Connection,
    key: DocKey,
    doc_id: str,
    *,
    user_id: UUID | None,
    content: bytes,
    content_type: str,
    etag: str,
) -> None:
    """Add or replace the document; a replacement keeps the worker it was about when the writer names none."""
    await conn.execute(
        """INSERT INTO lrs_documents AS d (kind, activity_id, agent, registration, doc_id, user_id, content, content_type, etag)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (kind, activity_id, agent, registration, doc_id) DO UPDATE
           SET content = EXCLUDED.content, content_type = EXCLUDED.content_type, etag = EXCLUDED.etag,
               user_id = coalesce(EXCLUDED.user_id, d.user_id), updated = now()""",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        doc_id,
        user_id,
        content,
        content_type,
        etag,
    )


async def delete_documents(conn: asyncpg.Connection, key: DocKey, doc_id: str | None) -> None:
    """Delete one document, or (``doc_id`` None) every document under the key."""
    await conn.execute(
        f"DELETE FROM lrs_documents d WHERE {_KEY} AND ($5::text IS NULL OR d.doc_id = $5)",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        doc_id,
    )


async def put_service_document(
    conn: asyncpg.Connection,
    key: DocKey,
    doc_id: str,
    *,
    user_id: UUID | None,
    content: bytes,
    content_type: str,
    etag: str,
    replace: bool,
) -> None:
    """A document the service writes itself; ``replace`` False keeps an existing one."""
    await conn.execute(
        f"""INSERT INTO lrs_documents AS d (kind, activity_id, agent, registration, doc_id, user_id, content, content_type, etag)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (kind, activity_id, agent, registration, doc_id) DO {
            '''UPDATE
            SET content = EXCLUDED.content, content_type = EXCLUDED.content_type, etag = EXCLUDED.etag, updated = now()'''
            if replace
            else "NOTHING"
        }""",
        key.kind,
        key.activity_id,
        key.agent,
        key.registration,
        doc_id,
        user_id,
        content,
        content_type,
        etag,
    )
