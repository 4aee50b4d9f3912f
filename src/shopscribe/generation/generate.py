"""`shopscribe generate`: write copy for a catalog, resumable after a crash.

Results are appended to a JSONL progress file and flushed after each batch. A
rerun reads it, drops a half-written last line, and skips the products already
done, so no product is duplicated or lost. Beside it, ``<out>.settings.json``
records what decides the text (model files, task templates, decoding, guard…); a
rerun with other settings refuses to mix its outputs into the file. A ``.csv``
output is written from the progress file when every product is done.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from shopscribe.appendlog import read_intact
from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.spreadsheet import OUTPUT_FIELDS, output_csv_row
from shopscribe.errors import GenerationError
from shopscribe.generation.config import CopyArgs, GenerateConfig
from shopscribe.generation.generator import Generator
from shopscribe.generation.guard import PublishingGuard
from shopscribe.quality.families import learn_families
from shopscribe.generation.rerank import Reranker
from shopscribe.critic.model import Critic
from shopscribe.engine.select import choose_engine, load_engine
from shopscribe.engine.vocab import writable_share
from shopscribe.models.loading import load_run_tokenizer, read_run_info
from shopscribe.models.sources import resolve_model
from shopscribe.tasks.task import load_task


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


def read_done(path: Path) -> dict[str, dict]:
    """Rows already written; a torn last line (killed mid-write) is cut off the file."""
    return {row["id"]: row for row in read_intact(path)}


def model_fingerprint(model: str | Path) -> str:
    """A short hash of a model's weight files (names, sizes, times): changes when the model does."""
    folder = resolve_model(model)
    weights = sorted(p for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin", ".gguf") and p.is_file()
                     and "checkpoints" not in p.relative_to(folder).parts and "engine" not in p.relative_to(folder).parts)
    return hashlib.sha256("".join(f"{p.relative_to(folder)}:{p.stat().st_size}:{p.stat().st_mtime_ns};"
                                  for p in weights).encode()).hexdigest()[:16]


def generation_settings(cfg: CopyArgs, task) -> dict:
    """What decides the generated text: a rerun with other settings must not add to the same file."""
    model_key = model_fingerprint(cfg.model)
    task_key = hashlib.sha256(json.dumps([task.name, task.templates, {k: vars(v) for k, v in task.lengths.items()},
                                          task.must_keep, task.mention_boost], sort_keys=True, ensure_ascii=False).encode()
                              ).hexdigest()[:16]
    return {"model": str(cfg.model), "model_files": model_key, "task": task.name, "templates": task_key,
            **json.loads(cfg.model_dump_json(include={"decoding", "length", "rerank", "guard", "keywords",
                                                       "rule_dirs", "task", "strict_compliance",
                                                       "output_vocab"}))}


def settings_path(progress: Path) -> Path:
    return progress.with_name(progress.name + ".settings.json")


def changed_settings(saved: dict, settings: dict) -> list[str]:
    """The settings that differ; one added since ``saved`` was written counts as unchanged while it keeps its
    default (off)."""
    return sorted(k for k in set(saved) | set(settings) if saved.get(k) != settings.get(k)
                  and not (k not in saved and settings.get(k) in (False, None)))


def check_settings(progress: Path, settings: dict, has_rows: bool) -> None:
    """Refuse to resume a progress file written with other settings; record them for the next run."""
    saved_path = settings_path(progress)
    if has_rows and saved_path.is_file():
        changed = changed_settings(json.loads(saved_path.read_text(encoding="utf-8")), settings)
        if changed:
            raise GenerationError(f"{progress} was written with other settings ({', '.join(changed)} changed, "
                                  f"see {saved_path}); use another --out, or delete both files to start again")
    saved_path.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")


def resolve_task_args(cfg: CopyArgs):
    """A run folder knows its task, tone and length; explicit settings win."""
    folder = resolve_model(cfg.model)
    run = read_run_info(folder) or {}
    task_args = cfg.task.model_copy()
    fields_set = cfg.task.model_fields_set
    if run:
        if "name" not in fields_set:
            task_args.name = run.get("task", task_args.name)
        if "template_dir" not in fields_set and (folder / "templates" / "tasks.yaml").is_file():
            task_args.template_dir = folder / "templates"
        task_args.tone = task_args.tone if "tone" in fields_set else run.get("tone")
        task_args.max_chars = task_args.max_chars if "max_chars" in fields_set else run.get("max_chars")
    return task_args


