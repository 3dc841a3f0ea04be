"""The xAPI 1.0.3 statements resource: what standard clients (TinCanJS, ADL's xAPIWrapper, xAPI-emitting content) and the
lesson player speak. A worker writes and reads only statements about themselves.

Authentication is the worker's API token (Bearer, or Basic with the token as password) or the browser session.
Every request states ``X-Experience-API-Version: 1.0.x``; every answer carries ``1.0.3``.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers.base import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.response import Response

from lms.accounts.auth import require_login
from lms.deps import Db, SettingsDep, User
from lms.errors import Invalid, NotFound
from lms.learning import statements, xapi

_HEADER = [ResponseHeader(name="X-Experience-API-Version", value=xapi.VERSION)]


async def require_xapi_client(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Signed in (401), and speaking xAPI 1.0.x (400): one guard, as Litestar copies the handler for each guard call
    (the statement POST, every phone's progress, calls it itself and spares that copy too).
    The header is read from the ASGI scope (building the connection's Headers copies them)."""
    await require_login(connection, handler)
    version = next((v.decode("latin-1") for k, v in connection.scope["headers"] if k == b"x-experience-api-version"), None)
    if not version:
        raise Invalid("the X-Experience-API-Version header is required (1.0.3)", field="X-Experience-API-Version")
    if not version.startswith("1.0"):
        raise Invalid(f"xAPI version {version} is not supported; use 1.0.3", field="X-Experience-API-Version")


async def _body(request: Request[Any, Any, Any]) -> bytes:
    """The body as ``request.body()`` reads it (the same size limit, 413 past it), straight from the ASGI messages:
    without the request's header map and an async generator for each request (about 25 us of every phone's batch)."""
    limit = request.route_handler.resolve_request_max_body_size() or math.inf
    announced = next((v for k, v in request.scope["headers"] if k == b"content-length"), None)
    if announced is not None:
        if not announced.isdigit():
            raise Invalid("the Content-Length header is not a number", field="Content-Length")
        if int(announced) > limit:
            raise RequestEntityTooLarge()
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientException("the client went away before sending the whole body")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestEntityTooLarge()
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _json(request: Request[Any, Any, Any]) -> Any:
    body = await _body(request)
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise Invalid(f"the body is not valid JSON: {exc}", field="body") from None


def _uuid(value: str, name: str) -> UUID:
    if not xapi.is_uuid(value):
        raise Invalid(f"{name} must be a UUID", field=name)
    return UUID(value)


def _cursor(value: str) -> tuple[datetime, UUID]:
    """The opaque `more` position: (stored, id) of the last statement of the previous page."""
    stored, _, sid = value.rpartition("_")
    try:
        return datetime.fromisoformat(stored), _uuid(sid, "cursor")
    except ValueError:
        raise Invalid("cursor is not one this service made; follow the `more` link as given", field="cursor") from None


class XapiAboutController(Controller):
    path = "/xapi/about"
    tags = ["xapi"]
    response_headers = _HEADER

    @get("/", operation_id="xapi_about")
    async def about(self) -> dict[str, Any]:
        return {"version": [xapi.VERSION]}


class XapiStatementsController(Controller):
    path = "/xapi/statements"
    tags = ["xapi"]
    response_headers = _HEADER

    @put("/", operation_id="xapi_statements_put", status_code=204, guards=[require_xapi_client])
    async def put_statement(
        self, request: Request[Any, Any, Any], user: User, settings: SettingsDep,
        statement_id: Annotated[str, QueryParameter(name="statementId")],
    ) -> None:
        """Store one statement under the id given in the query (the same again changes nothing; other content is 409)."""
        _uuid(statement_id, "statementId")
        body = await _json(request)
        await statements.send_statements(request.app.state, [body], user_id=user.id, base_url=settings.public_base_url,
                                         statement_id=statement_id)

    @post("/", operation_id="xapi_statements_post", status_code=200)
    async def post_statements(self, request: Request[Any, Any, Any]) -> list[str]:
        """Store one statement or a list of up to 500, all or none; answers the ids in order."""
        # Nothing injected (the path every phone's progress takes): the caller comes from the scope, the settings from
        # the app; no connection is held while the batch waits for the process's statement writer.
        await require_xapi_client(request, request.route_handler)
        body = await _json(request)
        batch = body if isinstance(body, list) else [body]
        return await statements.send_statements(request.app.state, batch, user_id=request.scope["user"].id,
                                                base_url=request.app.state.settings.public_base_url)

    @get("/", operation_id="xapi_statements_get", guards=[require_xapi_client])
    async def get_statements(
        self, db: Db, user: User, settings: SettingsDep,
        statement_id: Annotated[str | None, QueryParameter(name="statementId")] = None,
        voided_statement_id: Annotated[str | None, QueryParameter(name="voidedStatementId")] = None,
        registration: Annotated[str | None, QueryParameter(name="registration")] = None,
        verb: Annotated[str | None, QueryParameter(name="verb", max_length=300)] = None,
        activity: Annotated[str | None, QueryParameter(name="activity", max_length=2048)] = None,
        since: Annotated[datetime | None, QueryParameter(name="since")] = None,
        until: Annotated[datetime | None, QueryParameter(name="until")] = None,
        limit: Annotated[int, QueryParameter(name="limit", ge=0, le=500)] = 100,
        ascending: Annotated[bool, QueryParameter(name="ascending")] = False,
        cursor: Annotated[str | None, QueryParameter(name="cursor", max_length=100)] = None,
    ) -> Response[dict[str, Any]]:
        """One statement by statementId (or a voided one by voidedStatementId), or the caller's statements, newest first."""
        if statement_id and voided_statement_id:
            raise Invalid("give statementId or voidedStatementId, not both", field="statementId")
        one = statement_id or voided_statement_id
        if one:
            name = "statementId" if statement_id else "voidedStatementId"
            row = await statements.get_statement(db, user_id=user.id, statement_id=_uuid(one, name), voided=bool(voided_statement_id))
            if row is None:
                raise NotFound(f"no statement {one} of yours" + (" that was voided" if voided_statement_id else ""), field=name)
            return Response(statements.statement_out(row, settings.public_base_url),
                            headers={"Last-Modified": row["stored"].strftime("%a, %d %b %Y %H:%M:%S GMT")})
        limit = limit or 100
        after = _cursor(cursor) if cursor else None
        rows = await statements.list_statements(
            db, user_id=user.id, registration=_uuid(registration, "registration") if registration else None, verb=verb,
            activity=activity, since=since, until=until, limit=limit, ascending=ascending, after=after,
        )
        more = ""
        if len(rows) == limit:
            params: dict[str, str] = {k: v for k, v in (("registration", registration), ("verb", verb), ("activity", activity)) if v}
            params.update({k: v.isoformat() for k, v in (("since", since), ("until", until)) if v})
            params.update({"limit": str(limit), "ascending": str(ascending).lower(),
                           "cursor": f"{rows[-1]['stored'].isoformat()}_{rows[-1]['id']}"})
            more = "/xapi/statements?" + urlencode(params)
        return Response({"statements": [statements.statement_out(r, settings.public_base_url) for r in rows], "more": more})
