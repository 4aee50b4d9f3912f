"""Core-loop benchmark: train the default model on each development set and compare
the template baseline, the zero-shot base model and the fine-tuned model on a
held-out split the model never trained on (nor used for early stopping).

    python benchmarks/core_loop.py                      # all four sets, ~1 h on 2 cores
    python benchmarks/core_loop.py --only describe-zh   # one set
    python benchmarks/core_loop.py --table              # print the README table from results/

Each set runs in its own process so its peak memory (ru_maxrss) is its own.
Data: ../shared/data (set SHOPSCRIBE_DATA to move it). Results: benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
RESULTS = HERE / "results"
WORK = Path(os.environ.get("SHOPSCRIBE_BENCH_WORK", "/tmp/shopscribe-bench"))

# name: (task, data file, training overrides). The held-out test split is 10% of products.
SETS = {
    "describe-zh": ("describe", "describe/zh-advertisegen.dev.jsonl",
                    ["train.max_steps=60", "data.max_seq_len=256"]),
    "describe-en": ("describe", "describe/en-myntra.dev.jsonl",
                    ["train.max_steps=60", "data.max_seq_len=224", "data.max_train_examples=600",
                     "data.select=coverage", "data.faithful_targets=true"]),
    "title-zh": ("title", "title/zh-openbg.dev.jsonl", ["train.max_steps=40", "data.max_seq_len=224"]),
    "summarize-zh": ("summarize", "summarize/zh-cepsum.dev.jsonl",
                     ["train.max_steps=25", "data.max_seq_len=448", "data.dev_fraction=0.12",
                      "data.test_fraction=0.2"]),
}
EVAL_PRODUCTS = 32


def run_one(name: str, rescore: bool = False) -> dict:
    """Train and evaluate one set; with ``rescore``, only re-score the outputs already written."""
    from shopscribe.config import load_config
    from shopscribe.evaluation import EvaluateConfig, evaluate
    from shopscribe.training import TrainConfig, train

    task, data_file, overrides = SETS[name]
    out = WORK / name
    previous = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8")) if rescore else None
    if previous is None:
        cfg = load_config(TrainConfig, HERE.parent / "configs" / "train" / "gemma3-270m" / "benchmark_lora.yaml",
                          [f"out_dir={out / 'run'}", f"data.train_file={DATA / data_file}", f"task.name={task}",
                           "overwrite=true", *overrides])
        shutil.rmtree(out / "eval", ignore_errors=True)  # outputs of an earlier model must not be reused
        trained = train(cfg)
        train_stats = {"examples": trained.train_examples, "steps": trained.steps, "seconds": trained.seconds,
                       "peak_rss_gib": trained.peak_rss_gib, "dev_loss_first": trained.first_dev_loss,
                       "dev_loss_best": trained.best_dev_loss}
    else:
        train_stats = previous["train"]
    started = time.time()
    report = evaluate(EvaluateConfig(out_dir=out / "eval", run=out / "run", limit=EVAL_PRODUCTS, batch_size=8))
    eval_seconds = round(time.time() - started, 1)
    if previous is not None:  # a re-score reuses the outputs: keep the time of the run that wrote them
        eval_seconds = previous.get("eval_seconds", eval_seconds)
    result = {"set": name, "task": task, "data": data_file, "train": train_stats, "eval_seconds": eval_seconds,
              "human_reference": reference_metrics(out / "run", task),
        "eval_products": report.systems["baseline"]["products"], "systems": report.systems,
        "report_html": str(report.report_html)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def reference_metrics(run_dir: Path, task_name: str) -> dict:
    """The held-out products' own human copy, scored like a system: the level real copy reaches."""
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.tasks import load_task

    task = load_task(task_name, run_dir / "templates")
    records = load_catalog(run_dir / "data" / "test.jsonl").records[:EVAL_PRODUCTS]
    metrics, _ = score_system(task, records, {r.id: task.target(r) or "" for r in records})
    return metrics


def table() -> str:
    rows = ["| set | system | ROUGE-L | BLEU-4 | attr. coverage | unsupported numbers per output "
            "| unsupported share of numbers | contradicted claims | compliance violations | length ok | distinct-2 |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for name in SETS:
        path = RESULTS / f"{name}.json"
        if not path.is_file():
            continue
        r = json.loads(path.read_text(encoding="utf-8"))
        systems = {**r["systems"], **({"(human reference)": r["human_reference"]} if "human_reference" in r else {})}
        for system, m in systems.items():
            cov = "–" if m["attribute_coverage"] is None else f"{m['attribute_coverage']:.3f}"
            rouge = "–" if system.startswith("(") else f"{m['rougeL']:.3f}"
            bleu = "–" if system.startswith("(") else f"{m['bleu4']:.2f}"
            rows.append(f"| {name} | {system} | {rouge} | {bleu} | {cov} | {m['unsupported_numbers_per_output']:.3f} | "
                        f"{m['unsupported_number_rate']:.3f} | {m.get('contradiction_rate', 0):.3f} | "
                        f"{m.get('compliance_violations', '–')} | {m['length_compliance']:.2f} | {m['distinct2']:.3f} |")
        t = r["train"]
        notes.append(f"- {name}: {t['examples']} training examples, {t['steps']} steps, "
                     f"{t['seconds'] / 60:.1f} min training, peak RSS {t['peak_rss_gib']:.1f} GiB, "
                     f"dev loss {t['dev_loss_first']:.3f} → {t['dev_loss_best']:.3f}; "
                     f"{r['eval_products']} held-out products, evaluation {r['eval_seconds'] / 60:.1f} min")
    return "\n".join(rows + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(SETS), action="append")
    parser.add_argument("--table", action="store_true", help="print the results table and exit")
    parser.add_argument("--rescore", action="store_true", help="re-score existing outputs with the current metrics")
    parser.add_argument("--in-process", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        run_one(args.in_process)
        return
    if args.rescore:
        for name in args.only or list(SETS):
            run_one(name, rescore=True)
    elif not args.table:
        for name in args.only or list(SETS):
            print(f"== {name}", flush=True)
            subprocess.run([sys.executable, __file__, "--in-process", name], check=True)
    print(table())


if __name__ == "__main__":
    main()
