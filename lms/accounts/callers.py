"""Who a session cookie or API token belongs to, kept for ``settings.auth_cache_seconds`` in each process.

Every signed-in request used to start with the same lookup (session or token -> user); at a few hundred requests a
second per process it was one query in three. A caller found is kept for a few seconds; one not found is never kept
(a made-up cookie cannot fill memory, and a new session works at once). Anything that changes what a lookup answers
(sign-out, a revoked token, a role or language change) calls ``callers_changed()`` from lms/accounts/queries.py, and
every process-local cache forgets everything on its next use; other processes see the change within the setting's
seconds.
"""

from __future__ import annotations

import time

from litestar.datastructures import State

from lms.accounts.schemas import CurrentUser

MAX_CALLERS = 10_000
_STATE_KEY = "caller_cache"
_changes = 0  # changes to sessions, tokens or users made by this process


def callers_changed() -> None:
    global _changes
    _changes += 1


class CallerCache:
    def __init__(self, seconds: float, max_callers: int = MAX_CALLERS) -> None:
        self.seconds, self.max_callers = seconds, max_callers
        self._callers: dict[bytes, tuple[CurrentUser, float]] = {}
        self._changes_seen = _changes

    def get(self, key: bytes, now: float | None = None) -> CurrentUser | None:
        if self._changes_seen != _changes:
            self._callers.clear()
            self._changes_seen = _changes
        found = self._callers.get(key)
        if found is None:
            return None
        if (time.monotonic() if now is None else now) >= found[1]:
            del self._callers[key]
            return None
        return found[0]

    def keep(self, key: bytes, user: CurrentUser, now: float | None = None) -> None:
        if self.seconds <= 0:
            return
        if len(self._callers) >= self.max_callers:
            self._callers.clear()  # a flood of sessions: start over rather than grow without bound
        self._callers[key] = (user, (time.monotonic() if now is None else now) + self.seconds)


def caller_cache(state: State) -> CallerCache:
    cache = state.get(_STATE_KEY)
    if cache is None:
        cache = state[_STATE_KEY] = CallerCache(state.settings.auth_cache_seconds)
    return cache
