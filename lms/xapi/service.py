"""Storing statements: check the batch, check who may write it, store it with its attachments, tell the listeners.

A batch is stored whole or not at all, in one transaction with what the listeners do (completion, for the
statements that finish one of this service's activities). Listeners are wired in ``create_app``, so the LRS knows
nothing of the features that read its statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from lms.errors import Invalid
from lms.xapi import queries
from lms.xapi.callers import Caller
from lms.xapi.iris import parse_activity_iri
from lms.xapi.validation import V1, StatementChecker, bad

MAX_BATCH = 500
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
_FINISHING = frozenset({VERB_BASE + "completed", VERB_BASE + "passed"})

# Called with the enrolments where a stored statement may have finished something, inside the storing transaction.
StatementListener = Callable[[asyncpg.Connection, list[UUID]], Awaitable[None]]


def needs_transaction(rows: list[dict[str, Any]], parts: dict[str, tuple[str, bytes]] | None) -> bool:
    """Attachments are a second statement, completion more: those batches are stored in a transaction."""
    return bool(parts) or any(r["finishes"] for r in rows)


def check_batch(
    statements: list[Any],
    *,
    version: str,
    base_url: str,
    caller: Caller | None,
    statement_id: str | None = None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Every statement checked before any is stored -> the rows to store. `caller` None: the service itself."""
    if not statements:
        raise Invalid("send at least one statement", field="statements")
    if len(statements) > MAX_BATCH:
        raise Invalid(f"at most {MAX_BATCH} statements per request; this one has {len(statements)}", field="statements")
    checker = StatementChecker(version)
    now = now or datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    seen: dict[str, dict[str, Any]] = {}
    for i, statement in enumerate(statements):
        where = "statement" if statement_id is not None else f"statements[{i}]"
        row = checker.statement(statement, where)
        if statement_id is not None:
            if row["id"] is not None and row["id"] != statement_id:
                raise bad(f"{where}.id", "differs from the statementId parameter")
            row["id"] = statement_id
        if row["id"] is None:
            row["id"] = str(uuid.uuid4())
        row["raw"]["id"] = row["id"]
        if row["id"] in seen:
            # 2.0.0 refuses any repeated id in a batch. Under 1.0.3 a phone's offline queue, resent after a lost
            # answer, may carry the same statement twice: identical repeats count once there.
            if version != V1 or seen[row["id"]] != row["raw"]:
                raise bad(f"{where}.id", f"{row['id']} appears twice in this batch")
            continue
        seen[row["id"]] = row["raw"]
        row["raw"].pop("authority", None)  # the LRS sets who vouches for it
        row["ord"] = i
        _link(row, base_url=base_url, caller=caller, where=where, now=now)
        rows.append(row)
    return rows


def _link(row: dict[str, Any], *, base_url: str, caller: Caller | None, where: str, now: datetime) -> None:
    """Who the statement is about and which of this service's activities: what the store joins on."""
    actor = row["raw"]["actor"]
    actor_key = row["agents"][0] if actor.get("objectType", "Agent") == "Agent" else None
    if caller is not None and not caller.writes_anything:
        if actor_key is None or not caller.owns(actor_key):
            # 400, not 403: the phone's player drops a refused statement and sends the rest of its queue.
            raise Invalid(f"{where}.actor: you may only send statements about yourself", field=f"{where}.actor")
        row["user_id"] = caller.user.id if caller.user else (caller.launch.user_id if caller.launch else None)
    else:
        row["user_id"] = None
    account = actor.get("account") if actor_key else None
    row["actor_uid"] = None
    if account and account["homePage"].rstrip("/") == base_url.rstrip("/"):
        try:
            row["actor_uid"] = str(UUID(account["name"]))
        except ValueError:
            pass
    row["actor_email"] = actor["mbox"][7:].lower() if actor_key and "mbox" in actor else None
    activity = None
    if row["activity_iri"]:
        try:
            activity = parse_activity_iri(base_url, row["activity_iri"])
        except ValueError as exc:
            raise bad(f"{where}.object.id", str(exc)) from None
    row["code"] = activity.code if activity else None
    row["version"] = activity.version if activity else None
    row["akey"] = activity.key if activity else None
    row["ts"] = row["ts"] or now
    result = row["raw"].get("result") or {}
    row["finishes"] = bool(activity) and (row["verb"] in _FINISHING or result.get("completion") is True)
    row["attachment_hashes"] = [a["sha2"] for a in row["attachments"]]


_STORED_KEYS = (
    "id",
    "user_id",
    "actor_uid",
    "actor_email",
    "verb",
    "activity_iri",
    "code",
    "version",
    "akey",
    "voids_id",
    "registration",
    "ts",
    "raw",
    "ord",
    "finishes",
    "agents",
    "related_agents",
    "related_activities",
    "attachment_hashes",
)


async def store(
    conn: asyncpg.Connection,
    rows: list[dict[str, Any]],
    *,
    caller: Caller | None,
    base_url: str,
    listeners: Sequence[StatementListener],
    parts: dict[str, tuple[str, bytes]] | None = None,
) -> None:
    """Store checked rows (and the attachment parts sent with them); then the listeners, in the same transaction.

    The statements and the activities' definitions are one SQL statement, all or none by itself: a batch without
    attachments that can finish nothing (the phone's launched/progressed) needs no transaction around it."""
    authority = caller.authority(base_url) if caller is not None else None
    voider = None if caller is None or caller.writes_anything else (caller.user.id if caller.user else None)
    definitions: dict[str, dict[str, Any]] = {}
    for row in rows:
        for iri, definition in row["definitions"].items():
            definitions[iri] = _merged(definitions.get(iri, {}), definition)
    if parts:
        await queries.store_attachments(conn, [(sha2, ctype, body) for sha2, (ctype, body) in parts.items()])
    enrollment_ids = await queries.store(
        conn,
        [{k: r[k] for k in _STORED_KEYS} for r in rows],
        authority=authority,
        voider=voider,
        definitions=definitions,
    )
    if enrollment_ids:
        for listener in listeners:
            await listener(conn, enrollment_ids)


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Two definitions of one activity in a batch, as lrs_activities_merged (migration 0040) merges them."""
    merged = {**old, **new}
    for name in ("name", "description"):
        if isinstance(old.get(name), dict) and isinstance(new.get(name), dict):
            merged[name] = {**old[name], **new[name]}
    return merged


async def store_trusted(
    conn: asyncpg.Connection, statement: dict[str, Any], *, base_url: str, listeners: Sequence[StatementListener] = ()
) -> None:
    """A statement the service makes itself (quiz result, attendance, completion): same checks, same log."""
    rows = check_batch([statement], version=V1, base_url=base_url, caller=None)
    await store(conn, rows, caller=None, base_url=base_url, listeners=listeners)
