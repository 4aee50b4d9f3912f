"""`shopscribe compliance train --labelled FILE ... [--catalog FILE ...] --out DIR [key=value ...]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.config import load_config
from shopscribe.training.compliance import ComplianceTrainConfig, train_compliance

app = typer.Typer(help="The learned compliance check beside the rule packs (SHOPSCRIBE_COMPLIANCE_MODEL=DIR).",
                  no_args_is_help=True)


@app.command("train")
@handle_errors
def train_command(
    labelled: list[Path] = typer.Option(..., "--labelled", "-l", help="JSONL of labelled phrases (text, locale, "
                                                                       "violation). Repeatable."),
    catalogs: list[Path] = typer.Option([], "--catalog", "-c", help="Catalog whose copy is taken as legal. "
                                                                    "Repeatable."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the model to."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. legal_per_locale=2000 encoder=e5+use"),
) -> None:
    """Fit the learned compliance check; use it with SHOPSCRIBE_COMPLIANCE_MODEL=DIR."""
    base = {"labelled": [str(p) for p in labelled], "catalogs": [str(p) for p in catalogs], "out": str(out)}
    cfg = load_config(ComplianceTrainConfig, None, overrides or [], base=base)
    train_compliance(cfg, log=log)
    console.print(f"[green]done[/green]: learned compliance check -> {cfg.out} "
                  f"(use it: SHOPSCRIBE_COMPLIANCE_MODEL={cfg.out})")