def generate(cfg: GenerateConfig, log: Callable[[str], None] = print,
             on_batch: Callable[[int, int], None] | None = None, engine=None) -> GenerateResult:
    """Write copy for ``cfg.products``; ``engine`` reuses an engine already loaded for ``cfg.model``."""
    task_args = resolve_task_args(cfg)
    task = load_task(task_args.name, task_args.template_dir)
    rejects = cfg.out.with_name(cfg.out.stem + ".rejects.jsonl")
    loaded = load_catalog(cfg.products, on_error=cfg.on_error, rejects_path=rejects,
                          required_fields=task.required_fields)
    records = loaded.records[: cfg.limit] if cfg.limit else loaded.records
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    path = progress_path(cfg.out)
    done = read_done(path)
    engine_name = engine.name if engine is not None else choose_engine(cfg.model, cfg.engine, cfg.decoding.strategy)
    check_settings(path, {**generation_settings(cfg, task), "engine": engine_name}, bool(done))
    unknown = set(done) - {r.id for r in records}
    if unknown:
        raise GenerationError(f"{path} holds results for {len(unknown)} product(s) not in {cfg.products} "
                              f"(e.g. {sorted(unknown)[:3]}); use another --out or delete the file")
    todo = [r for r in records if r.id not in done]
    log(f"{len(records)} products: {len(done)} already done, {len(todo)} to generate"
        + (f"; {len(loaded.problems)} bad rows skipped into {loaded.rejects_path}" if loaded.problems else ""))
    if todo:
        generator = build_generator(cfg, task_args, task, todo, engine_name, families=learn_families(loaded.records),
                                    engine=engine, log=log)
        engine = generator.engine
        with path.open("a", encoding="utf-8") as fh:
            size = cfg.batch_size or (256 if engine.name == "llama.cpp" else 8)
            for start in range(0, len(todo), size):
                for g in generator.generate(todo[start: start + size]):
                    fh.write(json.dumps({"task": task.name, "model": cfg.model, **asdict(g)},
                                        ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
                if on_batch:
                    on_batch(min(start + size, len(todo)), len(todo))
    if cfg.out.suffix == ".csv":
        write_csv(read_done(path), [r.id for r in records], cfg.out)
    return GenerateResult(cfg.out, len(records), len(todo), len(done), len(loaded.problems), loaded.rejects_path)


def build_generator(cfg: CopyArgs, task_args, task, records: list, engine_name: str, *, families=None,
                    engine=None, log: Callable[[str], None] = print) -> Generator:
    """The copy pipeline of ``cfg`` with its engine loaded (or ``engine`` reused): prompt → engine → length and
    must-keep → guard. ``records`` are the products it will write (the catalog output layer is cut to them);
    ``families`` are the claim families learned from the whole catalog, so a verdict never depends on the batch."""
    guard = (PublishingGuard(task, cfg.keywords, cfg.rule_dirs, families=families, strict=cfg.strict_compliance)
             if cfg.guard else None)
    reranker = None
    if cfg.rerank.candidates > 1:
        critic = Critic.load(cfg.rerank.critic) if cfg.rerank.critic else None
        reranker = Reranker(task, cfg.rerank, critic, cfg.rule_dirs)
        log(f"best-of-{cfg.rerank.candidates}: {'critic ' + str(cfg.rerank.critic) if critic else 'no critic'}")
    generator = Generator(engine, task, decoding=cfg.decoding, length=cfg.length,
                          tone=task_args.tone, max_chars=task_args.max_chars, guard=guard, reranker=reranker,
                          keywords=cfg.keywords, tokenizer=load_run_tokenizer(cfg.model) if engine is None else None)
    if engine is None:
        vocab_texts = (vocab_texts_for(cfg.output_vocab, generator, records, cfg.model, log)
                       if engine_name == "llama.cpp" else None)
        generator.engine = load_engine(cfg.model, engine_name, strategy=cfg.decoding.strategy,
                                       num_threads=cfg.num_threads, slots=cfg.parallel, log=log,
                                       vocab_texts=vocab_texts, contexts=cfg.contexts)
    engine = generator.engine
    log(f"engine: {engine.name}" + (f", {engine.contexts} contexts" if getattr(engine, "contexts", 1) > 1 else "")
        + (f", output layer cut to {len(engine.vocab.keep)} tokens" if getattr(engine, "vocab", None) else ""))
    return generator


# ``auto`` cuts the output layer only when the run's vocabulary can write, token for token, at least this
# share of its own held-out copy (the dev split's references, never trained on): describe-zh 0.997 (cut),
# describe-en 0.954 (kept whole: its human copy uses many words its training copy never does); a run
# trained on a few products falls below too (docs/engine.md)
AUTO_VOCAB_COVERAGE = 0.99


def vocab_texts_for(output_vocab: str, generator: Generator, records, model: str,
                    log: Callable[[str], None] = print) -> list[str] | None:
    """What the output layer is cut to (``CopyArgs.output_vocab``): the texts of a trained run's training data
    (prompts and targets) and the keywords, with ``catalog`` also the prompts of ``records``; None for the
    whole vocabulary (``full``, or ``auto`` on a model that is not a trained run with its data, or whose
    vocabulary writes less than ``AUTO_VOCAB_COVERAGE`` of its held-out references)."""
    if output_vocab == "full":
        return None
    folder = resolve_model(model)
    train_file, dev_file = folder / "data" / "train.jsonl", folder / "data" / "dev.jsonl"
    has_data = bool(read_run_info(folder)) and train_file.is_file()
    if output_vocab == "auto" and not (has_data and dev_file.is_file()):
        return None
    texts = list(generator.keywords)
    if has_data:
        for r in load_catalog(train_file).records:
            texts += [generator._request(r, 1, [], 1).prompt, *generator.task.references(r)]
    if output_vocab == "auto":
        held_out = [t for r in load_catalog(dev_file).records for t in generator.task.references(r)]
        share = writable_share(generator.tokenizer, texts, held_out)
        if share < AUTO_VOCAB_COVERAGE:
            log(f"output layer kept whole: the run's vocabulary writes {share:.3f} of its held-out copy's tokens "
                f"(< {AUTO_VOCAB_COVERAGE}); output_vocab=run cuts it anyway")
            return None
    if output_vocab == "catalog":
        texts += [generator._request(r, 1, [], 1).prompt for r in records]
    return texts


def write_csv(rows: dict[str, dict], order: list[str], out: Path) -> None:
    fields = OUTPUT_FIELDS
    tmp = out.with_suffix(".csv.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for pid in order:
            writer.writerow(output_csv_row(rows[pid]))
    tmp.replace(out)
