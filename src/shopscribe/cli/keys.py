"""`shopscribe keys create|list|rotate|revoke`: API keys of the service (stored hashed)."""

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
           scope: list[str] = typer.Option(["generate"], "--scope",
                                           help="generate, jobs, review, guard:off, admin (repeat)."),
           rate: int = typer.Option(None, "--rate", help="Requests per minute (default: the server's)."),
           tokens: int = typer.Option(None, "--tokens", help="Work budget in tokens per minute (default: the "
                                                             "server's tokens_per_minute)."),
           team: str = typer.Option(None, "--team", help="A team: its keys see each other's jobs."),
           expires_in: str = typer.Option(None, "--expires-in", help="Lifetime, e.g. 90d, 12h, 30m (default: "
                                                                     "none)."),
           config: Path = CONFIG, database_url: str = DB) -> None:
    """Create a key; its secret is printed once and never stored."""
    from shopscribe.storage import audit
    from shopscribe.storage.keys import create_key
    from shopscribe.storage.tables import utcnow

    expires_at = utcnow() + _duration(expires_in, "--expires-in") if expires_in else None
    db = service_database(config, database_url)
    secret, info = create_key(db, name, scope, rate, team=team, expires_at=expires_at, tokens_per_minute=tokens)
    audit.record(db, "cli", "key.create", name, scopes=list(info.scopes), team=team,
                 expires_at=expires_at.isoformat() if expires_at else None)
    until = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
    console.print(f"key '{name}' ({', '.join(info.scopes)}{until}); keep it now, it is not shown again:")
    print(secret)


@app.command("rotate")
@handle_errors
def rotate(name: str = typer.Argument(...),
           grace: str = typer.Option("0m", "--grace", help="How long the old secret keeps working, e.g. 1h "
                                                           "(default: it stops at once)."),
           config: Path = CONFIG, database_url: str = DB) -> None:
    """A new secret for a key (same name, scopes, team and limits); the old one stops after --grace."""
    from shopscribe.storage import audit
    from shopscribe.storage.keys import rotate_key

    db = service_database(config, database_url)
    seconds = _duration(grace, "--grace").total_seconds()
    secret, _ = rotate_key(db, name, seconds)
    audit.record(db, "cli", "key.rotate", name, grace_s=seconds)
    console.print(f"key '{name}' rotated; the old secret works for {grace} more; the new one, shown once:")
    print(secret)


def _duration(text: str, option: str):
    """'90d', '12h', '30m', '45s' as a timedelta; a clear error otherwise."""
    import re
    from datetime import timedelta

    from shopscribe.errors import ConfigError

    match = re.fullmatch(r"\s*(\d+)\s*([dhms])\s*", text or "")
    if match is None:
        raise ConfigError(f"{option} '{text}': give a number and a unit, e.g. 90d, 12h, 30m")
    unit = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}[match.group(2)]
    return timedelta(**{unit: int(match.group(1))})


@app.command("list")
@handle_errors
def list_(config: Path = CONFIG, database_url: str = DB) -> None:
    """Keys with their scopes and state (never their secrets)."""
    from shopscribe.storage.keys import list_keys

    for k in list_keys(service_database(config, database_url)):
        state = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else (
            f"active until {k.expires_at:%Y-%m-%d %H:%M}" if k.expires_at else "active")
        console.print(f"{k.name}\t{k.prefix}…\t{','.join(k.scopes)}\tteam {k.team or '-'}\t"
                      f"{k.rate_per_minute or '-'}/min\t{k.tokens_per_minute or '-'} tokens/min\t{state}")


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
