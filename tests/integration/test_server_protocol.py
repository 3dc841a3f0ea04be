"""The production server's one-write-per-response protocol (lms/server_protocol.py) over real sockets: pages, large
bodies, streamed bodies, closed connections and the server's own error answers all arrive whole.

The app here is a few lines of ASGI so that each case is exact; the real app runs on the same protocol in the browser,
offline-soak and concurrency tests, which start their servers with ``lms.server.UVICORN_PROTOCOLS``."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.helpers import serving

BIG = bytes(range(256)) * 1200  # 300 KB: more than the transport ever holds back
first_chunk_seen = asyncio.Event()


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first,", "more_body": True})
        await asyncio.wait_for(first_chunk_seen.wait(), 10)  # the client must have it before the rest is made
        await send({"type": "http.response.body", "body": b"second", "more_body": False})
        return
    body = BIG if scope["path"] == "/big" else b"hola"
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/octet-stream"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def test_pages_and_large_bodies_arrive_whole_on_one_kept_alive_connection():
    async with serving(_app, lifespan="off") as url, httpx.AsyncClient(base_url=url) as client:
        for _ in range(3):
            small, big = await client.get("/"), await client.get("/big")
            assert (small.status_code, small.content) == (200, b"hola")
            assert big.status_code == 200 and big.content == BIG
        closing = await client.get("/", headers={"Connection": "close"})
        assert closing.content == b"hola"


async def test_a_streamed_body_reaches_the_client_chunk_by_chunk():
    first_chunk_seen.clear()
    async with serving(_app, lifespan="off") as url, httpx.AsyncClient(base_url=url, timeout=15) as client:
        async with client.stream("GET", "/stream") as response:
            chunks = response.aiter_raw()
            assert await anext(chunks) == b"first,"
            first_chunk_seen.set()
            assert b"".join([c async for c in chunks]) == b"second"


async def test_the_servers_own_answer_to_a_malformed_request_arrives_before_it_closes():
    async with serving(_app, lifespan="off") as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", httpx.URL(url).port)
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 10)  # until the server closes the connection
        writer.close()
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"Invalid HTTP request received.")
