"""The State, Activity Profile and Agent Profile resources: one controller each, the work in lms/xapi/documents.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 - Litestar resolves the Db/Tx annotations' type among this module's names
from litestar import Controller, Request, delete, get, post, put
from litestar.response import Response

from lms.deps import Db, Tx
from lms.errors import Invalid
from lms.xapi import documents
from lms.xapi.api import caller_of, http_date, version_of
from lms.xapi.callers import require_lrs_caller
from lms.xapi.documents import NO_REGISTRATION, DocKey
from lms.xapi.reading import agent_param
from lms.xapi.validation import is_iri, is_uuid, parse_timestamp

# kind -> (the parameter naming a document, the key parameters, whether a document list may be deleted at once)
_KINDS = {
    "state": ("stateId", ("activityId", "agent", "registration"), True),
    "activity_profile": ("profileId", ("activityId",), False),
    "agent_profile": ("profileId", ("agent",), False),
}


def _key(request: Request[Any, Any, Any], kind: str, *, listing: bool) -> tuple[DocKey, str | None, dict[str, str]]:
    """The document key and id from the query; 400 naming a missing or malformed parameter."""
    params = dict(request.query_params)
    id_name, key_names, _ = _KINDS[kind]
    allowed = {id_name, *key_names} | ({"since"} if listing else set())
    unknown = set(params) - allowed
    if unknown:
        raise Invalid(f"unknown parameters {sorted(unknown)}", field=sorted(unknown)[0])
    activity_id = agent = ""
    if "activityId" in key_names:
        activity_id = params.get("activityId", "")
        if not is_iri(activity_id):
            raise Invalid("activityId must be given, an IRI", field="activityId")
    if "agent" in key_names:
        if "agent" not in params:
            raise Invalid("the agent parameter is required", field="agent")
        agent = agent_param(params["agent"], "agent", version_of(request))
    registration = NO_REGISTRATION
    if params.get("registration") is not None:
        if not is_uuid(params["registration"]):
            raise Invalid("registration must be a UUID", field="registration")
        registration = UUID(params["registration"].lower())
    return DocKey(kind, activity_id, agent, registration), params.get(id_name), params


async def _launch_allows(
    request: Request[Any, Any, Any], db: Any, key: DocKey, doc_id: str | None, content: bytes = b""
) -> None:
    """Launched content (a cmi5 AU) touches only what its launcher allows: asked before anything else."""
    caller = caller_of(request)
    if caller.launch is not None:
        await request.app.state.launch_authority.check_document(
            db,
            caller.launch,
            key,
            doc_id,
            method=request.method,
            content=content,
            content_type=request.headers.get("content-type", ""),
        )


async def _get(request: Request[Any, Any, Any], db: Any, kind: str) -> Response[Any]:
    key, doc_id, params = _key(request, kind, listing=True)
    caller = caller_of(request)
    await _launch_allows(request, db, key, doc_id)
    if doc_id is not None:
        if "since" in params:
            raise Invalid("since lists documents; it does not go with a document id", field="since")
        doc = await documents.get_one(db, caller, key, doc_id)
        return Response(
            doc.content,
            media_type=doc.content_type,
            headers={"ETag": doc.etag, "Last-Modified": http_date(doc.updated)},
        )
    since = parse_timestamp(params["since"], "since") if "since" in params else None
    ids, newest = await documents.list_ids(db, caller, key, since)
    return Response(ids, headers={"Last-Modified": http_date(newest or datetime.now(UTC))})


async def _write(request: Request[Any, Any, Any], tx: Any, kind: str, *, merge: bool) -> None:
    key, doc_id, _ = _key(request, kind, listing=False)
    if doc_id is None:
        raise Invalid(f"{_KINDS[kind][0]} is required", field=_KINDS[kind][0])
    content = await request.body()
    await _launch_allows(request, tx, key, doc_id, content)
    await documents.write(
        tx,
        caller_of(request),
        key,
        doc_id,
        content,
        request.headers.get("content-type", "application/octet-stream"),
        merge=merge,
        version=version_of(request),
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )


async def _delete(request: Request[Any, Any, Any], tx: Any, kind: str) -> None:
    key, doc_id, _ = _key(request, kind, listing=False)
    if doc_id is None and not _KINDS[kind][2]:
        raise Invalid(f"{_KINDS[kind][0]} is required", field=_KINDS[kind][0])
    await _launch_allows(request, tx, key, doc_id)
    await documents.delete(
        tx,
        caller_of(request),
        key,
        doc_id,
        if_match=request.headers.get("if-match"),
        if_none_match=request.headers.get("if-none-match"),
    )


class XapiStateController(Controller):
    path = "/xapi/activities/state"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @get("/", operation_id="xapi_state_get")
    async def get_state(self, request: Request[Any, Any, Any], db: Db) -> Response[Any]:
        return await _get(request, db, "state")

    @put("/", operation_id="xapi_state_put", status_code=204)
    async def put_state(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "state", merge=False)

    @post("/", operation_id="xapi_state_post", status_code=204)
    async def post_state(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "state", merge=True)

    @delete("/", operation_id="xapi_state_delete", status_code=204)
    async def delete_state(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _delete(request, tx, "state")


class XapiActivityProfileController(Controller):
    path = "/xapi/activities/profile"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @get("/", operation_id="xapi_activity_profile_get")
    async def get_profile(self, request: Request[Any, Any, Any], db: Db) -> Response[Any]:
        return await _get(request, db, "activity_profile")

    @put("/", operation_id="xapi_activity_profile_put", status_code=204)
    async def put_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "activity_profile", merge=False)

    @post("/", operation_id="xapi_activity_profile_post", status_code=204)
    async def post_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "activity_profile", merge=True)

    @delete("/", operation_id="xapi_activity_profile_delete", status_code=204)
    async def delete_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _delete(request, tx, "activity_profile")


class XapiAgentProfileController(Controller):
    path = "/xapi/agents/profile"
    tags = ["xapi"]
    guards = [require_lrs_caller]

    @get("/", operation_id="xapi_agent_profile_get")
    async def get_profile(self, request: Request[Any, Any, Any], db: Db) -> Response[Any]:
        return await _get(request, db, "agent_profile")

    @put("/", operation_id="xapi_agent_profile_put", status_code=204)
    async def put_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "agent_profile", merge=False)

    @post("/", operation_id="xapi_agent_profile_post", status_code=204)
    async def post_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _write(request, tx, "agent_profile", merge=True)

    @delete("/", operation_id="xapi_agent_profile_delete", status_code=204)
    async def delete_profile(self, request: Request[Any, Any, Any], tx: Tx) -> None:
        await _delete(request, tx, "agent_profile")
