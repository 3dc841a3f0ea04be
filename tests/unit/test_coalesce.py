"""The writer that stores what requests hand it together (lms/db/coalesce.py): who writes what is waiting."""

from __future__ import annotations

import asyncio

from litestar.datastructures import State

from lms.db.coalesce import Coalescer, Waiting


class _AnsweredAtOnce(Coalescer[str]):
    """Writes nothing anywhere: each group is answered in the writer's own step, the order in which a real write that
    does not wait for the database would answer it. What is looked at is which items get a writer at all."""

    max_weight = 3

    def __init__(self) -> None:
        super().__init__(State())
        self.groups: list[list[str]] = []

    @property
    def written(self) -> list[str]:
        return [item for group in self.groups for item in group]

    async def _write(self, group: list[Waiting[str]]) -> None:
        self.groups.append([waiting.item for waiting in group])
        for waiting in group:
            waiting.done()


async def test_an_item_submitted_as_the_writer_finishes_is_still_written():
    writer = _AnsweredAtOnce()

    async def one_request_then_the_next() -> None:
        await writer.submit("first")  # answered in the writer's last step ...
        await writer.submit("next")  # ... and this one handed over as that answer wakes the request, in the next step

    await asyncio.wait_for(one_request_then_the_next(), timeout=2)  # it waited for ever when the writer looked listed
    assert writer.written == ["first", "next"]


async def test_items_waiting_together_are_written_together_oldest_first_up_to_the_weight_limit():
    writer = _AnsweredAtOnce()
    await asyncio.gather(*(writer.submit(f"item {n}") for n in range(5)))
    assert writer.groups == [["item 0", "item 1", "item 2"], ["item 3", "item 4"]]
