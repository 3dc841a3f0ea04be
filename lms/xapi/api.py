"""The xAPI resources other than documents: Statements, Activities, Agents and About (1.0.3 and 2.0.0).

Authentication: an LRS client's key and secret (HTTP Basic), a person's API token (Bearer, or Basic with the token as
password) or the browser session. Version, CORS, HEAD and the alternate syntax are handled before routing
(lms/xapi/protocol.py); the negotiated version is ``scope["xapi_version"]``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg  # noqa: F401 - Litestar resolves the Tx annotation's type among this module's names
import msgspec
from litestar import Controller, Request, get, post, put
from litestar.response import Response

from lms.deps import Db
from lms.errors import Invalid, NotFound
from lms.xapi import multipart, queries, reading, service
from lms.xapi.callers import Caller, require_lrs_caller
from lms.xapi.protocol import V2
from lms.xapi.validation import is_iri

JSON = "application/json"


def caller_of(request: Request[Any, Any, Any]) -> Caller:
    return request.scope["xapi_caller"]  # type: ignore[typeddict-item]  # our key (callers.py), not in Litestar's Scope


def version_of(request: Request[Any, Any, Any]) -> str:
    return request.scope.get("xapi_version", V2)  # type: ignore[return-value]  # set by XapiProtocol, always a str


def http_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


async def _statements_body(request: Request[Any, Any, Any]) -> tuple[Any, dict[str, tuple[str, bytes]]]:
    """The statements sent (JSON, or multipart/mixed with attachments) and the attachment parts by hash."""
    content_type = request.headers.get("content-type", JSON)
    body = await request.body()
    if content_type.lower().startswith("multipart/mixed"):
        return multipart.parse(body, content_type)
    if not content_type.lower().startswith(JSON):
        raise Invalid(
            "statements are sent as application/json, or multipart/mixed with attachments", field="Content-Type"
        )
    try:
        return msgspec.json.decode(body), {}
    except msgspec.DecodeError as exc:
        raise Invalid(f"the body is not valid JSON: {exc}", field="body") from None


async def _store(
    request: Request[Any, Any, Any],
    db: Any,
    statements: list[Any],
    parts: dict[str, tuple[str, bytes]],
    *,
    statement_id: str | None = None,
) -> list[str]:
    caller = caller_of(request)
    caller.may_write()
    settings = request.app.state.settings
    if caller.launch is not None:
        # Launched content: its launcher's rules judge the statements as sent (403, before the xAPI checks fill in
        # ids), and act on them once stored, all in one transaction with the session locked.
        sent = [{**s, "id": statement_id} if statement_id and isinstance(s, dict) else s for s in statements]
        authority = request.app.state.launch_authority
        async with db.transaction():
            await authority.check_statements(db, caller.launch, sent)
            rows = service.check_batch(
                statements,
                version=version_of(request),
                base_url=settings.public_base_url,
                caller=caller,
                statement_id=statement_id,
            )
            multipart.match([r["raw"] for r in rows], parts)
            await service.store(
                db,
                rows,
                caller=caller,
                base_url=settings.public_base_url,
                listeners=request.app.state.statement_listeners,
                parts=parts,
            )
            await authority.after_statements(db, caller.launch, rows, settings.public_base_url)
        return [r["id"] for r in rows]
    rows = service.check_batch(
        statements,
        version=version_of(request),
        base_url=settings.public_base_url,
        caller=caller,
        statement_id=statement_id,
    )
    multipart.match([r["raw"] for r in rows], parts)
    store = service.store(
        db,
        rows,
        caller=caller,
        base_url=settings.public_base_url,
        listeners=request.app.state.statement_listeners,
        parts=parts,
    )
    if service.needs_transaction(rows, parts):
        async with db.transaction():
            await store
    else:
        await store
    return [r["id"] for r in rows]


class XapiAboutController(Controller):
    path = "/xapi/about"
    tags = ["xapi"]

    @get("/", operation_id="xapi_about")
    async def about(self) -> dict[str, Any]:
        return {"version": ["1.0.3", "2.0.0"], "extensions": {}}


class XapiStatementsController(Controller):
    path = "/xapi/statements"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @put("/", operation_id="xapi_statements_put", status_code=204)
    async def put_statement(self, request: Request[Any, Any, Any], db: Db) -> None:
        """Store one statement under the statementId given (the same again changes nothing; other content is 409)."""
        statement_id = request.query_params.get("statementId")
        if statement_id is None:
            raise Invalid("PUT needs the statementId parameter", field="statementId")
        if not reading.is_uuid(statement_id):
            raise Invalid("statementId must be a UUID", field="statementId")
        body, parts = await _statements_body(request)
        if not isinstance(body, dict):
            raise Invalid("PUT stores one statement (a JSON object)", field="body")
        await _store(request, db, [body], parts, statement_id=statement_id.lower())

    @post("/", operation_id="xapi_statements_post", status_code=200)
    async def post_statements(self, request: Request[Any, Any, Any], db: Db) -> list[str]:
        """Store one statement or a list of up to 500, all or none; answers the ids in order."""
        body, parts = await _statements_body(request)
        return await _store(request, db, body if isinstance(body, list) else [body], parts)

    @get("/", operation_id="xapi_statements_get")
    async def get_statements(self, request: Request[Any, Any, Any], db: Db) -> Response[bytes]:
        """One statement (statementId, voidedStatementId), or a filtered page of them with a `more` link."""
        caller = caller_of(request)
        caller.may_read()
        now = datetime.now(UTC)
        page = await reading.read(
            db,
            caller,
            dict(request.query_params),
            version=version_of(request),
            base_url=request.app.state.settings.public_base_url,
            accept_language=request.headers.get("accept-language"),
        )
        return Response(
            page.body, media_type=page.media_type, headers={"Last-Modified": http_date(page.last_modified or now)}
        )


class XapiActivitiesController(Controller):
    path = "/xapi/activities"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @get("/", operation_id="xapi_activities_get")
    async def get_activity(self, request: Request[Any, Any, Any], db: Db) -> dict[str, Any]:
        """The activity as the LRS knows it: its latest definition from statements."""
        params = dict(request.query_params)
        activity_id = params.get("activityId")
        if set(params) - {"activityId"}:
            raise Invalid(f"unknown parameters {sorted(set(params) - {'activityId'})}", field="activityId")
        if activity_id is None or not is_iri(activity_id):
            raise Invalid("activityId must be given, an IRI", field="activityId")
        definition = await queries.activity_definition(db, activity_id)
        activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
        if definition:
            activity["definition"] = definition
        return activity


class XapiAgentsController(Controller):
    path = "/xapi/agents"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @get("/", operation_id="xapi_agents_get")
    async def get_person(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """The Person object for an Agent: the identities this LRS knows it by (the one asked for)."""
        params = dict(request.query_params)
        if "agent" not in params:
            raise Invalid("the agent parameter is required", field="agent")
        if set(params) - {"agent"}:
            raise Invalid(f"unknown parameters {sorted(set(params) - {'agent'})}", field="agent")
        reading.agent_param(params["agent"], "agent", version_of(request))
        agent = msgspec.json.decode(params["agent"])
        if agent.get("objectType") == "Group":
            raise NotFound("the Agents resource describes Agents, not Groups", field="agent")
        person: dict[str, Any] = {"objectType": "Person"}
        for name in ("name", "mbox", "mbox_sha1sum", "openid", "account"):
            if name in agent:
                person[name] = [agent[name]]
        return person
