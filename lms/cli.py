"""The `lms` command. Each command reads settings once, says what it is doing, and fails with one clear line."""

from __future__ import annotations

import os
import sys
from typing import Any, TypeVar

import anyio
import click

from lms.catalog.commands import courses
from lms.cli_runtime import load_settings, run_with_db, running_servers, with_database
from lms.credit.commands import keys
from lms.media.commands import media
from lms.reports.commands import reports
from lms.settings import Settings, env_name

T = TypeVar("T")


@click.group()
def main() -> None:
    """lms: hybrid training and continuing-education credit for community health center workers."""
    from lms.packages.folder import register

    register()  # course folders may name package zips: validate, publish and the first start's catalogue read them


@main.command()
@click.option("--host", default=None, help="Address to listen on (default LMS_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default LMS_PORT or 8000).")
@click.option("--workers", type=int, default=None, help="Worker processes (default LMS_WORKERS or 1).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Start the embedded servers if needed, migrate, load the starter catalogue into an empty database, serve."""
    from lms.observability.logs import configure_logging
    from lms.observability.shutdown import sigterm_ends_normally

    settings = load_settings()
    configure_logging(settings)
    host = host or settings.host
    port = port or settings.port
    workers = workers or settings.workers
    # Our log lines (no access log: the app logs each request); SIGTERM drains, then in-flight requests get the grace.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": None,
        "log_config": None,
        "access_log": False,
        "proxy_headers": True,
        "timeout_graceful_shutdown": settings.shutdown_grace_seconds,
    }
    with sigterm_ends_normally(), running_servers(settings, watch=True) as ready:
        from lms.seed import seed_if_empty

        with_database(ready, lambda conn: seed_if_empty(conn, ready, say=lambda msg: click.echo(msg, err=True)))
        from lms.embedded.ports import port_is_free

        if not port_is_free(port, host):
            click.echo(f"error: {host}:{port} is in use: choose another with --port or LMS_PORT", err=True)
            raise SystemExit(1)
        click.echo(f"Serving on http://{host}:{port} with {workers} worker(s). Press Ctrl+C to stop.", err=True)
        from lms.server import long_lived, run_server

        if workers == 1:
            from lms.app import create_app

            run_server(
                long_lived(create_app(ready, jobs=ready.jobs_in_serve)), **options
            )  # lms/server.py: the production server, measured in infra/bench
        else:
            os.environ.update(exported_environment(ready))
            run_server("lms.app:create_app_from_env", factory=True, workers=workers, **options)
    click.echo("Stopped.", err=True)


def exported_environment(settings: Settings) -> dict[str, str]:
    """What worker processes need to find the servers this process started."""
    return {
        env_name(name): str(getattr(settings, name))
        for name in (
            "database_url",
            "s3_endpoint_url",
            "s3_access_key_id",
            "s3_secret_access_key",
            "secret_key",
            "data_dir",
            "jobs_in_serve",
        )
    } | {"LMS_SEED_DEMO": "false"}


@main.command()
@click.option("--concurrency", type=int, default=2, help="Jobs run at the same time.")
def worker(concurrency: int) -> None:
    """Run the background job worker (messages, reminders) on its own, e.g. beside `lms serve` with LMS_JOBS_IN_SERVE=false."""
    from lms.observability.logs import configure_logging

    settings = load_settings()
    configure_logging(settings)
    with running_servers(settings, store=False) as ready:
        with_database(ready, _noop)  # migrations, including the job queue's tables

        async def run() -> None:
            from lms.db.pool import create_pool
            from lms.jobs.queue import running_worker

            pool = await create_pool(ready)
            try:
                async with running_worker(pool, ready, concurrency=concurrency):
                    click.echo("Job worker running. Press Ctrl+C to stop.", err=True)
                    await anyio.sleep_forever()
            finally:
                await pool.close()

        try:
            anyio.run(run)
        except KeyboardInterrupt:
            pass
    click.echo("Stopped.", err=True)


@main.command()
def migrate() -> None:
    """Apply the database migrations that are missing (safe from several replicas at once)."""
    settings = load_settings()
    with running_servers(settings, store=False) as ready:
        with_database(ready, _noop)
    click.echo("Migrations are up to date.")


async def _noop(conn: Any) -> None:
    return None


@main.group()
def clinics() -> None:
    """Clinics: the employers."""


