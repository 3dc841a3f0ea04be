"""Clinic dashboards kept for a minute.

A clinic's credit page and its outcomes report each take several queries over the clinic's workers and a large
render; a handful of admins open the same view over and over (after each completion day, at the start of a shift).
Each rendered view is kept in the process for ``KEEP_SECONDS`` under (clinic, view, role, language, parameters) and
served again with the caller's CSRF token. What stays per request: the sign-in and role check, the clinic scope
check, and the audit record naming the workers shown (those of the kept view; lms.audit.writer writes the records of
viewings that come at the same moment in one INSERT, each viewing waiting for its own). The page says when its
figures were read. A change made through this process (a credential recorded, a certificate revoked) drops the
clinic's views as soon as it is committed: the credit service gives ``clinic_changed`` to lms.db.after_commit (as
publishing gives ``catalogue_changed``), and every cache of the process forgets those views on its next use. A view
whose making began before such a change may have read the data before it: its requests get it, but it is not kept.
Changes elsewhere (a completion, another process) show within ``KEEP_SECONDS`` (plus one render). When a view is
missing or a minute old, one request makes it; the others asking meanwhile get the previous view (or, when there is
none, wait for that one request), so a busy view expiring is neither a burst of identical renders nor a queue of
admins waiting on one. Nobody holds a database connection while waiting.

One cache per app (on ``app.state``), like the catalogue's.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar.datastructures import State

from lms.web import KeptPage

KEEP_SECONDS = 60.0
MAX_VIEWS = 512
_STATE_KEY = "dashboard_cache"
_CALIFORNIA = ZoneInfo("America/Los_Angeles")
_changes = 0  # changes made by this process to what clinic views show
_changed_at: dict[UUID | None, int] = {}  # clinic (None: every clinic) -> number of its latest change


def clinic_changed(clinic_id: UUID | None) -> None:
    """Called where credit data changes: this process's kept views of that clinic (None: of every clinic) are dropped."""
    global _changes
    _changes += 1
    _changed_at[clinic_id] = _changes


def _last_change(clinic_id: UUID) -> int:
    """The number of the latest change to this clinic's views (0: none yet)."""
    return max(_changed_at.get(clinic_id, 0), _changed_at.get(None, 0))


@dataclass(frozen=True, slots=True)
class KeptView:
    page: KeptPage  # rendered with the CSRF slot (lms.web.render_kept)
    worker_ids: tuple[str, ...]  # the workers the view shows, for each viewing's audit record
    kept_at: float


class DashboardCache:
    def __init__(self, seconds: float = KEEP_SECONDS, max_views: int = MAX_VIEWS) -> None:
        self.seconds, self.max_views = seconds, max_views
        self._views: OrderedDict[tuple[UUID, Hashable], KeptView] = OrderedDict()
        self._making: dict[tuple[UUID, Hashable], asyncio.Future[KeptView | None]] = {}
        self._changes_seen = _changes

    async def view(self, clinic_id: UUID, key: Hashable,
                   make: Callable[[], Awaitable[tuple[KeptPage, list[str]]]]) -> tuple[KeptView, bool]:
        """The kept view, made with ``make`` (page, worker ids) when missing or old; True when this call made it (and
        so ``make`` wrote the audit record). While one request makes a view, the others asking get the previous one
        if it is less than twice ``seconds`` old, else wait for the new one."""
        while True:
            fresh = self.get(clinic_id, key)
            if fresh is not None:
                return fresh, False
            making = self._making.get((clinic_id, key))
            if making is None:
                break
            previous = self.get(clinic_id, key, max_age=2 * self.seconds)
            if previous is not None:
                return previous, False
            made = await asyncio.shield(making)
            if made is not None:
                return made, False
            # the maker failed: try again (one of the waiters becomes the maker)
        future: asyncio.Future[KeptView | None] = asyncio.get_running_loop().create_future()
        self._making[(clinic_id, key)] = future
        begun = _changes
        try:
            page, worker_ids = await make()
            if _last_change(clinic_id) > begun:  # read before a change to its clinic: for these requests only
                kept = KeptView(page, tuple(worker_ids), time.monotonic())
            else:
                kept = self.keep(clinic_id, key, page, worker_ids)
            future.set_result(kept)
            return kept, True
        finally:
            if not future.done():
                future.set_result(None)
            del self._making[(clinic_id, key)]

    def get(self, clinic_id: UUID, key: Hashable, now: float | None = None, max_age: float | None = None) -> KeptView | None:
        """The view if kept less than ``max_age`` (default: ``seconds``) ago."""
        self._apply_changes()
        found = self._views.get((clinic_id, key))
        if found is None or (time.monotonic() if now is None else now) - found.kept_at >= (max_age or self.seconds):
            return None
        return found

    def keep(self, clinic_id: UUID, key: Hashable, page: KeptPage, worker_ids: list[str], now: float | None = None) -> KeptView:
        kept = self._views[(clinic_id, key)] = KeptView(page, tuple(worker_ids), time.monotonic() if now is None else now)
        self._views.move_to_end((clinic_id, key))
        while len(self._views) > self.max_views:
            self._views.popitem(last=False)
        return kept

    def _apply_changes(self) -> None:
        if self._changes_seen == _changes:
            return
        changed = {clinic for clinic, number in _changed_at.items() if number > self._changes_seen}
        self._changes_seen = _changes
        for kept in [k for k in self._views if None in changed or k[0] in changed]:
            del self._views[kept]


def dashboard_cache(state: State) -> DashboardCache:
    cache = state.get(_STATE_KEY)
    if cache is None:
        cache = state[_STATE_KEY] = DashboardCache()
    return cache


def read_at_label() -> str:
    """When a view's figures were read, as the page shows it: the time in California, HH:MM."""
    return datetime.now(UTC).astimezone(_CALIFORNIA).strftime("%H:%M")
