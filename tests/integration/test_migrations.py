"""Migrations: each applied exactly once when replicas start together; an edited one stops everything."""

from __future__ import annotations

import asyncio
import shutil

import asyncpg
import pytest

from lms.db.migrate import MIGRATIONS_DIR, MigrationError, migrate
from tests.fresh_databases import with_db


@pytest.fixture
async def empty_db(servers):
    name = "m_" + __import__("uuid").uuid4().hex[:12]
    admin = await asyncpg.connect(servers.database_url)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    yield with_db(servers.database_url, name)
    admin = await asyncpg.connect(servers.database_url)
    await admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    await admin.close()


async def test_two_migrations_started_at_once_apply_each_file_exactly_once(empty_db):
    conns = [await asyncpg.connect(empty_db) for _ in range(2)]
    try:
        applied = await asyncio.gather(*(migrate(c) for c in conns))
        names = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
        assert sorted(applied[0] + applied[1]) == names
        rows = await conns[0].fetch("SELECT name FROM schema_migrations ORDER BY version")
        assert [r["name"] for r in rows] == names
        assert await migrate(conns[0]) == []
    finally:
        for c in conns:
            await c.close()


async def test_an_applied_migration_that_was_edited_is_a_hard_error(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder)
    conn = await asyncpg.connect(empty_db)
    try:
        await migrate(conn, folder)
        first = sorted(folder.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await migrate(conn, folder)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(empty_db, tmp_path):
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_ok.sql").write_text("CREATE TABLE a (id int);")
    (folder / "0002_broken.sql").write_text("CREATE TABLE b (id int); SELECT no_such_function();")
    conn = await asyncpg.connect(empty_db)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(conn, folder)
        assert await conn.fetchval("SELECT to_regclass('b')") is None
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") == 1
    finally:
        await conn.close()
