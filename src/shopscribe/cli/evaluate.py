"""`shopscribe evaluate --run RUN | --products FILE --out-dir DIR [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shopscribe.cli.common import BatchProgress, console, handle_errors, log, progress_bar
from shopscribe.config import load_config
from shopscribe.evaluation import EvaluateConfig, evaluate
from shopscribe.evaluation.report import HEADLINE


@handle_errors
def evaluate_command(
    out_dir: Path = typer.Option(..., "--out-dir", help="Folder for report.json, report.html and outputs."),
    run: Path = typer.Option(None, "--run", help="Trained run folder (compared with its base model)."),
    products: Path = typer.Option(None, "--products", help="Products with references (default: run's test split)."),
    predictions: list[str] = typer.Option(None, "--predictions", help="NAME=FILE from `shopscribe generate`; repeatable."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with EvaluateConfig keys."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. limit=50 systems=[baseline,fine_tuned]"),
) -> None:
    """Score the template baseline, zero-shot base model and fine-tuned model; write JSON + HTML reports."""
    base: dict = {"out_dir": str(out_dir)}
    if run:
        base["run"] = str(run)
    if products:
        base["products"] = str(products)
    if predictions:
        base["predictions"] = dict(p.split("=", 1) for p in predictions)
    cfg = load_config(EvaluateConfig, config, overrides or [], base=base)
    with progress_bar() as bar:
        result = evaluate(cfg, log=log, on_batch=BatchProgress(bar))
    print_systems(result.systems)
    console.print(f"report: {result.report_html}  (json: {result.report_json})")


def print_systems(systems: dict[str, dict]) -> None:
    table = Table(title="evaluation")
    table.add_column("metric")
    for name in systems:
        table.add_column(name, justify="right")
    for key in HEADLINE:
        cells = [systems[n].get(key) for n in systems]
        if all(v is None for v in cells):  # the AdvertiseGen scores exist for Chinese sets only
            continue
        table.add_row(key, *("–" if v is None else f"{v:.3f}" for v in cells))
    console.print(table)
