"""`lms media gc`."""

from __future__ import annotations

from datetime import timedelta

import click

from lms.cli_runtime import load_settings, running_servers, with_database


@click.group()
def media() -> None:
    """Lesson media in the object store."""


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} bytes"
    size = count / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


@media.command("gc")
@click.option(
    "--pending-hours",
    type=click.IntRange(min=0),
    default=24,
    show_default=True,
    help="Remove uploads still unfinished after this many hours (and store objects with no library entry).",
)
@click.option(
    "--unused-days",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    help="Remove files that no version shows and no draft names after this many days.",
)
@click.option("--course", default=None, help="Only this course (its code).")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def gc(pending_hours: int, unused_days: int, course: str | None, dry_run: bool) -> None:
    """Remove media that nothing uses; published versions always keep theirs."""
    from lms.media.gc import collect_garbage
    from lms.storage import Storage

    settings = load_settings()
    with running_servers(settings) as ready:
        report = with_database(
            ready,
            lambda conn: collect_garbage(
                conn,
                Storage(ready),
                pending_for=timedelta(hours=pending_hours),
                unused_for=timedelta(days=unused_days),
                code=course,
                dry_run=dry_run,
            ),
        )
    verb = "Would remove" if dry_run else "Removed"
    for title, rows in (("abandoned upload", report.abandoned), ("unused file", report.unused)):
        for row in rows:
            language = f" [{row['language']}]" if row["language"] else ""
            click.echo(
                f"{verb} {title}: {row['course']} {row['kind']}{language} {row['filename']} "
                f"({_size(row['bytes'])}, {row['created_at'][:10]}) {row['key']}"
            )
    for key in report.stray_keys:
        click.echo(f"{verb} stray object: {key}")
    total = len(report.abandoned) + len(report.unused) + len(report.stray_keys)
    click.echo(f"{verb} {total} item(s)." if total else "Nothing to remove.")
