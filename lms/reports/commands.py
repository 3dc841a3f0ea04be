"""`lms reports refresh`: recompute the dashboards' summary tables from the records."""

from __future__ import annotations

from typing import Any

import click

from lms.cli_runtime import load_settings, running_servers, with_database


@click.group()
def reports() -> None:
    """Outcome reports for the partnership and its clinics."""


async def refresh_summaries(conn: Any) -> tuple[int, int]:
    """Rebuild report_daily and report_worker_tracks (triggers keep them current; this repairs or backfills)."""
    await conn.execute("SELECT report_rebuild()")
    return (await conn.fetchval("SELECT count(*) FROM report_daily"),
            await conn.fetchval("SELECT count(*) FROM report_worker_tracks"))


@reports.command("refresh")
def refresh() -> None:
    """Recompute the summary tables behind the dashboards (after a bulk import, or to repair them)."""
    settings = load_settings()
    with running_servers(settings, store=False) as ready:
        daily, workers = with_database(ready, refresh_summaries)
    click.echo(f"Rebuilt the report summaries: {daily} daily rows, {workers} worker-track rows.")
