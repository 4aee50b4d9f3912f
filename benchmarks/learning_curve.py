"""Learning curve on describe-zh: what more training steps buy, and what they cost in hours on this machine.

Each budget is its own run of the core-loop recipe (configs/train/gemma3-270m/benchmark_lora.yaml with the
core loop's describe-zh settings, all of the development data) with only ``train.max_steps`` changed, so
every point is the recipe a user would get at that budget (its own warm-up and learning-rate decay; early
stopping on dev loss stays on, so a long budget may stop before its last step). Each run then writes copy for
its own dev and test products with the guard on, as ``shopscribe generate`` does, and is scored the way
ChatGLM and LLaMA-Factory score AdvertiseGen (``evaluation.adgen_scores``).

    python benchmarks/learning_curve.py --steps 60 120 240   # ~2 h on 2 cores
    python benchmarks/learning_curve.py --steps 60 120 240 --regenerate   # new copy from the same runs
    python benchmarks/learning_curve.py --table              # the table from results/learning_curve.json

Hours are wall-clock seconds of the whole ``shopscribe train`` command (model load and data preparation
included) and of each ``shopscribe generate`` command, fair on an otherwise idle machine; the training's CPU
seconds are kept beside them (on 2 cores an idle run's wall time is about half of them).
Data: ../shared/data (set SHOPSCRIBE_DATA to move it). Runs: $SHOPSCRIBE_BENCH_WORK/learning-curve/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path

from core_loop import DATA, HERE, RESULTS, SETS, WORK

NAME = "learning_curve"
SET = "describe-zh"


def run_budget(steps: int) -> dict:
    task, data_file, overrides = SETS[SET]
    run = WORK / "learning-curve" / f"steps-{steps}"
    overrides = [o for o in overrides if not o.startswith("train.max_steps=")] + [f"train.max_steps={steps}"]
    shutil.rmtree(run, ignore_errors=True)  # a fresh run: never resumed from an earlier run's checkpoint
    started, cpu = time.time(), children_cpu_seconds()
    subprocess.run(["shopscribe", "train", str(HERE.parent / "configs" / "train" / "gemma3-270m" / "benchmark_lora.yaml"),
                    f"out_dir={run}", f"data.train_file={DATA / data_file}", f"task.name={task}", "overwrite=true",
                    *overrides], check=True)
    result = {"steps_budget": steps, "train_seconds": round(time.time() - started, 1),
              "train_cpu_seconds": round(children_cpu_seconds() - cpu, 1), "run": str(run),
              "train": trained_stats(run)}
    for split in ("dev", "test"):
        result[split] = generate_and_score(run, split)
    return result


def children_cpu_seconds() -> float:
    """User and system CPU seconds of the finished child processes: the training's cost whatever else the
    machine was doing (wall-clock time is only fair on an idle machine)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def trained_stats(run: Path) -> dict:
    """Steps actually run and dev losses, from the trainer's own state in the last checkpoint."""
    states = sorted((run / "checkpoints").glob("checkpoint-*/trainer_state.json"),
                    key=lambda p: int(p.parent.name.split("-")[1]))
    if not states:
        return {}
    state = json.loads(states[-1].read_text(encoding="utf-8"))
    losses = [(h["step"], h["eval_loss"]) for h in state["log_history"] if "eval_loss" in h]
    best = min(losses, key=lambda s: s[1]) if losses else (None, None)
    return {"steps_run": state["global_step"], "dev_loss_first": losses[0][1] if losses else None,
            "dev_loss_best": best[1], "best_step": best[0], "dev_losses": losses}


def generate_and_score(run: Path, split: str) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.adgen_scores import adgen_scores
    from shopscribe.tasks import load_task

    products = run / "data" / f"{split}.jsonl"
    out = run / f"{split}.out.jsonl"
    for stale in run.glob(f"{split}.out.jsonl*"):
        stale.unlink()
    started = time.time()
    subprocess.run(["shopscribe", "generate", str(run), "-p", str(products), "-o", str(out)], check=True,
                   stdout=subprocess.DEVNULL)
    seconds = round(time.time() - started, 1)
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    records = load_catalog(products).records
    preds = [rows[r.id]["text"] for r in records]
    task = load_task(SETS[SET][0], run / "templates")
    refs = [task.target(r) or "" for r in records]
    guard = [rows[r.id]["guard"] or {} for r in records]
    return {"products": len(records), "generate_seconds": seconds, **adgen_scores(preds, refs),
            "mean_chars": round(statistics.mean(len(p) for p in preds), 1),
            "repaired": sum(rows[r.id]["attempts"] > 1 for r in records),
            "flagged": sum(g.get("status") == "flagged" for g in guard),
            "clauses_cut": sum(g.get("dropped_clauses", 0) for g in guard)}


def table(results: dict) -> str:
    rows = ["| steps (run) | training: wall (CPU / 2) | dev loss best (step) | split | ROUGE-1 | ROUGE-2 | ROUGE-L "
            "| BLEU-4 | mean chars | repaired | flagged | clauses cut | generate |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key in sorted(results, key=int):
        r = results[key]
        t = r["train"]
        for split in ("dev", "test"):
            s = r[split]
            cpu = f" ({r['train_cpu_seconds'] / 7200:.2f} h)" if "train_cpu_seconds" in r else ""
            rows.append(f"| {r['steps_budget']} ({t.get('steps_run', '?')}) | {r['train_seconds'] / 3600:.2f} h{cpu} "
                        f"| {t.get('dev_loss_best', float('nan')):.3f} ({t.get('best_step')}) | {split} "
                        f"| {s['rouge-1']:.2f} | {s['rouge-2']:.2f} | {s['rouge-l']:.2f} | {s['bleu-4']:.2f} "
                        f"| {s['mean_chars']:.0f} | {s['repaired']}/{s['products']} | {s['flagged']}/{s['products']} "
                        f"| {s['clauses_cut']} | {s['generate_seconds']:.0f} s |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, nargs="+", default=[60, 120, 240])
    parser.add_argument("--table", action="store_true", help="print the table from the saved results")
    parser.add_argument("--regenerate", action="store_true",
                        help="write and score the copy of the runs already trained again (the guard changed)")
    args = parser.parse_args()
    path = RESULTS / f"{NAME}.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    missing = [s for s in args.steps if str(s) not in results] if args.regenerate else []
    if missing:
        parser.error(f"--regenerate: no trained run for steps {missing} in {path} (train them first)")
    if not args.table:
        for steps in args.steps:
            print(f"== {steps} steps", flush=True)
            if args.regenerate:
                run = Path(results[str(steps)]["run"])
                results[str(steps)].update({split: generate_and_score(run, split) for split in ("dev", "test")})
            else:
                results[str(steps)] = run_budget(steps)
            RESULTS.mkdir(exist_ok=True)
            path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
