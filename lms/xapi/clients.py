"""LRS client credentials (key and secret for HTTP Basic), made by program admins (listing and revoking:
lms/xapi/client_queries.py)."""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg
import msgspec

from lms.accounts.secrets import token_hash
from lms.errors import Invalid
from lms.xapi import client_queries
from lms.xapi.schemas import LrsClientCreated


async def create_client(
    conn: asyncpg.Connection, *, name: str, can_read: bool, can_write: bool, created_by: UUID
) -> LrsClientCreated:
    if not (can_read or can_write):
        raise Invalid("an LRS credential reads, writes or both", field="can_read")
    key = "lrs_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    row = await client_queries.add_client(
        conn,
        key=key,
        secret_hash=token_hash(secret),
        name=name,
        can_read=can_read,
        can_write=can_write,
        created_by=created_by,
    )
    return msgspec.convert({**dict(row), "secret": secret}, LrsClientCreated)
