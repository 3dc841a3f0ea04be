"""Statement batches that arrive together are stored together: one SQL statement for many phones.

At a shift change hundreds of phones send their small `launched`/`progressed` batches at once. Each batch alone costs
the database a round trip, a plan, a commit and a WAL flush; most of that is the same for five statements as for
two hundred. So a request hands its checked batch to the process's writer (lms/db/coalesce.py) and waits; the writer
stores everything waiting (up to MAX_ROWS statements) in one statement and answers each request for its own batch.

Each batch keeps its own answer: a batch with an unknown activity or someone else's enrolment is refused (400) and
the others are stored. When the statement fails as a whole, nothing of any batch was stored (it is one statement);
if the database refused its content (a repeated id with other content is 409, the same id in two waiting batches, a
value it cannot take), each batch is then stored alone, so only the batch at fault gets the error. A connection or
timeout error goes to every waiting request (503), as it would have without the writer.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from lms.db.coalesce import Coalescer
from lms.learning import statements, xapi
from lms.learning.statements import Batch

MAX_ROWS = xapi.MAX_BATCH  # statements per SQL statement: a full batch from one client still goes alone


class StatementWriter(Coalescer[Batch]):
    max_weight = MAX_ROWS
    writers = 1  # the next group gathers while one store runs (2 or 4 measured slower)

    async def store(self, rows: list[dict[str, Any]], *, user_id: UUID) -> None:
        """Store one sender's checked batch whole or not at all; raises what storing it alone would have raised."""
        await self.submit((user_id, rows), weight=len(rows))

    async def write_together(self, conn: asyncpg.Connection, items: list[Batch]) -> list[BaseException | None]:
        refusals, _ = await statements.store_batches(conn, items)
        return [refusals.get(n) for n in range(len(items))]

    async def write_one(self, conn: asyncpg.Connection, item: Batch) -> None:
        user_id, rows = item
        await statements.store(conn, rows, user_id=user_id)
