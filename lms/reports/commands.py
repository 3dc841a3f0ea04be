"""`lms reports refresh`: recompute the dashboards' summary tables from the records."""

from __future__ import annotations

import click

from lms.cli_runtime import load_settings, running_servers, with_database
from lms.reports import queries


@click.group()
def reports() -> None:
    """Outcome reports for the partnership and its clinics."""


@reports.command("refresh")
def refresh() -> None:
    """Recompute the summary tables behind the dashboards (after a bulk import, or to repair them)."""
    settings = load_settings()
    with running_servers(settings, store=False) as ready:
        daily, workers = with_database(ready, queries.refresh_summaries)
    click.echo(f"Rebuilt the report summaries: {daily} daily rows, {workers} worker-track rows.")
