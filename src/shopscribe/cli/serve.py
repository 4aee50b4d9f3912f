"""`shopscribe serve [--host --port] [--config FILE] key=value…`"""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import handle_errors, log


@handle_errors
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    config: Path = typer.Option(None, "--config", help="Optional YAML with ServiceSettings keys."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. database_url=postgresql+psycopg://… auth=false"),
) -> None:
    """Serve the copy tasks and an OpenAI-compatible API (docs at /docs, schema at /openapi.json)."""
    try:
        import uvicorn

        from shopscribe.service import create_app, load_settings
    except ImportError as exc:
        raise typer.BadParameter(f"the service needs its extra: pip install 'shopscribe[service]' ({exc})") from None
    settings = load_settings(config, overrides or [])
    log(f"models {settings.model_ids}, database {settings.database_url.split('@')[-1]}, "
        f"auth {'on' if settings.auth else 'OFF'}; docs at http://{host}:{port}/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
