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
