"""In-process caches for the pages every worker opens: the catalogue, course pages and lesson pages.

- A published version never changes (a trigger refuses it), so a lesson's page data is kept for good, keyed by
  (course code, version, activity key); the least recently used go when there are too many.
- The catalogue and the course pages change when a version is published or retired. They are kept under the
  *catalogue generation*, a number PostgreSQL bumps on every such change (migration 0007). Each process reads it at
  most once a second, and at once after a publish or retirement made by this process has committed
  (lms.db.after_commit), so a change shows on every replica within a second and immediately where it was made.

One cache per app (on ``app.state``), never per module: two apps in one process (tests) may use two databases.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from litestar.datastructures import State

from lms.catalog import queries
from lms.deps import connection

T = TypeVar("T")
GENERATION_SECONDS = 1.0
LESSONS_KEPT = 4096
_STATE_KEY = "catalog_cache"
_local_changes = 0  # publishes and retirements made by this process


def catalogue_changed() -> None:
    """Given by publishing and retiring once committed: this process's caches read the generation again on their next
    use."""
    global _local_changes
    _local_changes += 1


class CatalogCache:
    def __init__(self) -> None:
        self.lessons: OrderedDict[Hashable, Any] = OrderedDict()
        self.generation = 0
        self.read_at = float("-inf")
        self.changes_seen = -1
        self.by_generation: dict[Hashable, Any] = {}

    async def lesson(self, key: Hashable, load: Callable[[], Awaitable[T | None]]) -> T | None:
        """A published version's page data: loaded once, then kept (None, a miss, is never kept)."""
        found = self.lessons.get(key)
        if found is not None:
            self.lessons.move_to_end(key)
            return found
        found = await load()
        if found is not None:
            self.lessons[key] = found
            if len(self.lessons) > LESSONS_KEPT:
                self.lessons.popitem(last=False)
        return found

    async def current(self, state: State, key: Hashable, load: Callable[[], Awaitable[T | None]]) -> T | None:
        """What depends on the catalogue (its page, a course page): kept until the generation changes. A miss (None)
        is not kept, so made-up course codes cannot fill memory."""
        await self._check_generation(state)
        found = self.by_generation.get(key)
        if found is not None:
            return found
        generation = self.generation
        found = await load()
        if found is not None and self.generation == generation:  # nothing newer was seen while loading
            self.by_generation[key] = found
        return found

    async def _check_generation(self, state: State) -> None:
        now = time.monotonic()
        if now - self.read_at < GENERATION_SECONDS and self.changes_seen == _local_changes:
            return
        changes = _local_changes
        async with connection(state) as conn:  # a connection only when the second is up
            generation = await queries.catalogue_generation(conn)
        self.read_at, self.changes_seen = now, changes
        if generation != self.generation:
            self.generation = generation
            self.by_generation = {}


def catalog_cache(state: State) -> CatalogCache:
    cache = state.get(_STATE_KEY)
    if cache is None:
        cache = state[_STATE_KEY] = CatalogCache()
    return cache
