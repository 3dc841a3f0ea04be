from __future__ import annotations

import asyncio

from litestar import Controller, Response, get
from litestar.datastructures import State

from lms.health import queries
from lms.schemas import Response as Out


class Readiness(Out):
    database: bool
    object_store: bool
    shutting_down: bool = False


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", operation_id="health_live", cache=False)
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", operation_id="health_ready", cache=False)
    async def ready(self, state: State) -> Response[Readiness]:
        database, store = await asyncio.gather(_database_answers(state), state.storage.ping())
        shutting_down = bool(state.get("shutting_down"))
        ok = database and store and not shutting_down
        return Response(
            Readiness(database=database, object_store=store, shutting_down=shutting_down),
            status_code=200 if ok else 503,
        )


async def _database_answers(state: State) -> bool:
    try:
        async with asyncio.timeout(2):
            return await queries.database_answers(state.pool)
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
