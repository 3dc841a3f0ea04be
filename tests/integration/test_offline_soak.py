"""Offline sync soak: a phone's queue of 10,000 statements plus 30% duplicates (sent twice: the app lost track of what
went through), shuffled, sent in batches over connections that drop at random points, both on the way in and on the
way out. The client retries every unanswered batch with the same ids. Exactly 10,000 statements must be stored.

The service runs as a real HTTP server (uvicorn in a thread) behind a fault-injecting TCP proxy on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time

import httpx
import uvicorn

from lms.app import create_app
from lms.embedded.ports import free_port
from lms.server import UVICORN_PROTOCOLS
from tests.integration.fault_proxy import FaultyProxy
from tests.integration.test_faults import XAPI, batch_of, learner

UNIQUE = 10_000
DUPLICATES = 3_000
BATCH = 50
SENDERS = 4
DEADLINE_SECONDS = 60


def batches_without_repeats(items: list[dict], size: int) -> list[list[dict]]:
    """Shuffled batches in which no statement id appears twice (a batch is all-or-none; a repeat inside one is refused)."""
    out: list[list[dict]] = []
    open_batches: list[tuple[list[dict], set[str]]] = []
    for item in items:
        for batch, ids in open_batches:
            if item["id"] not in ids:
                batch.append(item)
                ids.add(item["id"])
                if len(batch) == size:
                    out.append(batch)
                    open_batches.remove((batch, ids))
                break
        else:
            open_batches.append(([item], {item["id"]}))
    return out + [batch for batch, _ in open_batches]


class ServerThread:
    def __init__(self, app, port: int) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=port,
                log_level="warning",
                lifespan="on",
                timeout_graceful_shutdown=3,
                **UVICORN_PROTOCOLS,
            )
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)


async def test_ten_thousand_statements_with_duplicates_over_dropping_connections_are_stored_exactly_once(
    settings, conn
):
    headers, user_id, enrollment = await learner(conn)
    rng = random.Random(2024)
    unique = batch_of(user_id, enrollment, UNIQUE)
    queue = unique + rng.sample(unique, DUPLICATES)
    rng.shuffle(queue)
    batches = batches_without_repeats(queue, BATCH)
    port = free_port()
    sends: dict[str, int] = {"attempts": 0, "acknowledged": 0, "dropped": 0}

    with ServerThread(create_app(settings), port), FaultyProxy(port, drop=0.3, max_cut=40_000, seed=7) as proxy:
        pending: asyncio.Queue[list[dict]] = asyncio.Queue()
        for batch in batches:
            pending.put_nowait(batch)
        deadline = time.monotonic() + DEADLINE_SECONDS

        async def sender() -> None:
            # a new connection per request, as a phone between cell towers gets: each one may drop
            no_keepalive = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(
                base_url=proxy.url, timeout=10, headers={**headers, **XAPI}, limits=no_keepalive
            ) as http:
                while not pending.empty():
                    assert time.monotonic() < deadline, (
                        f"the soak ran past {DEADLINE_SECONDS} s: {sends}, {dict(proxy.stats)}"
                    )
                    batch = pending.get_nowait()
                    while True:  # this device keeps the batch until the server has acknowledged it
                        sends["attempts"] += 1
                        try:
                            answer = await http.post("/xapi/statements", json=batch)
                        except httpx.TransportError:
                            sends["dropped"] += 1
                            await asyncio.sleep(0.01)
                            continue
                        assert answer.status_code == 200, answer.text[:500]
                        assert answer.json() == [s["id"] for s in batch]
                        sends["acknowledged"] += 1
                        break

        started = time.monotonic()
        await asyncio.gather(*(sender() for _ in range(SENDERS)))
        took = time.monotonic() - started

    stored = await conn.fetchval("SELECT count(*) FROM statements WHERE user_id = $1", user_id)
    distinct = await conn.fetchval("SELECT count(DISTINCT id) FROM statements WHERE user_id = $1", user_id)
    ids = {str(r["id"]) for r in await conn.fetch("SELECT id FROM statements WHERE user_id = $1", user_id)}
    print(
        f"\nsoak: {len(queue)} statements sent ({DUPLICATES} duplicates) in {len(batches)} batches, {sends['attempts']} "
        f"requests, {sends['dropped']} dropped by the network ({proxy.stats['cut']} connections cut), {stored} stored, {took:.0f} s"
    )
    assert sends["dropped"] > 20 and proxy.stats["cut"] > 20, (
        "the network hardly dropped anything: the soak proved little"
    )
    assert stored == distinct == UNIQUE and ids == {s["id"] for s in unique}
