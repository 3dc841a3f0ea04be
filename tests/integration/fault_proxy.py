"""A small TCP proxy on 127.0.0.1 that injects network faults between a client and a real server.

Modes: "pass" forwards bytes both ways; "down" accepts and resets at once (a server that is gone); "blackhole" accepts
and never answers (a server that hangs). With ``drop`` > 0 each connection is, with that probability, cut after a
random number of bytes in either direction: requests lost on the way in, answers lost on the way out.
It runs its own event loop in a thread, so sync and async tests can both use it; everything it does stays on loopback.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections import Counter


class FaultyProxy:
    def __init__(self, target_port: int, *, drop: float = 0.0, max_cut: int = 64 * 1024, seed: int = 0) -> None:
        self.target_port = target_port
        self.drop = drop
        self.max_cut = max_cut
        self.mode = "pass"
        self.random = random.Random(seed)
        self.stats: Counter[str] = Counter()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultyProxy:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    def set(self, mode: str) -> None:
        assert mode in ("pass", "down", "blackhole")
        self.mode = mode
        if mode != "pass":  # connections already open fail too, as they would
            self._loop.call_soon_threadsafe(lambda: [w.transport.abort() for w in list(self._writers)])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats["connections"] += 1
        self._writers.add(writer)
        try:
            if self.mode == "down":
                self.stats["refused"] += 1
                writer.transport.abort()
                return
            if self.mode == "blackhole":
                self.stats["held"] += 1
                await reader.read()  # until the client gives up
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            except OSError:
                writer.transport.abort()
                return
            self._writers.add(up_writer)
            budget = [self.random.randint(0, self.max_cut)] if self.random.random() < self.drop else None

            async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
                try:
                    while chunk := await src.read(16 * 1024):
                        if budget is not None:
                            if len(chunk) >= budget[0]:
                                dst.write(chunk[: budget[0]])
                                self.stats["cut"] += 1
                                writer.transport.abort()
                                up_writer.transport.abort()
                                return
                            budget[0] -= len(chunk)
                        dst.write(chunk)
                        await dst.drain()
                except (ConnectionError, OSError):
                    pass
                finally:
                    if dst.can_write_eof() and not dst.is_closing():
                        try:
                            dst.write_eof()
                        except OSError:
                            pass

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
            up_writer.close()
            self._writers.discard(up_writer)
        finally:
            self._writers.discard(writer)
            writer.close()
