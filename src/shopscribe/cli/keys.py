"""`shopscribe keys create|list|revoke`: API keys of the service (stored hashed)."""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, service_database

app = typer.Typer(help="API keys of `shopscribe serve`.", no_args_is_help=True)
CONFIG = typer.Option(None, "--config", help="The service's YAML settings (for its database_url).")
DB = typer.Option(None, "--database-url", help="Overrides the settings' database_url.")


@app.command("create")
@handle_errors
def create(name: str = typer.Argument(..., help="A name for the key (who or what uses it)."),
           scope: list[str] = typer.Option(["generate"], "--scope", help="generate, jobs, review, admin (repeat)."),
           rate: int = typer.Option(None, "--rate", help="Requests per minute (default: the server's)."),
           config: Path = CONFIG, database_url: str = DB) -> None:
    """Create a key; its secret is printed once and never stored."""
    from shopscribe.storage import audit
    from shopscribe.storage.keys import create_key

    db = service_database(config, database_url)
    secret, info = create_key(db, name, scope, rate)
    audit.record(db, "cli", "key.create", name, scopes=list(info.scopes))
    console.print(f"key '{name}' ({', '.join(info.scopes)}); keep it now, it is not shown again:")
    print(secret)


@app.command("list")
@handle_errors
def list_(config: Path = CONFIG, database_url: str = DB) -> None:
    """Keys with their scopes and state (never their secrets)."""
    from shopscribe.storage.keys import list_keys

    for k in list_keys(service_database(config, database_url)):
        state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        console.print(f"{k.name}\t{k.prefix}…\t{','.join(k.scopes)}\t{k.rate_per_minute or '-'}/min\t{state}")


@app.command("revoke")
@handle_errors
def revoke(name: str = typer.Argument(...), config: Path = CONFIG, database_url: str = DB) -> None:
    """Revoke a key at once: the next request with it gets 401."""
    from shopscribe.storage import audit
    from shopscribe.storage.keys import revoke_key

    db = service_database(config, database_url)
    revoke_key(db, name)
    audit.record(db, "cli", "key.revoke", name)
    console.print(f"key '{name}' revoked")
