"""Dependencies every controller can ask for by name: db, tx, settings, storage, user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from lms.accounts.schemas import CurrentUser
from lms.db import after_commit
from lms.errors import DatabaseUnavailable
from lms.settings import Settings
from lms.storage import Storage


async def _acquire(state: State) -> asyncpg.pool.PoolConnectionProxy:
    pool: asyncpg.Pool = state.pool
    try:
        if pool.get_idle_size():  # one is free: no wait to bound (a reconnect has the pool's connect timeout)
            return await pool.acquire()
        # asyncio.timeout, not acquire(timeout=): asyncpg would wrap the wait in asyncio.wait_for, a task per request.
        async with asyncio.timeout(state.settings.database_timeout):
            return await pool.acquire()
    except (TimeoutError, OSError, asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.ConnectionDoesNotExistError) as exc:
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


async def provide_db(state: State) -> AsyncIterator[asyncpg.Connection]:
    async with connection(state) as conn:
        yield conn


async def provide_tx(state: State) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside a transaction: an exception anywhere in the handler rolls everything back.

    When the handler failed because the connection itself was lost (PostgreSQL restarted), the rollback cannot run;
    the handler's own error is what the caller gets (a 503), not the failed rollback's. What the handler changed is
    announced to this process's caches after the commit (lms.db.after_commit), before the response goes out.
    """
    conn = await _acquire(state)
    transaction = conn.transaction()
    try:
        await transaction.start()
        after_commit.hold(conn)
        try:
            yield conn
        except BaseException:
            try:
                await transaction.rollback()
            except (asyncpg.exceptions.InterfaceError, asyncpg.exceptions.PostgresConnectionError, OSError):
                pass  # the connection is gone, and with it the transaction: nothing was committed
            raise
        await transaction.commit()
        after_commit.committed(conn)
    finally:
        after_commit.forget(conn)
        await state.pool.release(conn)


def provide_settings(state: State) -> Settings:
    return state.settings


def provide_storage(state: State) -> Storage:
    return state.storage


def provide_user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    return request.scope.get("user")


DEPENDENCIES = {
    "db": Provide(provide_db),
    "tx": Provide(provide_tx),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "storage": Provide(provide_storage, sync_to_thread=False),
    "user": Provide(provide_user, sync_to_thread=False),
}


# Annotations for handler parameters (Litestar wants injected names marked explicitly).
# Litestar resolves the types inside them (asyncpg, CurrentUser, Settings) among the names of the handler's module, so
# a controller using one imports those too, even where a linter calls the import unused.
Db = NamedDependency[asyncpg.Connection]
Tx = NamedDependency[asyncpg.Connection]
User = NamedDependency[CurrentUser]
MaybeUser = NamedDependency["CurrentUser | None"]
SettingsDep = NamedDependency[Settings]
StorageDep = NamedDependency[Storage]
