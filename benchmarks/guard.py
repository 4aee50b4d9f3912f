"""Publishing-guard benchmark: the same fine-tuned model with plain greedy decoding and
with the guard on, on the held-out products of the describe sets.

Needs the runs of `python benchmarks/core_loop.py --only describe-zh --only describe-en`
(it reuses their run folders and their plain-greedy outputs).

    python benchmarks/guard.py            # writes benchmarks/results/guard.json and prints the table
    python benchmarks/guard.py --table
"""

from __future__ import annotations

import argparse
import json
import shutil

from core_loop import EVAL_PRODUCTS, RESULTS, WORK

SETS = ["describe-zh", "describe-en"]
SYSTEMS = ["zero_shot", "fine_tuned"]
KEYS = ["rougeL", "compliance_violations", "outputs_with_violation", "unsupported_number_rate",
        "unsupported_numbers_per_output", "contradiction_rate", "unsupported_claim_rate", "length_compliance",
        "outputs_with_invented_detail", "outputs_with_impossible_claim", "mean_chars"]


def run(only: list[str] | None = None) -> dict:
    from shopscribe.evaluation import EvaluateConfig, evaluate

    path = RESULTS / "guard.json"
    results = json.loads(path.read_text()) if path.is_file() else {}
    for name in only or SETS:
        run_dir, out = WORK / name / "run", WORK / name / "eval-guard"
        for system in SYSTEMS:  # plain greedy outputs of the core-loop benchmark are reused as they are
            plain = WORK / name / "eval" / "outputs" / f"{system}.jsonl"
            if plain.is_file():
                (out / "plain" / "outputs").mkdir(parents=True, exist_ok=True)
                shutil.copy(plain, out / "plain" / "outputs" / f"{system}.jsonl")
        for guard in (False, True):
            folder = out / ("guarded" if guard else "plain")
            report = evaluate(EvaluateConfig(out_dir=folder, run=run_dir, systems=SYSTEMS, limit=EVAL_PRODUCTS,
                                             batch_size=8, guard=guard))
            flagged = _flagged(folder, guard, run_dir)
            for system, metrics in report.systems.items():
                results[f"{name}/{system}/{'guard' if guard else 'greedy'}"] = {
                    **{k: metrics[k] for k in KEYS}, "flagged": flagged.get(system)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "guard.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def _flagged(folder, guard: bool, run_dir) -> dict[str, int]:
    """Outputs the guard would flag (re-checked with the current guard, so plain outputs count too)."""
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.models.loading import read_run_info
    from shopscribe.tasks import load_task

    task = load_task(read_run_info(run_dir)["task"], run_dir / "templates")
    records = {r.id: r for r in load_catalog(run_dir / "data" / "test.jsonl").records}
    checker = PublishingGuard(task)
    out = {}
    for system in SYSTEMS:
        path = folder / "outputs" / f"{system}{'.guarded' if guard else ''}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []
        out[system] = sum(checker.verdict(r["text"], records[r["id"]]).status == "flagged" for r in rows)
    return out


def table(results: dict) -> str:
    lines = ["| set / system / decoding | ROUGE-L | violations | numbers unsupported per output | contradiction rate "
             "| outputs with an invented detail (checker) | with an impossible claim | flagged |",
             "|---|---|---|---|---|---|---|---|"]
    for key, m in results.items():
        lines.append(f"| {key} | {m['rougeL']:.3f} | {m['compliance_violations']} "
                     f"| {m['unsupported_numbers_per_output']:.2f} | {m['contradiction_rate']:.3f} "
                     f"| {m.get('outputs_with_invented_detail', float('nan')):.2f} "
                     f"| {m.get('outputs_with_impossible_claim', float('nan')):.2f} | {m['flagged']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--only", choices=SETS, action="append")
    args = parser.parse_args()
    results = json.loads((RESULTS / "guard.json").read_text()) if args.table else run(args.only)
    print(table(results))


if __name__ == "__main__":
    main()
