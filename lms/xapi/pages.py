"""HTML: program admins make, list and revoke LRS credentials (the same use cases as lms/xapi/clients_api.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.errors import Invalid, NotFound
from lms.schemas import Form
from lms.web import page
from lms.xapi import client_queries, clients


class ClientForm(Form):
    name: str = ""
    can_read: str = ""
    can_write: str = ""


def _endpoint(request: Request[Any, Any, Any]) -> str:
    return request.app.state.settings.public_base_url.rstrip("/") + "/xapi/"


class LrsClientPages(Controller):
    path = "/admin/lrs-clients"
    guards = [require_role("program_admin")]
    include_in_schema = False

    @get("/", operation_id="page_lrs_clients")
    async def list_clients(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(
            request,
            "xapi/clients.html.jinja2",
            clients=await client_queries.list_clients(db),
            created=None,
            endpoint=_endpoint(request),
        )

    @post("/", operation_id="page_lrs_clients_create", status_code=200)
    async def create_client(
        self, request: Request[Any, Any, Any], tx: Tx, user: User, data: URLEncodedBody[ClientForm]
    ) -> Template:
        name = data.name.strip()[:200]
        if not name:
            raise Invalid("name: give the tool a name", field="name")
        created = await clients.create_client(
            tx, name=name, can_read=data.can_read == "on", can_write=data.can_write == "on", created_by=user.id
        )
        return page(
            request,
            "xapi/clients.html.jinja2",
            clients=await client_queries.list_clients(tx),
            created=created,
            endpoint=_endpoint(request),
        )

    @post("/{client_id:uuid}/revoke", operation_id="page_lrs_clients_revoke")
    async def revoke_client(self, tx: Tx, client_id: FromPath[UUID]) -> Redirect:
        if not await client_queries.revoke_client(tx, client_id):
            raise NotFound("no such LRS credential, or it was revoked already")
        return Redirect("/admin/lrs-clients", status_code=303)
