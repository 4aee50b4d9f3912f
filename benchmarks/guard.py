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

from core_loop import EVAL_PRODUCTS, RESULTS, WORK

SETS = ["describe-zh", "describe-en"]
SYSTEMS = ["zero_shot", "fine_tuned"]
KEYS = ["rougeL", "compliance_violations", "outputs_with_violation", "unsupported_number_rate",
        "unsupported_numbers_per_output", "contradiction_rate", "unsupported_claim_rate", "length_compliance"]


def run() -> dict:
    from shopscribe.evaluation import EvaluateConfig, evaluate

    results = {}
    for name in SETS:
        run_dir, out = WORK / name / "run", WORK / name / "eval"
        for guard in (False, True):
            report = evaluate(EvaluateConfig(out_dir=out / ("guarded" if guard else "plain"), run=run_dir,
                                             systems=SYSTEMS, limit=EVAL_PRODUCTS, batch_size=8, guard=guard))
            flagged = _flagged(out / ("guarded" if guard else "plain"), guard)
            for system, metrics in report.systems.items():
                results[f"{name}/{system}/{'guard' if guard else 'greedy'}"] = {
                    **{k: metrics[k] for k in KEYS}, "flagged": flagged.get(system)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "guard.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def _flagged(folder, guard: bool) -> dict[str, int]:
    out = {}
    for system in SYSTEMS:
        path = folder / "outputs" / f"{system}{'.guarded' if guard else ''}.jsonl"
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []
        out[system] = sum((r.get("guard") or {}).get("status") == "flagged" for r in rows) if guard else None
    return out


def table(results: dict) -> str:
    lines = ["| set / system / decoding | ROUGE-L | violations | unsupported-number rate | numbers unsupported per output "
             "| contradiction rate | flagged |", "|---|---|---|---|---|---|---|"]
    for key, m in results.items():
        lines.append(f"| {key} | {m['rougeL']:.3f} | {m['compliance_violations']} | {m['unsupported_number_rate']:.3f} "
                     f"| {m['unsupported_numbers_per_output']:.2f} | {m['contradiction_rate']:.3f} | "
                     f"{'–' if m['flagged'] is None else m['flagged']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    results = json.loads((RESULTS / "guard.json").read_text()) if args.table else run()
    print(table(results))


if __name__ == "__main__":
    main()
