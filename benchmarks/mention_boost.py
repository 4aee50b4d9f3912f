"""Choose the describe task's mention boost on a core-loop run's *dev* split (never its test split).

    python benchmarks/mention_boost.py                          # en-myntra run, bonuses 0,3,6,9,12
    python benchmarks/mention_boost.py --set describe-zh --bonus 0,3,6

Needs the run of `python benchmarks/core_loop.py --only <set>` under SHOPSCRIBE_BENCH_WORK.
Fine-tuned model, greedy, guard off, first 16 dev products. Results: benchmarks/results/mention_boost.json.
"""

from __future__ import annotations

import argparse
import json
import time

from core_loop import RESULTS, WORK


def main() -> None:
    from shopscribe.catalog import load_catalog
    from shopscribe.config import load_config
    from shopscribe.generation import GenerateConfig, generate, read_done
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.tasks import load_task

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="describe-en")
    parser.add_argument("--bonus", default="0,3,6,9,12")
    parser.add_argument("--products", type=int, default=16)
    args = parser.parse_args()
    run = WORK / args.set / "run"
    dev = run / "data" / "dev.jsonl"
    records = load_catalog(dev).records[: args.products]
    task = load_task("describe", run / "templates")
    rows = {}
    for bonus in args.bonus.split(","):
        out = WORK / args.set / "mention_boost" / f"bonus-{bonus}.jsonl"
        started = time.time()
        generate(load_config(GenerateConfig, None, [
            f"model={run}", f"products={dev}", f"out={out}", f"limit={args.products}", "guard=false",
            f"decoding.mention_boost={bonus}", "task.name=describe", f"task.template_dir={run / 'templates'}"]),
            log=lambda m: None)
        metrics, _ = score_system(task, records, {k: v["text"] for k, v in read_done(out).items()})
        rows[bonus] = {k: round(metrics[k], 3) for k in ("rougeL", "attribute_coverage", "mean_chars",
                                                          "unsupported_numbers_per_output")}
        print(f"bonus {bonus}: {rows[bonus]} ({time.time() - started:.0f} s)", flush=True)
    path = RESULTS / "mention_boost.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    saved[args.set] = rows
    path.write_text(json.dumps(saved, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
