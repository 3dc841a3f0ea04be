"""LRS client credentials (key and secret for HTTP Basic), made and revoked by program admins."""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.secrets import token_hash
from lms.errors import Invalid
from lms.xapi.schemas import LrsClientCreated, LrsClientOut

_COLUMNS = "id, key, name, can_read, can_write, created_at, revoked_at"


async def create_client(
    conn: asyncpg.Connection, *, name: str, can_read: bool, can_write: bool, created_by: UUID
) -> LrsClientCreated:
    if not (can_read or can_write):
        raise Invalid("an LRS credential reads, writes or both", field="can_read")
    key = "lrs_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    row = await conn.fetchrow(
        f"""INSERT INTO lrs_clients (key, secret_hash, name, can_read, can_write, created_by)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",
        key,
        token_hash(secret),
        name,
        can_read,
        can_write,
        created_by,
    )
    return msgspec.convert({**dict(row), "secret": secret}, LrsClientCreated)


async def list_clients(conn: asyncpg.Connection) -> list[LrsClientOut]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM lrs_clients ORDER BY created_at DESC, id")
    return [msgspec.convert(dict(r), LrsClientOut) for r in rows]


async def revoke_client(conn: asyncpg.Connection, client_id: UUID) -> bool:
    done = await conn.fetchval(
        "UPDATE lrs_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id", client_id
    )
    return done is not None
