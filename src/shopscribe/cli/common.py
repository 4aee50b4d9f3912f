"""Shared CLI pieces: console, error handling, progress."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from shopscribe.errors import CatalogValidationError, ShopScribeError

console = Console(stderr=True, soft_wrap=True)
EXIT_USER_ERROR = 2


def log(message: str) -> None:
    console.print(f"[dim]›[/dim] {message}", highlight=False)


def handle_errors(fn: Callable) -> Callable:
    """Turn ShopScribe errors into a clear message and exit code 2 (no stack trace)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CatalogValidationError as exc:
            console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
            raise typer.Exit(EXIT_USER_ERROR) from None
        except ShopScribeError as exc:
            console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
            if os.environ.get("SHOPSCRIBE_DEBUG"):
                raise
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=console)


class BatchProgress:
    """Adapter from ``on_batch(done, total)`` / ``on_batch(name, done, total)`` callbacks to a rich bar."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def __call__(self, *args) -> None:
        name, done, total = args if len(args) == 3 else ("generating", *args)
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(f"{name}", total=total)
        self.progress.update(self.tasks[name], completed=done, total=total)


def service_database(config, database_url: str | None):
    """The service's database (its settings' database_url, or the one given), migrated: for `keys` and `jobs`."""
    from shopscribe.service.settings import load_settings
    from shopscribe.storage import open_database

    return open_database(load_settings(config, [f"database_url={database_url}"] if database_url else []).database_url)
