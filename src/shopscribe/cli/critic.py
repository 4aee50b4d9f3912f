"""`shopscribe critic train --products FILE --generations FILE --out DIR [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.config import load_config
from shopscribe.critic import CriticConfig, train_critic

app = typer.Typer(help="The learned critic used by best-of-n generation (rerank.candidates=N rerank.critic=DIR).",
                  no_args_is_help=True)


@app.command("train")
@handle_errors
def train_command(
    products: Path = typer.Option(..., "--products", "-p", help="Catalog holding the human-written target texts."),
    generations: list[Path] = typer.Option(..., "--generations", "-g",
                                           help="Model outputs for those products (JSONL from `generate`); repeatable."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the critic to."),
    task: str = typer.Option("describe", "--task", help="Task whose target field is the human copy."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. encoder=e5+use c=0.5"),
) -> None:
    """Train a discriminator between the catalog's human copy and the model's outputs."""
    base = {"products": str(products), "generations": [str(g) for g in generations], "out": str(out),
            "task": {"name": task}}
    cfg = load_config(CriticConfig, None, overrides or [], base=base)
    result = train_critic(cfg, log=log)
    shown = ", ".join(f"{k} {v:.3f}" for k, v in result.metrics.items() if isinstance(v, float))
    console.print(f"[green]done[/green]: critic → {cfg.out}" + (f" ({shown})" if shown else ""))
