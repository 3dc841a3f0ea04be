"""Writes that arrive together are written together: one SQL statement for many requests.

Each small write alone costs the database a round trip, a plan, a commit and a WAL flush, and the app a borrowed
connection; most of that is the same for one row as for two hundred. So a request hands its item to the process's
writer and waits for its own answer, holding no connection; the writer writes everything waiting (up to a weight
limit) at once. Nothing waits for a timer: an item that finds the writer idle is written at once, and the items that
arrive while a write runs go together in the next one.

A subclass says how items are written together (``write_together``, which may refuse some of them) and alone
(``write_one``). When the database refuses a group as a whole for what was sent (a constraint, a value it cannot
take), each item is then written alone, so only the request at fault gets the error. Whatever fails the connection
fails every item of the group, as it would have failed each request without the writer.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import asyncpg
from litestar.datastructures import State

from lms.db.pool import connection

T = TypeVar("T")


@dataclass(slots=True)
class Waiting(Generic[T]):
    item: T
    weight: int
    answer: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    def done(self, error: BaseException | None = None) -> None:
        """Answer the waiting request: written (no error), or the error it gets."""
        if self.answer.done():  # the request gave up (the client went away)
            return
        if error is None:
            self.answer.set_result(None)
        elif isinstance(error, asyncio.CancelledError):  # the writer was cancelled (shutdown): so is the wait
            self.answer.cancel()
        else:
            self.answer.set_exception(error)


class Coalescer(Generic[T]):
    """One per process and kind of write (on ``app.state``, made in the app's lifespan)."""

    max_weight = 1  # what one write may carry (rows, say); a single heavier item still goes alone
    writers = 1  # writes in flight: the next group gathers while one runs

    def __init__(self, state: State) -> None:
        self._state = state
        self._waiting: deque[Waiting[T]] = deque()
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: T, weight: int = 1) -> None:
        """Wait until ``item`` is written; raises what writing it failed with."""
        waiting = Waiting(item, weight)
        self._waiting.append(waiting)
        if len(self._running) < self.writers:
            task = asyncio.get_running_loop().create_task(self._write_waiting())
            self._running.add(task)
            task.add_done_callback(self._running.discard)  # also when cancelled before it ever ran
        await waiting.answer

    async def write_together(self, conn: asyncpg.Connection, items: list[T]) -> list[BaseException | None]:
        """Write the items in one go; for each, None (written) or the error its request gets (nothing of it
        written). Raises when the write fails as a whole."""
        raise NotImplementedError

    async def write_one(self, conn: asyncpg.Connection, item: T) -> None:
        """Write one item alone; raises the error its request gets."""
        raise NotImplementedError

    async def _write_group(self, conn: asyncpg.Connection, group: list[Waiting[T]]) -> None:
        if len(group) > 1:
            try:
                answers = await self.write_together(conn, [waiting.item for waiting in group])
            except asyncpg.PostgresError as exc:
                if isinstance(exc, _NOT_THE_CONTENT):
                    raise
            else:
                for waiting, error in zip(group, answers, strict=True):
                    waiting.done(error)
                return
        for waiting in group:  # one item, or a group the database refused as a whole: each alone
            try:
                await self.write_one(conn, waiting.item)
            except Exception as exc:
                waiting.done(exc)
            else:
                waiting.done()

    async def _write_waiting(self) -> None:
        try:
            while self._waiting:
                await self._write(self._take())
        finally:
            # Off the list in the same step as its last look at what is waiting, so an item submitted after that
            # starts a new writer. (The done callback alone runs a step later: an item submitted in between found
            # this writer still listed and no writer took it, its request waiting for ever.)
            self._running.discard(asyncio.current_task())  # type: ignore[arg-type]

    def _take(self) -> list[Waiting[T]]:
        """The items waiting longest, up to ``max_weight`` (at least one); a request that gave up is dropped."""
        group: list[Waiting[T]] = []
        weight = 0
        while self._waiting and (not group or weight + self._waiting[0].weight <= self.max_weight):
            waiting = self._waiting.popleft()
            if not waiting.answer.done():
                group.append(waiting)
                weight += waiting.weight
        return group

    async def _write(self, group: list[Waiting[T]]) -> None:
        try:
            if group:
                async with connection(self._state) as conn:
                    await self._write_group(conn, group)
        except BaseException as exc:  # whatever failed the connection fails every request still waiting
            for waiting in group:
                waiting.done(exc)
            if not isinstance(exc, Exception):
                raise


# Failures that say nothing about what was sent: writing each item alone would only repeat them.
_NOT_THE_CONTENT = (asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
                    asyncpg.exceptions.InsufficientResourcesError)
