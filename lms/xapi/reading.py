"""Reading statements back: one by id, or a filtered page with a `more` link, as JSON or with attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec

from lms.errors import Invalid, NotFound
from lms.xapi import multipart, queries
from lms.xapi.callers import Caller
from lms.xapi.formats import FORMATS, accept_languages, statement_out
from lms.xapi.validation import StatementChecker, is_iri, is_uuid, parse_timestamp

PARAMETERS = frozenset(
    {
        "statementId",
        "voidedStatementId",
        "agent",
        "verb",
        "activity",
        "registration",
        "related_activities",
        "related_agents",
        "since",
        "until",
        "limit",
        "format",
        "attachments",
        "ascending",
        "cursor",
    }
)
_WITH_ONE = frozenset({"statementId", "voidedStatementId", "format", "attachments"})
MAX_LIMIT = 100  # an unfiltered GET stays quick on a small server; clients follow `more` for the rest
_LRS_AUTHORITY_NAME = "lms"


def _bool(params: dict[str, str], name: str) -> bool:
    value = params.get(name, "false")
    if value not in ("true", "false"):
        raise Invalid(f"{name} must be true or false", field=name)
    return value == "true"


def _uuid(params: dict[str, str], name: str) -> UUID | None:
    if name not in params:
        return None
    if not is_uuid(params[name]):
        raise Invalid(f"{name} must be a UUID", field=name)
    return UUID(params[name])


def agent_param(value: str, name: str, version: str) -> str:
    """An Agent or identified Group given as JSON in a query parameter -> its identity text."""
    try:
        agent = msgspec.json.decode(value)
    except msgspec.DecodeError:
        raise Invalid(f"{name} must be an Agent as JSON", field=name) from None
    checker = StatementChecker(version)
    if isinstance(agent, dict) and agent.get("objectType") == "Group":
        key, _ = checker.group(agent, name)
        if key is None:
            raise Invalid(f"{name}: an anonymous Group cannot be looked up", field=name)
        return key
    return checker.agent(agent, name)


def _cursor(value: str) -> tuple[datetime, UUID]:
    stored, _, sid = value.rpartition("_")
    try:
        return datetime.fromisoformat(stored), UUID(sid)
    except ValueError:
        raise Invalid("cursor is not one this service made; follow the `more` link as given", field="cursor") from None


class Page(msgspec.Struct, frozen=True):
    body: bytes
    media_type: str
    last_modified: datetime | None


async def read(
    conn: asyncpg.Connection,
    caller: Caller,
    params: dict[str, str],
    *,
    version: str,
    base_url: str,
    accept_language: str | None,
) -> Page:
    unknown = set(params) - PARAMETERS
    if unknown:
        raise Invalid(f"unknown parameters {sorted(unknown)}", field=sorted(unknown)[0])
    form = params.get("format", "exact")
    if form not in FORMATS:
        raise Invalid("format must be ids, exact or canonical", field="format")
    with_attachments = _bool(params, "attachments")
    default_authority = {
        "objectType": "Agent",
        "account": {"homePage": base_url.rstrip("/"), "name": _LRS_AUTHORITY_NAME},
    }
    languages = accept_languages(accept_language)

    def out(row: Any) -> dict[str, Any]:
        return statement_out(row, version=version, default_authority=default_authority, form=form, languages=languages)

    one = [n for n in ("statementId", "voidedStatementId") if n in params]
    if one:
        extra = set(params) - _WITH_ONE
        if len(one) > 1 or extra:
            raise Invalid("statementId or voidedStatementId goes only with format and attachments", field=one[0])
        name = one[0]
        statement_id = _uuid(params, name)
        assert statement_id is not None
        row = await queries.get_statement(
            conn, caller.scope, statement_id=statement_id, voided=name == "voidedStatementId"
        )
        if row is None:
            raise NotFound(
                f"no statement {statement_id} that you may read"
                + (" that was voided" if name != "statementId" else ""),
                field=name,
            )
        return await _page(conn, out(row), [row], with_attachments, row["stored"])

    asked = params.get("limit", "0")
    if not asked.isdigit():
        raise Invalid("limit must be a whole number", field="limit")
    limit = min(int(asked), MAX_LIMIT) or MAX_LIMIT
    for iri in ("verb", "activity"):
        if iri in params and not is_iri(params[iri]):
            raise Invalid(f"{iri} must be an IRI", field=iri)
    filters = queries.Filters(
        agent=agent_param(params["agent"], "agent", version) if "agent" in params else None,
        related_agents=_bool(params, "related_agents"),
        verb=params.get("verb"),
        activity=params.get("activity"),
        related_activities=_bool(params, "related_activities"),
        registration=_uuid(params, "registration"),
        since=parse_timestamp(params["since"], "since") if "since" in params else None,
        until=parse_timestamp(params["until"], "until") if "until" in params else None,
        ascending=_bool(params, "ascending"),
    )
    after = _cursor(params["cursor"]) if "cursor" in params else None
    rows = await queries.list_statements(conn, caller.scope, filters, limit=limit, after=after)
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        following = {k: v for k, v in params.items() if k != "cursor"}
        following["cursor"] = f"{rows[-1]['stored'].isoformat()}_{rows[-1]['id']}"
        more = "/xapi/statements?" + urlencode(following)
    result = {"statements": [out(r) for r in rows], "more": more}
    newest = max((r["stored"] for r in rows), default=None)
    return await _page(conn, result, rows, with_attachments, newest)


async def _page(
    conn: asyncpg.Connection,
    result: dict[str, Any],
    rows: list[Any],
    with_attachments: bool,
    last_modified: datetime | None,
) -> Page:
    body = msgspec.json.encode(result)
    if not with_attachments:
        return Page(body, "application/json", last_modified)
    hashes = sorted({h for r in rows for h in r["attachment_hashes"]})
    parts = await queries.attachments_for(conn, hashes) if hashes else []
    content, media_type = multipart.build(body, parts)
    return Page(content, media_type, last_modified)
