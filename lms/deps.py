"""Dependencies every controller can ask for by name: db, tx, settings, storage (and user, from lms.accounts.auth)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import asyncpg
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from lms.db import after_commit
from lms.db.pool import _acquire, connection
from lms.settings import Settings
from lms.storage import Storage

if TYPE_CHECKING:
    from lms.accounts.schemas import CurrentUser  # noqa: F401 (named in the string annotations below)


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


DEPENDENCIES = {
    "db": Provide(provide_db),
    "tx": Provide(provide_tx),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "storage": Provide(provide_storage, sync_to_thread=False),
}  # and "user", from lms.accounts.auth (added in lms.app.create_app)


# Annotations for handler parameters (Litestar wants injected names marked explicitly).
# Litestar resolves the types inside them (asyncpg, CurrentUser, Settings) among the names of the handler's module, so
# a controller using one imports those too, even where a linter calls the import unused.
Db = NamedDependency[asyncpg.Connection]
Tx = NamedDependency[asyncpg.Connection]
User = NamedDependency["CurrentUser"]
MaybeUser = NamedDependency["CurrentUser | None"]
SettingsDep = NamedDependency[Settings]
StorageDep = NamedDependency[Storage]
