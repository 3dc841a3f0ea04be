"""The document resources: State, Activity Profile and Agent Profile (xAPI 1.0.3 §2.2-2.7, 2.0.0 §4.1.6.2-4.1.6.6).

A document is any bytes with a content type, keyed by (kind, activity, agent, registration, id). ETags (the SHA-1 of
the content, quoted) give optimistic concurrency: If-Match / If-None-Match are honoured on PUT, POST and DELETE
(412 when they fail), and a PUT over an existing document without either header is refused (409) for the profiles,
and in 2.0.0 for State too. POST merges JSON objects (top-level keys of the new one win); anything else must PUT.
Who may touch what is in each query's WHERE: a person her own documents, readers by their scope.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.errors import Conflict, Forbidden, Invalid, NotFound, PreconditionFailed
from lms.xapi import document_queries
from lms.xapi.callers import Caller
from lms.xapi.document_queries import DocKey
from lms.xapi.queries import Scope
from lms.xapi.validation import V2

NO_REGISTRATION = UUID(int=0)
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Document:
    content: bytes
    content_type: str
    etag: str
    updated: datetime


def etag_of(content: bytes) -> str:
    return f'"{hashlib.sha1(content).hexdigest()}"'


def _readable(caller: Caller, key: DocKey) -> Scope:
    """Activity profiles describe activities, not people: every caller may read them."""
    scope = caller.scope
    # Launched content reads the documents its launcher allowed by key (lms/xapi/documents_api.py asks it first).
    return Scope(everything=True) if key.kind == "activity_profile" or caller.launch is not None else scope


def _writable(caller: Caller, key: DocKey) -> UUID | None:
    """Who the document is about, for a person writing it (None: an LRS client); refuses what she may not write."""
    caller.may_write()
    if caller.writes_anything:
        return None
    if caller.launch is not None:  # its launcher has allowed this key (lms/xapi/documents_api.py)
        return caller.launch.user_id
    if key.kind == "activity_profile" or not caller.owns(key.agent):
        raise Forbidden("you may only write documents about yourself", field="agent")
    assert caller.user is not None
    return caller.user.id


async def get_one(conn: asyncpg.Connection, caller: Caller, key: DocKey, doc_id: str) -> Document:
    caller.may_read()
    scope = _readable(caller, key)
    row = await document_queries.readable_document(conn, key, doc_id, scope)
    if row is None:
        raise NotFound(f"no document {doc_id!r} here", field="id")
    return Document(bytes(row["content"]), row["content_type"], row["etag"], row["updated"])


async def list_ids(
    conn: asyncpg.Connection, caller: Caller, key: DocKey, since: datetime | None
) -> tuple[list[str], datetime | None]:
    caller.may_read()
    scope = _readable(caller, key)
    rows = await document_queries.readable_ids(conn, key, since, scope)
    return [r["doc_id"] for r in rows], max((r["updated"] for r in rows), default=None)


def _precondition(current: str | None, if_match: str | None, if_none_match: str | None) -> None:
    if if_match is not None:
        tags = {t.strip() for t in if_match.split(",")}
        if current is None or ("*" not in tags and current not in tags):
            raise PreconditionFailed(
                "If-Match: the document has changed (or does not exist); read it again", field="If-Match"
            )
    if if_none_match is not None:
        tags = {t.strip() for t in if_none_match.split(",")}
        if current is not None and ("*" in tags or current in tags):
            raise PreconditionFailed("If-None-Match: the document exists already", field="If-None-Match")


async def _owner(conn: asyncpg.Connection, key: DocKey, user_id: UUID | None) -> UUID | None:
    """The worker a document is about: the writer herself, or (an LRS client writing) the person the agent names."""
    if user_id is not None or not key.agent:
        return user_id
    kind, _, value = key.agent.partition(":")
    if kind == "mbox":
        return await document_queries.user_id_by_email(conn, value.removeprefix("mailto:").lower())
    if kind == "account":
        name = value.rpartition(" ")[2]
        try:
            return await document_queries.existing_user_id(conn, UUID(name))
        except ValueError:
            return None
    return None


def _is_json_object(content: bytes, content_type: str) -> dict[str, Any] | None:
    if not content_type.lower().startswith(JSON):
        return None
    try:
        value = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return None
    return value if isinstance(value, dict) else None


async def write(
    conn: asyncpg.Connection,
    caller: Caller,
    key: DocKey,
    doc_id: str,
    content: bytes,
    content_type: str,
    *,
    merge: bool,
    version: str,
    if_match: str | None,
    if_none_match: str | None,
) -> None:
    """PUT (merge False) or POST (merge True) one document, in the caller's transaction."""
    user_id = await _owner(conn, key, _writable(caller, key))
    current = await document_queries.lock_document(conn, key, doc_id)
    _precondition(current["etag"] if current else None, if_match, if_none_match)
    if not merge and if_match is None and if_none_match is None and (key.kind != "state" or version == V2):
        if current is not None:
            raise Conflict("this document exists already: send If-Match with its ETag to replace it", field="If-Match")
        if version != V2:
            raise Invalid(
                "a profile is written with If-Match (its ETag) or If-None-Match: * (a new one)", field="If-Match"
            )
    if merge:
        new = _is_json_object(content, content_type)
        if new is None and content_type.lower().startswith(JSON):
            raise Invalid("a JSON document posted to be merged must be a JSON object", field="body")
        if current is not None:
            old = _is_json_object(bytes(current["content"]), current["content_type"])
            if old is None or new is None:
                raise Invalid(
                    "only JSON objects can be merged by POST; send PUT to replace this document", field="body"
                )
            content, content_type = msgspec.json.encode({**old, **new}), JSON
    await document_queries.put_document(
        conn, key, doc_id, user_id=user_id, content=content, content_type=content_type, etag=etag_of(content)
    )


async def delete(
    conn: asyncpg.Connection,
    caller: Caller,
    key: DocKey,
    doc_id: str | None,
    *,
    if_match: str | None,
    if_none_match: str | None,
) -> None:
    """DELETE one document, or (state without stateId) every document under the key."""
    _writable(caller, key)
    if doc_id is not None:
        current = await document_queries.lock_document(conn, key, doc_id)
        _precondition(current["etag"] if current else None, if_match, if_none_match)
    await document_queries.delete_documents(conn, key, doc_id)


async def put_trusted(
    conn: asyncpg.Connection,
    key: DocKey,
    doc_id: str,
    value: dict[str, Any],
    *,
    user_id: UUID | None,
    replace: bool = True,
) -> None:
    """A JSON document the service writes itself (a launcher's launch data); ``replace`` False keeps an existing one."""
    content = msgspec.json.encode(value)
    await document_queries.put_service_document(
        conn, key, doc_id, user_id=user_id, content=content, content_type=JSON, etag=etag_of(content), replace=replace
    )
