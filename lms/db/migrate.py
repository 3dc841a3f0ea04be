"""Numbered SQL migrations, applied in order under an advisory lock, each in its own transaction.

A migration that was applied and then edited is a hard error: schema history never silently diverges.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from lms.observability.logs import log_event

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_LOCK_KEY = 7_316_201_999  # any fixed bigint shared by every replica
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_what.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return found


async def migrate(conn: asyncpg.Connection, directory: Path = MIGRATIONS_DIR, say=lambda _msg: None) -> list[str]:
    """Apply what is missing; return the names applied. Safe to run from many processes at once."""
    migrations = load_migrations(directory)
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   version integer PRIMARY KEY,
                   name text NOT NULL,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
        done = {r["version"]: r for r in rows}
        for m in migrations:
            row = done.get(m.version)
            if row is not None:
                if row["checksum"] != m.checksum:
                    raise MigrationError(
                        f"migration {m.name} was edited after it was applied (checksum differs): "
                        "add a new migration instead"
                    )
                continue
            say(f"Applying migration {m.name}")
            async with conn.transaction():
                await conn.execute(m.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    m.version,
                    m.name,
                    m.checksum,
                )
            applied_now.append(m.name)
            log_event("migration.applied", migration=m.name, version=m.version)
        if await _apply_job_queue_schema(conn):
            say("Created the job queue's tables (procrastinate)")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now


async def _apply_job_queue_schema(conn: asyncpg.Connection) -> bool:
    """The job queue's tables, from the installed procrastinate's own schema, once (under the same lock).

    They are procrastinate's to define, so they are not copied into a numbered migration here; upgrading
    procrastinate across a schema change means applying its migrations (``procrastinate schema --migrations-path``).
    """
    if await conn.fetchval("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"):
        return False
    from procrastinate.schema import SchemaManager

    async with conn.transaction():
        await conn.execute(SchemaManager.get_schema())
    log_event("migration.applied", migration="procrastinate")
    return True
