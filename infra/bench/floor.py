"""The floor: what Litestar, asyncpg and the server do at all on this machine, with nothing of `lms` in between.

One handler, one asyncpg query on a pooled connection (the app's own pool: lms.db.pool.create_pool, same size, same
codecs, same release without a reset query), a JSON answer. Served by
the same server with the same worker count as the app in the same run, so each endpoint's requests/s can be read as a
ratio to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State

from lms.db.pool import create_pool
from lms.settings import Settings


@get("/floor")
async def floor(state: State) -> dict[str, object]:
    async with state.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT code, track FROM courses WHERE code = $1", "MA-VS-101")
    return {"code": row["code"] if row else None, "track": row["track"] if row else None}


def create_floor_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def pool(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await create_pool(settings)
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar(route_handlers=[floor], lifespan=[pool], debug=False, logging_config=None)
