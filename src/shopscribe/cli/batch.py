"""`shopscribe batch MODEL --products PATH --out DIR [--ray-address ADDR] [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.config import load_config


@handle_errors
def batch_command(
    model: str = typer.Argument(..., help="Trained run folder, packaged model name, .gguf, local folder or hub id."),
    products: Path = typer.Option(..., "--products", "-p", help="Catalog file or folder of shards "
                                                                "(.jsonl, .csv, .parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (shards + manifest.json)."),
    ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster to join (default: RAY_ADDRESS, else "
                                                                "a local Ray on this machine)."),
    task: str = typer.Option(None, "--task", help="describe, title or summarize (default: the run's task)."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with BatchConfig keys."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. shard_size=256 actors_max=4 guard=true"),
) -> None:
    """Write copy for a whole catalog on Ray; a rerun skips committed shards and redoes the rest."""
    from shopscribe.batch import BatchConfig, run_batch

    base = {"model": model, "products": str(products), "out": str(out)}
    extra = [f"task.name={task}"] if task else []
    extra += [f"ray_address={ray_address}"] if ray_address else []
    cfg = load_config(BatchConfig, config, [*extra, *(overrides or [])], base=base)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=console) as bar:
        row = bar.add_task("writing", total=None, status="")

        def show(p) -> None:
            bar.update(row, completed=p.done, total=p.total, status=p.describe())

        result = run_batch(cfg, log=log, on_progress=show)
    state = "[green]done[/green]" if result.complete else "[yellow]incomplete[/yellow]"
    console.print(f"{state}: {result.rows_written} products written in {result.shards_written} shards, "
                  f"{result.shards_skipped} shards committed before, {result.flagged} flagged, {result.rejected} "
                  f"rejected, {result.seconds:.0f} s → {result.manifest}")
