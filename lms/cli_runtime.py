"""What every `lms` command needs: settings read once, embedded servers for what they leave unset, a migrated
database. The commands themselves are in lms/cli.py and beside their features (``commands.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from typing import Any, TypeVar

import anyio
import click

from lms.settings import Settings, SettingsError

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        raise SystemExit(2) from None


@contextmanager
def running_servers(settings: Settings, *, store: bool = True, watch: bool = False):
    """Embedded servers for what the settings leave unset; stopped on the way out, whatever happens. ``watch``: started
    again if one dies meanwhile (for `lms serve`)."""
    from lms.embedded import EmbeddedError, start_embedded

    try:
        servers = start_embedded(settings, store=store, say=lambda msg: click.echo(msg, err=True))
    except EmbeddedError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    watchdog = servers.watch(say=lambda msg: click.echo(msg, err=True)) if watch else None
    try:
        yield servers.settings
    finally:
        if watchdog is not None:
            watchdog.stop()
        servers.stop()


def with_database(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(conn)`` inside one transaction, after migrations."""
    import asyncpg

    from lms.db.migrate import migrate
    from lms.db.pool import init_connection

    async def main() -> T:
        try:
            conn = await asyncpg.connect(settings.database_url, timeout=settings.database_timeout)
        except (OSError, asyncpg.PostgresError) as exc:
            raise click.ClickException(f"cannot reach the database at LMS_DATABASE_URL: {exc}") from None
        try:
            await init_connection(conn)
            await migrate(conn, say=lambda msg: click.echo(msg, err=True))
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()

    from lms.errors import DomainError

    try:
        return anyio.run(main)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from None


def run_with_db(work: Callable[[Any], Awaitable[T]]) -> T:
    settings = load_settings()
    with running_servers(settings, store=False) as ready:
        return with_database(ready, work)
