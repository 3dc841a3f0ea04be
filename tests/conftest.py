"""Real servers for the whole run: an embedded PostgreSQL and SeaweedFS started once (or the ones named by
LMS_TEST_DATABASE_URL / LMS_TEST_S3_ENDPOINT_URL), and a fresh database per test cloned from a migrated template
(tests/fresh_databases.py clones it a step ahead)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from lms.settings import Settings
from tests.fresh_databases import FreshDatabases, with_db

# Under pytest-xdist each worker is a process with its own session fixtures, so its own embedded servers; with
# LMS_TEST_DATABASE_URL / LMS_TEST_S3_* the workers share those servers, and the worker's name keeps its template
# database and bucket apart from the others' ("" when pytest runs in one process).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEMPLATE_DB = f"lms_test_template_{WORKER}" if WORKER else "lms_test_template"
TEST_BUCKET = f"lms-test-{WORKER}" if WORKER else "lms-test"
# The embedded PostgreSQL of a test run holds throw-away databases: it need not survive a crash of the machine, so it
# skips flushing to disk (the server's behaviour towards its clients is unchanged; tests that stop or kill PostgreSQL
# start one of their own with the service's settings).
THROWAWAY_SERVER = ("fsync = off", "synchronous_commit = off", "full_page_writes = off")


def _throwaway(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as admin:
        for setting in THROWAWAY_SERVER:
            admin.execute(f"ALTER SYSTEM SET {setting}")
        admin.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def servers() -> Iterator[Settings]:
    from lms.embedded import start_embedded
    from lms.embedded.ports import free_port, free_s3_port

    # Not under pytest's basetemp: another pytest run on the machine may prune old basetemp folders while this runs.
    data_dir = Path(tempfile.mkdtemp(prefix="lms-test-data-"))
    s3_port = free_s3_port()
    base = Settings(
        data_dir=data_dir,
        database_url=os.environ.get("LMS_TEST_DATABASE_URL", ""),
        s3_endpoint_url=os.environ.get("LMS_TEST_S3_ENDPOINT_URL", ""),
        s3_access_key_id=os.environ.get("LMS_TEST_S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=os.environ.get("LMS_TEST_S3_SECRET_ACCESS_KEY", ""),
        s3_bucket=TEST_BUCKET,
        embedded_pg_port=free_port(),
        embedded_s3_port=s3_port,
        seed_demo=False,
        secret_key="test-secret-key-" + "x" * 32,
    )
    running = start_embedded(base, say=lambda _msg: None)
    try:
        if running.postgres is not None:
            _throwaway(running.settings.database_url)
        yield running.settings
    finally:
        running.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
async def template_db(servers: Settings) -> str:
    from lms.db.migrate import migrate

    admin = await asyncpg.connect(servers.database_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB}")
        await admin.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(with_db(servers.database_url, TEMPLATE_DB))
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return TEMPLATE_DB


@pytest.fixture(scope="session")
def fresh_databases(servers: Settings, template_db: str) -> Iterator[FreshDatabases]:
    databases = FreshDatabases(servers.database_url, template_db)
    yield databases
    databases.close()


@pytest.fixture
async def settings(servers: Settings, fresh_databases: FreshDatabases) -> AsyncIterator[Settings]:
    """Settings pointing at a database of this test's own, migrated and empty."""
    name = await asyncio.to_thread(fresh_databases.take)
    yield servers.replace(database_url=with_db(servers.database_url, name))
    fresh_databases.give_back(name)


@pytest.fixture
async def conn(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    from lms.db.pool import init_connection

    connection = await asyncpg.connect(settings.database_url)
    await init_connection(connection)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def app(settings: Settings):
    from lms.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app) -> AsyncIterator:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


COURSES_DIR = Path(__file__).resolve().parent.parent / "courses"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: without it installed, pytest runs in one process
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` (infra/test) keeps the groups of tests/worker_groups.py each on one worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.worker_groups import GroupedScheduling

    return GroupedScheduling(config, log)