@clinics.command("create")
@click.option("--slug", required=True, help="Short name, e.g. st-johns.")
@click.option("--name", required=True, help="Full name.")
def clinics_create(slug: str, name: str) -> None:
    from lms.accounts import queries
    from lms.accounts.schemas import ClinicCreate

    data = _validated(ClinicCreate, slug=slug, name=name)
    clinic = run_with_db(lambda conn: queries.create_clinic(conn, slug=data.slug, name=data.name))
    click.echo(f"Created clinic {clinic.slug} ({clinic.id}).")


@main.group()
def locals() -> None:  # noqa: A001 - the command is `lms locals`
    """Union locals (SEIU 521, 721, 1021, UHW ...)."""


@locals.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
def locals_create(slug: str, name: str) -> None:
    from lms.accounts import queries
    from lms.accounts.schemas import ClinicCreate

    data = _validated(ClinicCreate, slug=slug, name=name)
    local = run_with_db(lambda conn: queries.create_local(conn, slug=data.slug, name=data.name))
    click.echo(f"Created union local {local.slug} ({local.id}).")


@main.group()
def users() -> None:
    """People who use the service."""


@users.command("create")
@click.option("--email", required=True)
@click.option(
    "--name", "display_name", default=None, help="Name shown on certificates (default: the email's name part)."
)
@click.option("--password", default=None, help="At least 10 characters; omit for API-only users. Prompted when '-'.")
@click.option("--role", type=click.Choice(["worker", "instructor", "clinic_admin", "program_admin"]), required=True)
@click.option("--clinic", default=None, help="Clinic slug (workers and clinic admins).")
@click.option("--local", "local_", default=None, help="Union local slug (optional).")
@click.option("--language", default="en", help="Preferred language, a BCP 47 tag such as en or es.")
def users_create(
    email: str,
    display_name: str | None,
    password: str | None,
    role: str,
    clinic: str | None,
    local_: str | None,
    language: str,
) -> None:
    from lms.accounts import service
    from lms.accounts.schemas import UserCreate

    if password == "-":
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = _validated(
        UserCreate,
        email=email,
        display_name=display_name or email.split("@")[0],
        password=password,
        role=role,
        clinic=clinic,
        local=local_,
        language=language,
    )
    user = run_with_db(lambda conn: service.create_user(conn, data))
    click.echo(f"Created {user.role} {user.email or user.display_name} ({user.id}).")


@main.group()
def tokens() -> None:
    """API tokens for apps and xAPI clients."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--label", default="cli")
def tokens_create(email: str, label: str) -> None:
    """Print a new API token once; only its hash is stored."""
    from lms.accounts import service

    created = run_with_db(lambda conn: service.create_token_for_email(conn, email=email, label=label))
    click.echo(created.token)


@main.group()
def config() -> None:
    """The LMS_* settings."""


@config.command("check")
def config_check() -> None:
    """Report every problem in the current environment at once, including a database or S3 store that does not answer."""
    from lms.config_check import reachability_problems

    settings, problems = Settings.read_env()
    problems += reachability_problems(settings, problems)
    for problem in problems:
        click.echo(f"error: {problem}")
    if problems:
        raise SystemExit(1)
    click.echo("Configuration is valid.")


@config.command("reference")
@click.option(
    "--write",
    "write_to",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Replace the table between <!-- config:start --> and <!-- config:end --> in this file instead of printing.",
)
def config_reference(write_to: str | None) -> None:
    """Print every LMS_* variable as a Markdown table (or write it into a document such as README.md)."""
    from pathlib import Path

    from lms.settings import reference_markdown, with_reference

    if write_to is None:
        click.echo(reference_markdown())
        return
    path = Path(write_to)
    try:
        path.write_text(with_reference(path.read_text()))
    except ValueError as exc:
        raise click.ClickException(f"{write_to}: {exc}") from None
    click.echo(f"Wrote the configuration reference into {write_to}.")


def _validated(struct: type[T], **values: Any) -> T:
    import msgspec

    try:
        return msgspec.convert({k: v for k, v in values.items() if v is not None}, struct)
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc).replace("$.", "--").replace("_", "-")) from None


# Feature commands live beside their feature and are added here, so this module imports them and never the reverse.
for _group in (courses, media, keys, reports):
    main.add_command(_group)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
