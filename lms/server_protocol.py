"""uvicorn's HTTP protocol (httptools), with each response sent in one write.

uvicorn writes a response's status line and headers, then its body, as two writes: two system calls and two TCP
segments, each waking the client. Under load on the benchmark machine those writes were a sixth of a worker's time
(py-spy, native frames: most of it the kernel's loopback path). Here the protocol's transport keeps what is written
during one step of the event loop and sends it together at the end of that step: a response whose start and body
are sent back to back (every page and API answer) leaves in one write. A streamed response still goes out chunk by
chunk, as its chunks are produced, and no more than ``_HOLD_AT_MOST`` bytes are ever kept back.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_HOLD_AT_MOST = 64 * 1024


class _OneWritePerStep:
    """A transport that gathers the writes of one event-loop step into one; everything else goes through."""

    __slots__ = ("_transport", "_loop", "_held", "_flush_soon")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: list[bytes] = []
        self._flush_soon = False

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._held.append(data)
        if sum(map(len, self._held)) > _HOLD_AT_MOST:
            self.flush()
        elif not self._flush_soon:
            self._flush_soon = True
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_soon = False
        if self._held:
            data = b"".join(self._held) if len(self._held) > 1 else self._held[0]
            self._held.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading, set_protocol, ...
        return getattr(self._transport, name)


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    """What `lms serve` gives uvicorn as its ``http`` protocol."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_OneWritePerStep(transport, self.loop))  # type: ignore[arg-type]
