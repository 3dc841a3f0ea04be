"""The asyncpg pool, with JSON and JSONB as msgspec-encoded Python values."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import msgspec
from litestar.datastructures import State

from lms.errors import DatabaseUnavailable
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


async def _acquire(state: State) -> asyncpg.pool.PoolConnectionProxy:
    pool: asyncpg.Pool = state.pool
    try:
        if pool.get_idle_size():  # one is free: no wait to bound (a reconnect has the pool's connect timeout)
            return await pool.acquire()
        # asyncio.timeout, not acquire(timeout=): asyncpg would wrap the wait in asyncio.wait_for, a task per request.
        async with asyncio.timeout(state.settings.database_timeout):
            return await pool.acquire()
    except (
        TimeoutError,
        OSError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.ConnectionDoesNotExistError,
    ) as exc:
        raise DatabaseUnavailable() from exc


class connection:  # lower case: used like the function it replaced, ``async with connection(state) as conn``
    """A pooled connection for a handler that needs one only sometimes (a page kept in memory needs none).
    A class rather than an @asynccontextmanager generator: this runs on nearly every request."""

    __slots__ = ("_state", "_conn")

    def __init__(self, state: State) -> None:
        self._state = state

    async def __aenter__(self) -> asyncpg.Connection:
        self._conn = await _acquire(self._state)
        return self._conn

    async def __aexit__(self, *_: object) -> None:
        await self._state.pool.release(self._conn)
