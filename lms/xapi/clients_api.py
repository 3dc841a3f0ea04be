"""JSON: program admins make, list and revoke LRS client credentials for outside xAPI tools."""

from __future__ import annotations

from uuid import UUID

import asyncpg  # noqa: F401 (see lms.deps)
from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from lms.accounts.auth import require_role
from lms.accounts.schemas import CurrentUser  # noqa: F401 (see lms.deps)
from lms.deps import Db, Tx, User
from lms.errors import NotFound
from lms.xapi import client_queries, clients
from lms.xapi.schemas import LrsClientCreate, LrsClientCreated, LrsClientOut


class LrsClientsController(Controller):
    path = "/api/v1/lrs/clients"
    tags = ["xapi"]
    guards = [require_role("program_admin")]

    @get("/", operation_id="lrs_clients_list")
    async def list_clients(self, db: Db) -> list[LrsClientOut]:
        return await client_queries.list_clients(db)

    @post("/", operation_id="lrs_clients_create", status_code=201)
    async def create_client(self, tx: Tx, user: User, data: JSONBody[LrsClientCreate]) -> LrsClientCreated:
        return await clients.create_client(
            tx, name=data.name, can_read=data.can_read, can_write=data.can_write, created_by=user.id
        )

    @delete("/{client_id:uuid}", operation_id="lrs_clients_revoke", status_code=204)
    async def revoke_client(self, tx: Tx, client_id: FromPath[UUID]) -> None:
        if not await client_queries.revoke_client(tx, client_id):
            raise NotFound("no such LRS credential, or it was revoked already")
