"""Graceful shutdown: on SIGTERM, readiness turns 503 first, then the server stops the usual way.

Sequence in a process started by `lms serve` (one uvicorn server per process, also with several workers):

1. SIGTERM arrives. ``app.state.shutting_down`` is set at once: ``/health/ready`` answers 503 and every response
   says ``Connection: close``, so load balancers stop routing here and clients stop reusing connections.
2. For ``LMS_SHUTDOWN_DRAIN_SECONDS`` the process keeps serving (requests already on their way still land).
3. The signal is handed to uvicorn: it stops accepting connections, lets in-flight requests finish for up to
   ``LMS_SHUTDOWN_GRACE_SECONDS``, then runs the app's shutdown (the database pool closes).
4. `lms serve` stops the embedded servers it started and exits 0.

The wrapper is installed at app startup, and only when something (the ASGI server) already handles SIGTERM: a test
client or a script that builds the app has nothing to wrap, and nothing changes there.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from lms.observability.logs import log_event

if TYPE_CHECKING:
    from litestar import Litestar


def begin_draining(app: Litestar, drain_seconds: float, hand_over: Any, sig: int, frame: Any) -> None:
    """Mark the app as shutting down, then pass the signal on after the drain period."""
    loop = asyncio.get_running_loop()
    if app.state.get("shutting_down"):
        hand_over(sig, frame)  # a second SIGTERM: stop now
        return
    app.state.shutting_down = True
    log_event("shutdown.started", drain_seconds=drain_seconds)
    loop.call_later(drain_seconds, hand_over, sig, frame)


def install_drain_on_sigterm(app: Litestar, drain_seconds: float) -> None:
    """Called at app startup: put the drain in front of the server's own SIGTERM handler, if there is one."""
    if threading.current_thread() is not threading.main_thread():
        return
    server_handler = signal.getsignal(signal.SIGTERM)
    if not callable(server_handler):
        return  # SIG_DFL / SIG_IGN: nobody serves us here (a test client, a script)
    loop = asyncio.get_running_loop()

    def on_sigterm(sig: int, frame: Any) -> None:
        # A signal handler runs between two bytecodes of the loop's thread: do the work on the loop itself.
        loop.call_soon_threadsafe(begin_draining, app, drain_seconds, server_handler, sig, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
    app.state.restore_sigterm = (on_sigterm, server_handler)


def restore_sigterm(app: Litestar) -> None:
    installed = app.state.get("restore_sigterm")
    if installed and threading.current_thread() is threading.main_thread():
        ours, previous = installed
        if signal.getsignal(signal.SIGTERM) is ours:
            signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """SIGTERM, after uvicorn has shut down gracefully (a BaseException, so no ``except Exception`` swallows it)."""


@contextmanager
def sigterm_ends_normally() -> Iterator[None]:
    """For `lms serve`: uvicorn re-raises the SIGTERM (or Ctrl+C) it handled once it has shut down, to mimic the
    default action, which would kill the process on the spot. Turn that into a normal return, so the embedded servers
    are stopped and the exit status is 0. A signal before uvicorn runs (during migrations) ends the start the same way."""

    def raise_terminated(_sig: int, _frame: Any) -> None:
        raise Terminated()

    previous = {sig: signal.signal(sig, raise_terminated) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    except Terminated:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
