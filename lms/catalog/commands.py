"""`lms courses validate PATH` and `lms courses publish PATH`."""

from __future__ import annotations

from pathlib import Path

import click

from lms.catalog.course_file import CourseFolderError, read_course_folder
from lms.catalog.loader import course_folders
from lms.cli_runtime import load_settings, running_servers, with_database


def _folders(path: Path) -> list[Path]:
    return [path] if (path / "course.yaml").exists() else course_folders(path)


@click.group()
def courses() -> None:
    """Course folders (see courses/README.md)."""


@courses.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """List every problem in a course folder (or a folder of them), with file and line."""
    folders = _folders(path)
    if not folders:
        raise click.ClickException(f"{path}: no course.yaml here or in its sub-folders")
    failed = 0
    for folder in folders:
        try:
            doc = read_course_folder(folder)
        except CourseFolderError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        click.echo(f"{folder}: OK ({doc.code}, {len(doc.modules)} modules, languages {', '.join(doc.languages)})")
    if failed:
        raise SystemExit(1)


@courses.command("publish")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def publish(path: Path) -> None:
    """Publish a course folder as a new version (its media files are uploaded first)."""
    from lms.catalog.loader import publish_folder

    folders = _folders(path)
    problems = []
    for folder in folders:
        try:
            read_course_folder(folder)
        except CourseFolderError as exc:
            problems.extend(exc.problems)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    settings = load_settings()
    with running_servers(settings) as ready:

        async def work(conn):
            return [await publish_folder(conn, folder, settings=ready) for folder in folders]

        for done in with_database(ready, work):
            click.echo(f"Published {done.code} version {done.version}.")
