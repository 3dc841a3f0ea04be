"""The asyncpg pool, with JSON and JSONB as msgspec-encoded Python values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from lms.settings import Settings

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode


async def init_connection(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, schema="pg_catalog", encoder=lambda v: _encode(v).decode(), decoder=_decode, format="text"
        )


async def keep_session(conn: asyncpg.Connection) -> None:
    """Released connections go back as they are, without asyncpg's default reset query (pg_advisory_unlock_all,
    CLOSE ALL, UNLISTEN *, RESET ALL): one round trip less per request. Nothing in lms changes session state (no
    SET, LISTEN, session advisory locks or cursors outside transactions), and asyncpg still rolls back a
    transaction left open."""


async def create_pool(settings: Settings, **overrides: Any) -> asyncpg.Pool:
    options: dict[str, Any] = {
        "min_size": settings.database_pool_min,
        "max_size": settings.database_pool_max,
        "init": init_connection,
        "reset": keep_session,
        "command_timeout": settings.database_timeout,
        "timeout": settings.database_timeout,
        "server_settings": {"application_name": "lms", "statement_timeout": str(int(settings.database_timeout * 1000))},
    }
    options.update(overrides)
    return await asyncpg.create_pool(settings.database_url, **options)


@asynccontextmanager
async def pool_lifespan(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(settings)
    try:
        yield pool
    finally:
        await pool.close()
