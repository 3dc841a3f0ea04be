"""Statement batches that arrive together are stored together: one SQL statement for many phones.

At a shift change hundreds of phones send their small `launched`/`progressed` batches at once. Each batch alone costs
the database a round trip, a plan, a commit and a WAL flush; most of that is the same for five statements as for
two hundred. So a request hands its checked batch to the process's writer and waits; the writer stores everything
waiting (up to MAX_ROWS statements) in one statement and answers each request for its own batch. Nothing waits for a
timer: a batch that finds the writer idle is stored at once, and the batches that arrive while a store runs go
together in the next one.

Each batch keeps its own answer: a batch with an unknown activity or someone else's enrolment is refused (400) and
the others are stored. When the statement fails as a whole, nothing of any batch was stored (it is one statement);
if the database refused its content (a repeated id with other content is 409, the same id in two waiting batches, a
value it cannot take), each batch is then stored alone, so only the batch at fault gets the error. A connection or
timeout error goes to every waiting request (503), as it would have without the writer.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg
from litestar.datastructures import State

from lms.deps import connection
from lms.learning import statements, xapi

MAX_ROWS = xapi.MAX_BATCH  # statements per SQL statement: a full batch from one client still goes alone
WRITERS = 1  # stores in flight per process: the next group gathers while one runs (2 or 4 measured slower)


@dataclass(slots=True)
class _Waiting:
    user_id: UUID
    rows: list[dict[str, Any]]
    answer: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class StatementWriter:
    def __init__(self, state: State) -> None:
        self._state = state
        self._waiting: deque[_Waiting] = deque()
        self._running: set[asyncio.Task[None]] = set()

    async def store(self, rows: list[dict[str, Any]], *, user_id: UUID) -> None:
        """Store one sender's checked batch whole or not at all; raises what storing it alone would have raised."""
        waiting = _Waiting(user_id, rows)
        self._waiting.append(waiting)
        if len(self._running) < WRITERS:
            task = asyncio.get_running_loop().create_task(self._write_waiting())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        await waiting.answer

    async def _write_waiting(self) -> None:
        while self._waiting:
            await self._write(self._take())

    def _take(self) -> list[_Waiting]:
        """The batches waiting longest, up to MAX_ROWS statements (at least one batch); a request that gave up is dropped."""
        group: list[_Waiting] = []
        rows = 0
        while self._waiting and (not group or rows + len(self._waiting[0].rows) <= MAX_ROWS):
            waiting = self._waiting.popleft()
            if not waiting.answer.done():
                group.append(waiting)
                rows += len(waiting.rows)
        return group

    async def _write(self, group: list[_Waiting]) -> None:
        try:
            if group:
                async with connection(self._state) as conn:
                    await (self._store_alone(conn, group) if len(group) == 1 else self._store_together(conn, group))
        except BaseException as exc:  # whatever failed the connection fails every request still waiting
            for waiting in group:
                _answer(waiting, exc)
            if not isinstance(exc, Exception):
                raise

    async def _store_together(self, conn: asyncpg.Connection, group: list[_Waiting]) -> None:
        try:
            refusals, _ = await statements.store_batches(conn, [(w.user_id, w.rows) for w in group])
        except asyncpg.PostgresError as exc:
            if isinstance(exc, _NOT_THE_CONTENT):
                raise
            await self._store_alone(conn, group)
            return
        for n, waiting in enumerate(group):
            _answer(waiting, refusals.get(n))

    @staticmethod
    async def _store_alone(conn: asyncpg.Connection, group: list[_Waiting]) -> None:
        for waiting in group:
            try:
                await statements.store(conn, waiting.rows, user_id=waiting.user_id)
            except Exception as exc:
                _answer(waiting, exc)
            else:
                _answer(waiting, None)


# Failures that say nothing about what was sent: retrying each batch alone would only repeat them.
_NOT_THE_CONTENT = (asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
                    asyncpg.exceptions.InsufficientResourcesError)


def _answer(waiting: _Waiting, error: BaseException | None) -> None:
    if waiting.answer.done():  # the request gave up (the client went away)
        return
    if error is None:
        waiting.answer.set_result(None)
    elif isinstance(error, asyncio.CancelledError):  # the writer was cancelled (shutdown): so is the wait
        waiting.answer.cancel()
    else:
        waiting.answer.set_exception(error)
