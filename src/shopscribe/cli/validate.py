"""`shopscribe validate CATALOG [--task TASK] [--on-error skip]`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.catalog.loaders import load_catalog
from shopscribe.cli.common import console, handle_errors
from shopscribe.tasks.task import load_task


@handle_errors
def validate_command(
    catalog: Path = typer.Argument(..., help="Catalog file (.jsonl, .csv, .parquet)."),
    task: str = typer.Option(None, "--task", help="Also check the fields this task needs."),
    on_error: str = typer.Option("fail", "--on-error", help="fail: list every problem; skip: also write rejects."),
    rejects: Path = typer.Option(None, "--rejects", help="Rejects file (default: CATALOG.rejects.jsonl)."),
) -> None:
    """Check a catalog: every bad row is reported with file, row, field and reason."""
    required = load_task(task).required_fields if task else ()
    result = load_catalog(catalog, on_error=on_error, required_fields=required, rejects_path=rejects)
    for problem in result.problems:
        console.print(f"[yellow]{problem}[/yellow]", highlight=False)
    console.print(f"{result.rows_read} rows: {len(result.records)} valid, {len(result.problems)} problem(s)"
                  + (f"; rejects written to {result.rejects_path}" if result.rejects_path else ""))
