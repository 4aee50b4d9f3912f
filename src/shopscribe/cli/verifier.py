"""`shopscribe verifier train --catalog FILE[:TARGET] ... --out DIR [key=value ...]`"""

from __future__ import annotations

import json
import random
from pathlib import Path

import typer

from shopscribe.cli.common import console, handle_errors, log
from shopscribe.config import checked_jsonl, load_config, read_yaml
from shopscribe.training.verifier import VerifierTrainConfig, train_verifier
from shopscribe.training.verifier_data import build_examples, labelled_examples, training_records

app = typer.Typer(help="The learned claim verifier used by the publishing guard (verifier=DIR).",
                  no_args_is_help=True)


def excluded_ids(paths: list[Path]) -> set[str]:
    """The product_id of every row of ``paths``; a row without one is an error naming file, row and field."""
    has_id = {"product_id": (lambda v: isinstance(v, (str, int)) and str(v).strip(), "")}
    return {str(row["product_id"]) for path in paths for _, row in checked_jsonl(path, "--exclude-ids", has_id)}


@app.command("train")
@handle_errors
def train_command(
    catalogs: list[str] = typer.Option(..., "--catalog", "-c",
                                       help="Catalog to learn from; FILE:FIELD marks FIELD as a written target, "
                                            "not product data (e.g. describe data: FILE:description). Repeatable."),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the verifier to."),
    hold_out: Path = typer.Option(None, "--hold-out", help="YAML of category keywords per locale to keep out."),
    exclude_ids: list[Path] = typer.Option([], "--exclude-ids", help="JSONL whose product_id values are kept out."),
    labelled: list[Path] = typer.Option([], "--labelled", help="JSONL of labelled claims (product_id, claim, label) "
                                                               "to train on beside the synthetic ones. Repeatable."),
    overrides: list[str] = typer.Argument(None, help="key=value, e.g. epochs=2 max_products=1500"),
) -> None:
    """Build synthetic claims from the catalogs and fine-tune the verifier on them."""
    base = {"catalogs": catalogs, "out": str(out), "hold_out": str(hold_out) if hold_out else None,
            "exclude_ids": [str(p) for p in exclude_ids], "labelled": [str(p) for p in labelled]}
    cfg = load_config(VerifierTrainConfig, None, overrides or [], base=base)
    ids = excluded_ids(cfg.exclude_ids)
    keywords = read_yaml(cfg.hold_out) if cfg.hold_out else None
    found = training_records(cfg.catalogs, keywords, ids, cfg.max_products, cfg.seed)
    log(f"{len(found.records)} products; left out: {found.left_out or 'none'}")
    examples = build_examples(found.records, found.exclude_field_of, seed=cfg.seed, per_product=cfg.per_product)
    if cfg.labelled:
        extra, summary = labelled_examples(cfg.labelled, cfg.catalogs, keywords, ids, cfg.labelled_repeat)
        log(f"labelled claims: {summary}")
        examples += extra
        random.Random(cfg.seed).shuffle(examples)
    cfg.out.mkdir(parents=True, exist_ok=True)
    with (cfg.out / "examples.jsonl").open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex.__dict__, ensure_ascii=False) + "\n")
    train_verifier(cfg, examples, log=log)
    console.print(f"[green]done[/green]: claim verifier → {cfg.out}")
