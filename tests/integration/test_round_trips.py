"""The pages every worker opens cost at most 3 SQL round trips each, counted on the app's own pool.

Every statement the app sends (queries, BEGIN/COMMIT, a reset on release) is seen by a query logger registered in
the pool's ``init``; a page is requested once to warm the caches, then counted. The dataset is the benchmark's own
(infra/bench/dataset.py), small.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from infra.bench.dataset import Manifest, Plan, generate
from lms.db.pool import init_connection

MAX_ROUND_TRIPS = 3


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def log(self, record: Any) -> None:
        self.statements.append(" ".join(record.query.split())[:120])

    async def settled(self) -> list[str]:
        """Loggers run just after each query, and the connection is released after the response: wait for quiet."""
        seen = -1
        while seen != len(self.statements):
            seen = len(self.statements)
            await asyncio.sleep(0.05)
        return list(self.statements)


@pytest.fixture
async def counted(settings, monkeypatch) -> AsyncIterator[tuple[Any, Counter, Manifest, set[str]]]:
    import lms.app

    plain = await asyncpg.connect(settings.database_url)  # binary COPY: without the app's text JSON codecs
    try:
        manifest = await generate(plain, Plan(workers=30, statements=300), settings, say=lambda _m: None)
    finally:
        await plain.close()
    counter = Counter()
    create_pool = lms.app.create_pool

    async def counting_pool(s, **overrides):
        async def init(connection):
            await init_connection(connection)
            connection.add_query_logger(counter.log)

        return await create_pool(s, init=init, **overrides)

    monkeypatch.setattr(lms.app, "create_pool", counting_pool)
    app = lms.app.create_app(settings)
    routes = {route.path for route in app.routes}
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        yield client, counter, manifest, routes


async def round_trips(client, counter: Counter, path: str, headers: dict[str, str]) -> list[str]:
    warm = await client.get(path, headers=headers)
    assert warm.status_code == 200, (path, warm.status_code, warm.text[:300])
    await counter.settled()
    counter.statements.clear()
    again = await client.get(path, headers=headers)
    assert again.status_code == 200, (path, again.status_code)
    return await counter.settled()


async def test_catalogue_course_and_lesson_pages_take_at_most_three_round_trips(counted):
    client, counter, manifest, _ = counted
    spanish = {"Accept-Language": "es"}
    worker = {**spanish, "Cookie": f"lms_session={manifest.worker_cookie}"}
    pages = [
        ("/", spanish),
        (manifest.course_paths[0], spanish),
        (manifest.lesson_paths[0], spanish),
        ("/", worker),
        (manifest.course_paths[0], worker),
        (manifest.lesson_paths[0], worker),
    ]
    over = {}
    for path, headers in pages:
        sent = await round_trips(client, counter, path, headers)
        if len(sent) > MAX_ROUND_TRIPS:
            over[(path, "worker" if "Cookie" in headers else "visitor")] = sent
    assert not over, f"more than {MAX_ROUND_TRIPS} round trips: {over}"


async def test_a_lesson_page_seen_before_needs_no_query_for_a_visitor(counted):
    client, counter, manifest, _ = counted
    assert await round_trips(client, counter, manifest.lesson_paths[1], {"Accept-Language": "es"}) == []


async def test_certificate_verification_takes_at_most_three_round_trips(counted):
    client, counter, manifest, routes = counted
    if not manifest.certificate_codes or not any(r.startswith("/api/v1/certificates/{") for r in routes):
        pytest.skip("no certificate verification in this app yet")
    pages = [(f"/api/v1/certificates/{manifest.certificate_codes[0]}", {})]
    if any(r.startswith("/verify/{") for r in routes):
        pages.append((f"/verify/{manifest.certificate_codes[0]}", {"Accept-Language": "es"}))
    for path, headers in pages:
        sent = await round_trips(client, counter, path, headers)
        assert len(sent) <= MAX_ROUND_TRIPS, (path, sent)


async def test_the_clinic_dashboard_takes_at_most_three_round_trips(counted):
    client, counter, manifest, routes = counted
    if "/clinic/credit" not in routes:
        pytest.skip("no clinic dashboard in this app yet")
    sent = await round_trips(client, counter, "/clinic/credit", {"Cookie": f"lms_session={manifest.admin_cookie}"})
    assert len(sent) <= MAX_ROUND_TRIPS, sent
