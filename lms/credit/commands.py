"""`lms keys list` and `lms keys rotate`: the Ed25519 keys credentials are signed with."""

from __future__ import annotations

import click

from lms.cli_runtime import load_settings, running_servers, with_database


@click.group()
def keys() -> None:
    """Signing keys for certificates (published at /.well-known/did.json)."""


@keys.command("list")
def keys_list() -> None:
    """Every published key; the one without a retired date signs new credentials."""
    from lms.credit import queries

    settings = load_settings()
    with running_servers(settings, store=False) as ready:
        found = with_database(ready, queries.list_keys)
    if not found:
        click.echo("No signing key yet: one is made when the first certificate is signed.")
    for key in found:
        state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
        click.echo(f"{key.id}  created {key.created_at:%Y-%m-%d}  {state}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Make a new signing key. The old one stays published, so credentials it signed still verify."""
    from lms.credit import keys as signing_keys

    settings = load_settings()
    with running_servers(settings, store=False) as ready:

        async def work(conn):
            try:
                return await signing_keys.rotate(conn, secret_key=ready.secret_key)
            except signing_keys.KeyUnavailable as exc:
                raise click.ClickException(str(exc)) from None

        old, new = with_database(ready, work)
    if old:
        click.echo(f"Retired {old} (still published).")
    click.echo(f"New signing key {new}.")
