"""The SQL of LRS client credentials (lms/xapi/clients.py, lms/xapi/callers.py): add, list, revoke, and find the
live one a key and secret name."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from lms.xapi.schemas import LrsClientOut

_COLUMNS = "id, key, name, can_read, can_write, created_at, revoked_at"


async def add_client(
    conn: asyncpg.Connection,
    *,
    key: str,
    secret_hash: bytes,
    name: str,
    can_read: bool,
    can_write: bool,
    created_by: UUID,
) -> Any:
    return await conn.fetchrow(
        f"""INSERT INTO lrs_clients (key, secret_hash, name, can_read, can_write, created_by)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {_COLUMNS}""",
        key,
        secret_hash,
        name,
        can_read,
        can_write,
        created_by,
    )


async def list_clients(conn: asyncpg.Connection) -> list[LrsClientOut]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM lrs_clients ORDER BY created_at DESC, id")
    return [msgspec.convert(dict(r), LrsClientOut) for r in rows]


async def revoke_client(conn: asyncpg.Connection, client_id: UUID) -> bool:
    """Whether a live credential was revoked now."""
    done = await conn.fetchval(
        "UPDATE lrs_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id", client_id
    )
    return done is not None


async def live_client(conn: asyncpg.Pool | asyncpg.Connection, *, key: str, secret_hash: bytes) -> Any | None:
    """The credential (id, key, name, rights) with this key and secret, unless revoked."""
    return await conn.fetchrow(
        """SELECT id, key, name, can_read, can_write FROM lrs_clients
           WHERE key = $1 AND secret_hash = $2 AND revoked_at IS NULL""",
        key,
        secret_hash,
    )
