"""`shopscribe claims families CATALOG` and `shopscribe claims check CATALOG --id ID --text TEXT`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from shopscribe.catalog.loaders import load_catalog
from shopscribe.cli.common import console, handle_errors
from shopscribe.errors import ConfigError
from shopscribe.quality.faithfulness import check_faithfulness
from shopscribe.quality.families import learn_families

def _load(catalog: Path, on_error: str):
    """Every bad row is an error naming file, row, field and reason; with skip they go to a rejects file."""
    loaded = load_catalog(catalog, on_error=on_error, rejects_path=catalog.with_name(catalog.stem + ".rejects.jsonl"))
    if loaded.problems:
        console.print(f"[yellow]{len(loaded.problems)} bad row(s) skipped; see {loaded.rejects_path}[/yellow]")
    return loaded.records


app = typer.Typer(help="The claim checker's vocabulary and verdicts.", no_args_is_help=True)


@app.command("families")
@handle_errors
def families_command(
    catalog: Path = typer.Argument(..., help="Catalog file (.jsonl, .csv, .parquet) to learn value families from."),
    family: str = typer.Option(None, "--family", help="Show one family only."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    on_error: str = typer.Option("fail", "--on-error", help="fail: list every bad row; skip: write them to "
                                                          "CATALOG.rejects.jsonl and go on."),
) -> None:
    """The claim families: packaged lists per locale merged with the values the catalog uses per attribute key."""
    records = _load(catalog, on_error)
    rows = learn_families(records).as_table()
    if family:
        rows = [r for r in rows if r["family"] == family]
        if not rows:
            raise ConfigError(f"no claim family '{family}'; run without --family to list them")
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("family", "kind", "exclusive", "applies to", "keys", "values (learned from the catalog marked *)")
    for r in rows:
        values = [c + ("*" if c in r["learned"] else "") for c in r["values"]]
        values += [f"/{p}/" for p in r["patterns"]]
        table.add_row(r["family"], r["kind"], str(r["exclusive"]), ", ".join(r["applies_to"]), ", ".join(r["keys"]),
                      ", ".join(values))
    console.print(table)
    learned = sum(len(r["learned"]) for r in rows)
    console.print(f"{len(rows)} families, {learned} values learned from {len(records)} products of {catalog}")


@app.command("check")
@handle_errors
def check_command(
    catalog: Path = typer.Argument(..., help="Catalog file holding the product."),
    product_id: str = typer.Option(..., "--id", help="Product id."),
    text: str = typer.Option(..., "--text", help="Copy to check against the product's data."),
    on_error: str = typer.Option("fail", "--on-error", help="fail: list every bad row; skip: write them to "
                                                          "CATALOG.rejects.jsonl and go on."),
) -> None:
    """Every claim of TEXT about one product: supported, contradicted (or impossible) or unsupported, with evidence."""
    records = _load(catalog, on_error)
    record = next((r for r in records if r.id == product_id), None)
    if record is None:
        raise ConfigError(f"product id '{product_id}' is not in {catalog}")
    report = check_faithfulness(text, record, families=learn_families(records))
    table = Table("claim", "kind", "status", "evidence / reason")
    for c in report.claims:
        table.add_row(c.text, c.kind, c.status, c.reason or c.evidence or "")
    console.print(table)
