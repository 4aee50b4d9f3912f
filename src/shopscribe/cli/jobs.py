"""`shopscribe jobs list|show|results` and `shopscribe worker`: catalog jobs of the service, read from its
database (the same settings as `shopscribe serve`)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, service_database

app = typer.Typer(help="Catalog jobs of `shopscribe serve`.", no_args_is_help=True)
CONFIG = typer.Option(None, "--config", help="The service's YAML settings (for its database_url).")
DB = typer.Option(None, "--database-url", help="Overrides the settings' database_url.")


@app.command("list")
@handle_errors
def list_(config: Path = CONFIG, database_url: str = DB) -> None:
    """Recent jobs: status, products done of total, flagged, rejected."""
    from shopscribe.storage.jobs import list_jobs

    for j in list_jobs(service_database(config, database_url)):
        console.print(f"{j.id}\t{j.status}\t{j.task}\t{j.done}/{j.total}\tflagged {j.flagged}\trejected {j.rejected}"
                      f"\t{j.created_at:%Y-%m-%d %H:%M}\t{j.source}")


@app.command("show")
@handle_errors
def show(job_id: str, config: Path = CONFIG, database_url: str = DB) -> None:
    """One job as JSON: progress, counts, rate and estimate."""
    from shopscribe.storage.jobs import get_job

    job = get_job(service_database(config, database_url), job_id)
    if job is None:
        raise typer.BadParameter(f"no job {job_id} (see: shopscribe jobs list)")
    print(json.dumps(job.as_dict(), ensure_ascii=False, indent=2))


@app.command("results")
@handle_errors
def results(job_id: str, out: Path = typer.Option(None, "--out", "-o", help=".jsonl or .csv (default: JSONL on stdout)"),
            config: Path = CONFIG, database_url: str = DB) -> None:
    """The products written so far, in catalog order."""
    from shopscribe.catalog.spreadsheet import OUTPUT_FIELDS, output_csv_row
    from shopscribe.storage import audit
    from shopscribe.storage.jobs import results as rows

    db = service_database(config, database_url)
    fh = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    n = 0
    if out is not None and out.suffix == ".csv":
        writer = csv.DictWriter(fh, fieldnames=OUTPUT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for r in rows(db, job_id):
            writer.writerow(output_csv_row(r))
            n += 1
    else:
        for r in rows(db, job_id):
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
    audit.record(db, "cli", "job.export", job_id, rows=n)
    if out:
        fh.close()
        console.print(f"{n} products → {out}")


@app.command("import")
@handle_errors
def import_(outputs: Path = typer.Argument(..., help="Copy to review: JSONL rows with id and text (the output "
                                             "of `shopscribe generate` or `batch`)."),
            products: Path = typer.Option(..., "--products", "-p", help="The products' data (a catalog file)."),
            model: str = typer.Option(None, "--model", help="The served model id whose guard checks the text "
                                      "(default: the settings' default model)."),
            task: str = typer.Option("describe", "--task", help="The task that wrote the copy."),
            owner: str = typer.Option("cli", "--owner", help="The key name that owns the job (its team sees it)."),
            team: str = typer.Option(None, "--team", help="The owner's team."),
            config: Path = CONFIG, database_url: str = DB) -> None:
    """A finished job from copy written elsewhere, each text checked again by the guard: it appears in the
    review workspace (/ui) like any job."""
    from shopscribe.appendlog import read_done
    from shopscribe.catalog.loaders import load_catalog
    from shopscribe.generation.config import CopyOptions
    from shopscribe.generation.pipeline import CopyModel
    from shopscribe.service.settings import load_settings
    from shopscribe.storage import audit
    from shopscribe.storage.jobs import create_done_job
    from shopscribe.tasks.args import TaskArgs
    from shopscribe.workspace.imports import checked_results

    settings = load_settings(config, [f"database_url={database_url}"] if database_url else [])
    model_id = model or settings.resolved_default_model()
    if model_id not in settings.models:
        raise typer.BadParameter(f"model '{model_id}' is not among the service's models {sorted(settings.models)}")
    copy_model = CopyModel.describe(settings.models[model_id])
    options = CopyOptions(task=TaskArgs(name=task))
    guard = copy_model.guard(options, copy_model.task(options))
    texts = {pid: row["text"] for pid, row in read_done(outputs).items()}
    records = [r for r in load_catalog(products).records if r.id in texts]
    unknown = sorted(set(texts) - {r.id for r in records})
    if unknown:
        raise typer.BadParameter(f"{len(unknown)} output(s) name a product not in {products}, e.g. {unknown[:5]}")
    items = checked_results(records, texts, guard, task, model_id)
    db = service_database(config, database_url)
    job = create_done_job(db, task=task, model=model_id, options=options.model_dump(mode="json"),
                          source=str(outputs), items=items, created_by=owner, team=team)
    audit.record(db, "cli", "job.import", job.id, products=job.total, source=str(outputs))
    console.print(f"job [green]{job.id}[/green]: {job.total} product(s), {job.flagged} flagged by the guard; "
                  "review them at /ui")


@handle_errors
def worker_command(config: Path = typer.Option(None, "--config", help="The service's YAML settings."),
                   overrides: list[str] = typer.Argument(None, help="key=value settings, as for serve")) -> None:
    """Run a job worker (more of them, here or on other machines sharing the database, split jobs)."""
    import logging

    from shopscribe.service.settings import load_settings
    from shopscribe.service.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    run_worker(load_settings(config, overrides or []))
