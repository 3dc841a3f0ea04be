"""`lms serve` keeps the embedded servers it started running: a thread looks at each one every few seconds and starts
again one whose process died (killed, out of memory). PostgreSQL recovers from its WAL, so every acknowledged
(committed) write is still there; the app's pool and S3 client reconnect by themselves, so /health/ready turns green
again without a restart of the service. Servers given by URL are not ours to start: while they are away, requests
answer 503 (lms.errors) until they return."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from lms.embedded.errors import EmbeddedError

EVERY_SECONDS = 2.0


class Watched(Protocol):
    name: str

    def alive(self) -> bool: ...

    def start(self) -> None: ...


class Watchdog:
    def __init__(self, servers: Sequence[Watched], *, say: Callable[[str], None], every: float = EVERY_SECONDS) -> None:
        self.servers = list(servers)
        self.say = say
        self.every = every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lms-embedded-watchdog", daemon=True)

    def start(self) -> Watchdog:
        if self.servers:
            self._thread.start()
        return self

    def stop(self) -> None:
        """Before the servers are stopped on purpose, so that stopping is not taken for a crash."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=120)

    def _run(self) -> None:
        down: set[str] = set()
        while not self._stopping.wait(self.every):
            for server in self.servers:
                if self._stopping.is_set() or server.alive():
                    continue
                if server.name not in down:
                    self.say(f"The embedded {server.name} stopped; starting it again ...")
                    down.add(server.name)
                try:
                    server.start()
                except (EmbeddedError, OSError) as exc:  # e.g. the old process still holds its port: next round
                    self.say(f"The embedded {server.name} did not start yet ({exc}); trying again.")
                    continue
                down.discard(server.name)
                self.say(f"The embedded {server.name} runs again.")
