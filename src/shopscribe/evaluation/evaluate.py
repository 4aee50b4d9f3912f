"""`shopscribe evaluate`: score systems on held-out products and write a report.

Systems: the template baseline, the zero-shot base model, the fine-tuned run,
and any output files from `shopscribe generate`. Model outputs are produced with
the resumable `generate`, so an interrupted evaluation picks up where it stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopscribe.catalog.loaders import load_catalog
from shopscribe.errors import ConfigError
from shopscribe.evaluation.config import EvaluateConfig
from shopscribe.generation.config import GenerateConfig
from shopscribe.appendlog import read_done
from shopscribe.generation.generate import generate
from shopscribe.models.loading import read_run_info
from shopscribe.models.sources import DEFAULT_MODEL
from shopscribe.evaluation.metrics import score_system
from shopscribe.evaluation.report import write_html, write_json
from shopscribe.tasks.baseline import baseline_text
from shopscribe.tasks.task import load_task
from shopscribe.tasks.args import TaskArgs
from shopscribe.training.model_card import add_eval_metrics

SYSTEM_TITLES = {"baseline": "template baseline", "zero_shot": "zero-shot base model", "fine_tuned": "fine-tuned"}


@dataclass
class EvalResult:
    systems: dict[str, dict]
    report_json: Path
    report_html: Path
    seconds: dict[str, float]


def evaluate(cfg: EvaluateConfig, log: Callable[[str], None] = print,
             on_batch: Callable[[str, int, int], None] | None = None) -> EvalResult:
    run = read_run_info(cfg.run) if cfg.run else None
    if cfg.run and run is None:
        raise ConfigError(f"run {cfg.run} is not a finished ShopScribe run (no shopscribe_run.json)")
    task_args = _task_args(cfg, run)
    task = load_task(task_args.name, task_args.template_dir)
    products = cfg.products or _held_out(cfg.run)
    records = load_catalog(products, on_error=cfg.on_error, required_fields=task.required_fields,
                           rejects_path=cfg.out_dir / "rejects.jsonl").records
    records = records[: cfg.limit] if cfg.limit else records
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, dict[str, str]] = {}
    seconds: dict[str, float] = {}
    for system in cfg.systems:
        started = time.time()
        log(f"system '{system}': writing copy for {len(records)} products")
        if system == "baseline":
            outputs[system] = {r.id: baseline_text(task, r, task_args.max_chars) for r in records}
        else:
            model = str(cfg.run) if system == "fine_tuned" else (cfg.base_model or (run or {}).get("base_model")
                                                                 or DEFAULT_MODEL)
            guarded = cfg.guard and (cfg.guard_systems is None or system in cfg.guard_systems)
            outputs[system] = _generate(cfg, model, products, task_args, system, guarded, on_batch, log)
            if guarded and cfg.raw_beside:  # what the model wrote, beside what the guard lets out
                outputs[raw_name(system)] = _generate(cfg, model, products, task_args, system, False, on_batch, log)
        seconds[system] = round(time.time() - started, 1)
    for name, path in cfg.predictions.items():
        outputs[name] = {pid: row["text"] for pid, row in read_done(Path(path)).items()}
    systems, scores = {}, {}
    for name, texts in outputs.items():
        systems[name], scores[name] = score_system(task, records, texts, task_args.max_chars)
    payload = {"task": task.name, "products": str(products), "n_products": len(records),
               "run": str(cfg.run) if cfg.run else None, "systems": systems, "seconds": seconds,
               "examples": {n: [s.__dict__ for s in rows] for n, rows in scores.items()}}
    report_json, report_html = cfg.out_dir / "report.json", cfg.out_dir / "report.html"
    write_json(report_json, payload)
    notes = [f"task: {task.name}; products: {products} ({len(records)})",
             *(f"{n}: {_title(n, cfg.guard and (cfg.guard_systems is None or n in cfg.guard_systems))}"
               for n in systems)]
    write_html(report_html, f"ShopScribe evaluation — {task.name}", task, records, systems, scores, notes)
    if cfg.run and "fine_tuned" in systems:
        add_eval_metrics(cfg.run, str(products), systems["fine_tuned"])
    return EvalResult(systems, report_json, report_html, seconds)


def raw_name(system: str) -> str:
    """The name a model system's raw (guard-off) copy is scored under beside its published copy."""
    return f"{system} (raw)"


def _title(name: str, guard: bool) -> str:
    if name.endswith(" (raw)"):
        return f"{SYSTEM_TITLES.get(name[:-6], name[:-6])}: what the model wrote (guard off)"
    if guard and name in ("zero_shot", "fine_tuned"):
        return f"{SYSTEM_TITLES[name]}: what would be published (guard on)"
    return SYSTEM_TITLES.get(name, name)


def _task_args(cfg: EvaluateConfig, run: dict | None) -> TaskArgs:
    if not run:
        return cfg.task
    set_fields = cfg.task.model_fields_set
    template_dir = cfg.run / "templates" if (cfg.run / "templates" / "tasks.yaml").is_file() else None
    return TaskArgs(name=cfg.task.name if "name" in set_fields else run["task"],
                    template_dir=cfg.task.template_dir if "template_dir" in set_fields else template_dir,
                    tone=cfg.task.tone if "tone" in set_fields else run.get("tone"),
                    max_chars=cfg.task.max_chars if "max_chars" in set_fields else run.get("max_chars"))


def _held_out(run_dir: Path | None) -> Path:
    for name in ("test", "dev"):
        path = run_dir / "data" / f"{name}.jsonl"
        if path.is_file() and path.stat().st_size:
            return path
    raise ConfigError(f"run {run_dir} has no held-out split (data/test.jsonl or data/dev.jsonl); pass products")


def _generate(cfg: EvaluateConfig, model: str, products: Path, task_args: TaskArgs, system: str, guard: bool,
              on_batch, log) -> dict[str, str]:
    out = cfg.out_dir / "outputs" / f"{system}{'.guarded' if guard else ''}.jsonl"
    gen_cfg = GenerateConfig(model=model, products=products, out=out, task=task_args, decoding=cfg.decoding,
                             batch_size=cfg.batch_size, limit=cfg.limit, on_error=cfg.on_error, guard=guard,
                             engine=cfg.engine)
    generate(gen_cfg, log=log, on_batch=(lambda i, n: on_batch(system, i, n)) if on_batch else None)
    return {pid: row["text"] for pid, row in read_done(out).items()}


def load_report(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
