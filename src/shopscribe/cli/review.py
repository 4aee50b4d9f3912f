"""`shopscribe export JOB` (approved copy as a shop imports it) and `shopscribe retrain MODEL_ID` (a new
model version from reviewed copy, compared with the promoted one)."""

from __future__ import annotations

from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, log, service_database

CONFIG = typer.Option(None, "--config", help="The service's YAML settings (for its database_url).")
DB = typer.Option(None, "--database-url", help="Overrides the settings' database_url.")


@handle_errors
def export_command(job_id: str = typer.Argument(..., help="The job whose approved copy to export."),
                   fmt: str = typer.Option("jsonl", "--format", help="jsonl, csv, shopify or merchant."),
                   out: Path = typer.Option(..., "--out", "-o", help="The file to write."),
                   config: Path = CONFIG, database_url: str = DB) -> None:
    """Write a job's approved copy: JSONL/CSV keyed by product id, a Shopify product CSV (Handle, Body
    (HTML)) or a Merchant Center supplemental feed (id and structured_description, marked AI-generated)."""
    from shopscribe.catalog.shop_export import FORMATS
    from shopscribe.errors import ConfigError
    from shopscribe.storage import audit
    from shopscribe.storage.jobs import get_job
    from shopscribe.workspace.exports import export_file

    if fmt not in FORMATS:
        raise ConfigError(f"--format must be one of {list(FORMATS)}, not '{fmt}'")
    db = service_database(config, database_url)
    job = get_job(db, job_id)
    if job is None:
        raise ConfigError(f"no job {job_id} in {db.url} (see: shopscribe jobs list)")
    n = export_file(db, job.id, job.task, fmt, out)
    audit.record(db, "cli", "review.export", job_id, format=fmt, products=n, file=str(out))
    console.print(f"[green]{n}[/green] approved product(s) of job {job_id} -> {out} ({fmt})")


@handle_errors
def retrain_command(model_id: str = typer.Argument(..., help="The served model id to retrain."),
                    out: Path = typer.Option(..., "--out", help="Folder for the new version (v<N>) and its data."),
                    job: list[str] = typer.Option([], "--job", help="Learn from these jobs' reviews only (repeat)."),
                    benchmark: Path = typer.Option(None, "--benchmark", help="Benchmark products (default: the "
                                                   "current run's test split)."),
                    max_steps: int = typer.Option(None, "--max-steps", help="Training steps (default: the "
                                                  "current run's recipe)."),
                    lr: float = typer.Option(None, "--lr", help="Peak learning rate (default: the recipe's, a "
                                             "fifth of it when a LoRA run continues)."),
                    replay: float = typer.Option(2.0, "--replay", help="Old training products per reviewed product "
                                                 "(a continued LoRA run)."),
                    limit: int = typer.Option(None, "--limit", help="Compare on at most N products per set."),
                    engine: str = typer.Option("auto", "--engine", help="auto, llama.cpp or transformers."),
                    promote: bool = typer.Option(False, "--promote", help="Promote the new version if it is at "
                                                 "least as good on ROUGE-L and no worse on invented details."),
                    train_on_approved: bool = typer.Option(True, "--train-on-approved/--edits-only", help="Train "
                                                           "on copy approved as written too, or on edits only."),
                    actor: str = typer.Option("cli", "--actor", help="Who retrains (for the audit log)."),
                    config: Path = CONFIG, database_url: str = typer.Option(None, "--database", "--database-url",
                                                                           help="Overrides the settings' database_url.")
                    ) -> None:
    """Fine-tune a new version of MODEL_ID from its promoted run plus approved and edited copy; compare old
    and new on held-out reviewed products and the benchmark products; register it (promote with --promote
    or `shopscribe models promote`)."""
    from shopscribe.workspace.retrain import RetrainConfig, retrain

    db = service_database(config, database_url)
    cfg = RetrainConfig(model_id=model_id, out_dir=out, jobs=job, benchmark=benchmark, max_steps=max_steps,
                        lr=lr, replay=replay, limit=limit, engine=engine, promote=promote, actor=actor,
                        train_on_approved=train_on_approved)
    made = retrain(db, cfg, log=log)
    report = made.report
    for name, scores in report.get("sets", {}).items():
        console.print(f"{name}: ROUGE-L {scores['old']['rougeL']} -> {scores['new']['rougeL']}; invented detail "
                      f"{scores['old']['outputs_with_invented_detail']} -> {scores['new']['outputs_with_invented_detail']}")
    console.print(f"[green]{model_id} v{made.version}[/green] {'promoted' if made.promoted else 'registered'}: {made.path}")
