"""Fresh databases for the tests, each cloned from the migrated template and used by one test only.

Cloning copies every relation of the template (about 400, 12 MB) and takes PostgreSQL a second or more on a busy
2-core machine; dropping one with FORCE waits for its connections to end. A thread of its own does both a step ahead:
while a test runs, the next test's database is cloned and the last test's dropped, so a test rarely waits for either.
Each test still gets a database no other test has touched.
"""

from __future__ import annotations

import queue
import threading
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg


def with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class FreshDatabases:
    def __init__(self, admin_url: str, template: str, *, ahead: int = 2) -> None:
        self.admin_url = admin_url
        self.template = template
        self._ready: queue.Queue[str] = queue.Queue(maxsize=ahead)
        self._used: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="fresh-databases", daemon=True)
        self._thread.start()

    def take(self) -> str:
        """The name of a database cloned from the template that no test has used (waits for one when none is ready)."""
        while True:
            try:
                return self._ready.get(timeout=0.5)
            except queue.Empty:
                if self._failure is not None:
                    raise RuntimeError(f"cloning the template database failed: {self._failure}") from self._failure
                if not self._thread.is_alive():
                    raise RuntimeError("the thread that clones test databases has stopped") from None

    def give_back(self, name: str) -> None:
        """The test is over: its database is dropped (in the background, before the next clone)."""
        self._used.put(name)

    def close(self) -> None:
        """Stop cloning and drop every database made here, used or not."""
        self._stop.set()
        self._thread.join(120)

    def _work(self) -> None:
        try:
            with psycopg.connect(self.admin_url, autocommit=True) as admin:
                try:
                    while not self._stop.is_set():
                        self._drop_used(admin)
                        name = "t_" + uuid.uuid4().hex[:16]
                        admin.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
                        while not self._hand_over(name):
                            self._drop_used(admin)
                            if self._stop.is_set():
                                self._used.put(name)
                                break
                finally:
                    while not self._ready.empty():
                        self._used.put(self._ready.get_nowait())
                    self._drop_used(admin)
        except BaseException as exc:  # noqa: BLE001 - handed to the test that waits in take()
            self._failure = exc

    def _hand_over(self, name: str) -> bool:
        try:
            self._ready.put(name, timeout=0.2)
        except queue.Full:
            return False
        return True

    def _drop_used(self, admin: psycopg.Connection) -> None:
        while True:
            try:
                name = self._used.get_nowait()
            except queue.Empty:
                return
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
