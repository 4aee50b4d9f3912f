"""`shopscribe generate`: write copy for a catalog, resumable after a crash.

Results are appended to a JSONL progress file and flushed after each batch. A
rerun reads it, drops a half-written last line, and skips the products already
done, so no product is duplicated or lost. Beside it, ``<out>.settings.json``
records what decides the text (model files, task templates, decoding, guard…); a
rerun with other settings refuses to mix its outputs into the file. A ``.csv``
output is written from the progress file when every product is done. The copy
itself comes from the one pipeline builder (``generation.pipeline``).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopscribe.appendlog import read_done
from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.spreadsheet import OUTPUT_FIELDS, output_csv_row
from shopscribe.engine.select import choose_engine
from shopscribe.errors import GenerationError
from shopscribe.generation.config import GenerateConfig
from shopscribe.generation.pipeline import CopyModel
from shopscribe.generation.settings import check_settings, generation_settings
from shopscribe.models.sources import model_fingerprint


@dataclass
class GenerateResult:
    out: Path
    total: int
    generated: int
    skipped_done: int
    rejected: int
    rejects_path: Path | None


def progress_path(out: Path) -> Path:
    return out if out.suffix == ".jsonl" else out.with_suffix(".progress.jsonl")


def generate(cfg: GenerateConfig, log: Callable[[str], None] = print,
             on_batch: Callable[[int, int], None] | None = None, model: CopyModel | None = None) -> GenerateResult:
    """Write copy for ``cfg.products``; ``model`` reuses a model already loaded for ``cfg.model``."""
    options = cfg.copy_options()
    task = (model or CopyModel.describe(cfg.model)).task(cfg)
    rejects = cfg.out.with_name(cfg.out.stem + ".rejects.jsonl")
    loaded = load_catalog(cfg.products, on_error=cfg.on_error, rejects_path=rejects,
                          required_fields=task.required_fields)
    records = loaded.records[: cfg.limit] if cfg.limit else loaded.records
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    path = progress_path(cfg.out)
    done = read_done(path)
    engine_name = model.engine.name if model else choose_engine(cfg.model, cfg.engine, cfg.decoding.strategy)
    settings = generation_settings(cfg.model, model.fingerprint if model else model_fingerprint(cfg.model),
                                   options, task, cfg.output_vocab)
    check_settings(path, {**settings, "engine": engine_name}, bool(done))
    unknown = set(done) - {r.id for r in records}
    if unknown:
        raise GenerationError(f"{path} holds results for {len(unknown)} product(s) not in {cfg.products} "
                              f"(e.g. {sorted(unknown)[:3]}); use another --out or delete the file")
    todo = [r for r in records if r.id not in done]
    log(f"{len(records)} products: {len(done)} already done, {len(todo)} to generate"
        + (f"; {len(loaded.problems)} bad rows skipped into {loaded.rejects_path}" if loaded.problems else ""))
    if todo:
        model = model or CopyModel.load(cfg.model, cfg.engine_args(), strategy=cfg.decoding.strategy,
                                        catalog=todo, log=log)
        write_rows(path, model, options, todo, cfg.batch_size, on_batch)
    if cfg.out.suffix == ".csv":
        write_csv(read_done(path), [r.id for r in records], cfg.out)
    return GenerateResult(cfg.out, len(records), len(todo), len(done), len(loaded.problems), loaded.rejects_path)


def write_rows(path: Path, model: CopyModel, options, todo: list, batch_size: int | None,
               on_batch: Callable[[int, int], None] | None) -> None:
    """Append the copy of ``todo`` to ``path``, one synced batch at a time."""
    pipeline = model.pipeline(options)
    with path.open("a", encoding="utf-8") as fh:
        size = batch_size or (256 if model.engine.name == "llama.cpp" else 8)
        for start in range(0, len(todo), size):
            for g in pipeline.generate(todo[start: start + size]):
                fh.write(json.dumps(g.as_row(pipeline.task.name, model.spec), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            if on_batch:
                on_batch(min(start + size, len(todo)), len(todo))


def write_csv(rows: dict[str, dict], order: list[str], out: Path) -> None:
    fields = OUTPUT_FIELDS
    tmp = out.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for pid in order:
            writer.writerow(output_csv_row(rows[pid]))
    tmp.replace(out)
