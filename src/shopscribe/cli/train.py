"""`shopscribe train CONFIG [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.config import load_config
from shopscribe.training import TrainConfig, train


@handle_errors
def train_command(
    config: Path = typer.Argument(..., help="Training YAML, e.g. configs/train/gemma3-270m/describe_lora.yaml"),
    overrides: list[str] = typer.Argument(None, help="key=value overrides, e.g. train.max_steps=50 lora.r=8"),
) -> None:
    """Fine-tune a model on a catalog task (LoRA or full). Re-running the same command resumes a killed run."""
    cfg = load_config(TrainConfig, config, overrides or [])
    result = train(cfg, log=log)
    console.print(f"[green]done[/green]: {result.steps} steps in {result.seconds / 60:.1f} min, "
                  f"dev loss {result.first_dev_loss} → {result.best_dev_loss}, peak RSS {result.peak_rss_gib} GiB. "
                  f"Run folder: {result.out_dir}")


@handle_errors
def prefer_command(
    run: Path = typer.Argument(..., help="A fine-tuned LoRA run folder"),
    products: Path = typer.Option(..., "--products", "-p", help="Its training products, e.g. RUN/data/train.jsonl"),
    out: Path = typer.Option(..., "--out", "-o", help="The new run folder"),
    overrides: list[str] = typer.Argument(None, help="key=value overrides, e.g. candidates=4 beta=0.1"),
) -> None:
    """Preference tuning (DPO): sample candidates with the guard off, rank them by the guard, tune the run on
    its best-against-worst pairs. Writes a new run; the old one is untouched."""
    from shopscribe.training.config import PreferenceConfig
    from shopscribe.preferences.tune import tune_preferences

    cfg = load_config(PreferenceConfig, None, [f"run={run}", f"products={products}", f"out_dir={out}",
                                               *(overrides or [])])
    result = tune_preferences(cfg, log=log)
    console.print(f"[green]done[/green]: {result.pairs} pairs from {result.products} products, {result.steps} DPO "
                  f"steps, {result.seconds / 60:.1f} min. Run folder: {result.out_dir}")
