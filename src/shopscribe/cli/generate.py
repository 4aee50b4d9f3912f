"""`shopscribe generate MODEL --products FILE --out FILE [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import BatchProgress, console, handle_errors, log, progress_bar
from shopscribe.config import load_config
from shopscribe.generation import GenerateConfig, generate


@handle_errors
def generate_command(
    model: str = typer.Argument(..., help="Trained run folder, packaged model name, .gguf, local folder or hub id."),
    products: Path = typer.Option(..., "--products", "-p", help="Catalog file (.jsonl, .csv, .parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output .jsonl or .csv (keyed by product id)."),
    task: str = typer.Option(None, "--task", help="describe, title or summarize (default: the run's task)."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with GenerateConfig keys."),
    on_error: str = typer.Option(None, "--on-error", help="fail (default) or skip bad rows into a rejects file."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. decoding.strategy=beam task.max_chars=120"),
) -> None:
    """Write copy for every product; a rerun after a crash skips products already done."""
    base = {"model": model, "products": str(products), "out": str(out)}
    extra = [f"task.name={task}"] if task else []
    extra += [f"on_error={on_error}"] if on_error else []
    cfg = load_config(GenerateConfig, config, [*extra, *(overrides or [])], base=base)
    with progress_bar() as bar:
        result = generate(cfg, log=log, on_batch=BatchProgress(bar))
    console.print(f"[green]done[/green]: {result.generated} generated, {result.skipped_done} already done, "
                  f"{result.rejected} rejected{f' (see {result.rejects_path})' if result.rejected else ''} → {result.out}")
