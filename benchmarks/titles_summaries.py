"""Titles and summaries: the fine-tuned models of the core-loop benchmark, with the
default generation path (guard on; titles keep brand and type within the limit),
against their plain greedy outputs, on the held-out products of title/zh-openbg and
summarize/zh-cepsum.

Metrics: ROUGE-L, character-limit compliance (30 for titles, 100 for summaries),
brand retention (products whose data names a brand), product-type retention, and
numbers consistent with the source (outputs with a number the input does not hold).

    python benchmarks/titles_summaries.py          # ~10 min on 2 cores
    python benchmarks/titles_summaries.py --table
"""

from __future__ import annotations

import argparse
import json

from core_loop import RESULTS, WORK

SETS = {"title-zh": "title", "summarize-zh": "summarize"}


def run() -> dict:
    from shopscribe.generation import GenerateConfig, generate, read_done
    from shopscribe.tasks.task import TEMPLATE_DIR

    results = {}
    for name, task in SETS.items():
        run_dir = WORK / name / "run"
        out = WORK / name / "shipping" / "outputs.jsonl"
        out.unlink(missing_ok=True)
        generate(GenerateConfig(model=str(run_dir), products=run_dir / "data" / "test.jsonl", out=out,
                                task={"name": task, "template_dir": TEMPLATE_DIR}, batch_size=8))
        plain = WORK / name / "eval" / "outputs" / "fine_tuned.jsonl"
        for system, path in (("plain greedy", plain), ("default (guard, keep brand/type)", out)):
            texts = {pid: row["text"] for pid, row in read_done(path).items()}
            results[f"{name} / {system}"] = score(run_dir, task, texts)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "titles_summaries.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def score(run_dir, task_name: str, texts: dict[str, str]) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.tasks import load_task
    from shopscribe.tasks.keep import type_spellings

    task = load_task(task_name)
    records = [r for r in load_catalog(run_dir / "data" / "test.jsonl").records if r.id in texts]
    metrics, _ = score_system(task, records, texts)
    branded = [r for r in records if r.brand_spellings()]
    typed = [r for r in records if type_spellings(r)]

    def has(r, spellings):
        return any(s.lower() in texts[r.id].lower() for s in spellings)
    max_chars = task.length("zh-CN").max_chars
    return {"products": len(records), "rougeL": metrics["rougeL"], "length_compliance": metrics["length_compliance"],
            "within_limit": sum(len(texts[r.id]) <= max_chars for r in records) / len(records),
            "max_chars": max_chars,
            "brand_retention": sum(has(r, r.brand_spellings()) for r in branded) / len(branded) if branded else None,
            "branded_products": len(branded),
            "type_retention": sum(has(r, type_spellings(r)) for r in typed) / len(typed) if typed else None,
            "typed_products": len(typed),
            "outputs_with_unsupported_number": metrics["outputs_with_unsupported_number"],
            "unsupported_numbers_per_output": metrics["unsupported_numbers_per_output"],
            "distinct2": metrics["distinct2"], "mean_chars": metrics["mean_chars"]}


def table(results: dict) -> str:
    def f(v):
        return "–" if v is None else f"{v:.3f}"
    lines = ["| set / generation | ROUGE-L | within the limit | within min–max | brand kept (n) | type kept (n) | outputs with an "
             "unsupported number | distinct-2 | mean chars |", "|---|---|---|---|---|---|---|---|---|"]
    for key, m in results.items():
        lines.append(f"| {key} | {m['rougeL']:.3f} | {m['within_limit']:.2f} (≤{m['max_chars']}) | "
                     f"{m['length_compliance']:.2f} | "
                     f"{f(m['brand_retention'])} ({m['branded_products']}) | {f(m['type_retention'])} "
                     f"({m['typed_products']}) | {m['outputs_with_unsupported_number']:.2f} | {m['distinct2']:.3f} | "
                     f"{m['mean_chars']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    results = json.loads((RESULTS / "titles_summaries.json").read_text()) if args.table else run()
    print(table(results))


if __name__ == "__main__":
    main()
