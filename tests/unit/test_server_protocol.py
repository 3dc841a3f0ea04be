"""One write per response: what the server's transport sends, write by write, on a real event loop."""

from __future__ import annotations

import asyncio

from lms.server_protocol import _HOLD_AT_MOST, _OneWritePerStep


class _Wire(asyncio.Transport):
    """The socket's side of the transport: each write as the kernel would get it."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("127.0.0.1", 8000) if name == "sockname" else default


async def _next_step() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_a_response_written_in_one_step_leaves_in_one_write_in_order():
    wire = _Wire()
    transport = _OneWritePerStep(wire, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n")
    transport.write(b"hello")
    assert wire.writes == []  # not before this step ends
    await _next_step()
    assert wire.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"]


async def test_a_streamed_chunk_is_not_held_past_its_step():
    wire = _Wire()
    transport = _OneWritePerStep(wire, asyncio.get_running_loop())
    transport.write(b"first")
    await _next_step()
    transport.write(b"second")
    await _next_step()
    assert wire.writes == [b"first", b"second"]


async def test_a_large_body_is_sent_at_once_rather_than_kept():
    wire = _Wire()
    transport = _OneWritePerStep(wire, asyncio.get_running_loop())
    transport.write(b"h" * 100)
    transport.write(b"b" * _HOLD_AT_MOST)
    assert wire.writes == [b"h" * 100 + b"b" * _HOLD_AT_MOST]


async def test_closing_sends_what_was_written_first_and_nothing_goes_to_a_closed_socket():
    wire = _Wire()
    transport = _OneWritePerStep(wire, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    transport.close()
    assert wire.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"] and wire.closed
    transport.write(b"late")
    await _next_step()
    assert wire.writes == [b"HTTP/1.1 400 Bad Request\r\n\r\n"]
    assert transport.get_extra_info("sockname") == ("127.0.0.1", 8000)  # everything else is the socket's own
