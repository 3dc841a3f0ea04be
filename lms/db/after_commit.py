"""Signals that may go out only once the change they announce is committed: this process's kept pages and views.

Dropping a kept page before the change is committed lets another request make it again at once from the data as it
still is, and keep that as current: an instructor who has just published would see the old catalogue for a second,
a clinic admin the old figures for a minute. So a change made in a request's transaction (``lms.deps`` Tx) gives its
signal to ``after_commit``, which holds it until that transaction commits and forgets it when it rolls back. Outside
such a transaction (a command's own, a test's) the signal goes out at once, as the caller has no later moment.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

Signal = Callable[[], None]

_held: dict[int, list[Signal]] = {}  # id of a connection in a request's transaction -> its signals


def after_commit(conn: asyncpg.Connection, signal: Signal) -> None:
    """Give ``signal`` once ``conn``'s request transaction has committed (at once when there is none)."""
    held = _held.get(id(conn))
    if held is None:
        signal()
    else:
        held.append(signal)


def hold(conn: asyncpg.Connection) -> None:
    """A request transaction starts on ``conn``: its signals wait for ``committed``."""
    _held[id(conn)] = []


def committed(conn: asyncpg.Connection) -> None:
    for signal in _held.pop(id(conn), ()):
        signal()


def forget(conn: asyncpg.Connection) -> None:
    """The transaction is over: what it still holds (it rolled back, or its commit failed) is dropped."""
    _held.pop(id(conn), None)
