"""`optimize` benchmark: rewrite the held-out describe products' existing descriptions
with review insights attached, and check the rewrites reference-free.

Insights: the category insights of the Chinese clothing reviews (zh-online-shopping,
category 衣服; the only apparel reviews in the data) are attached to every product of
both describe sets — aspects carry over across languages by id. Two keywords are
requested per set. Two runs per set: the checked draft alone, and the draft polished by
the default model (used only when it passes every check).

Needs `python benchmarks/insights.py` (the insights) and the core-loop runs (the splits).

    python benchmarks/optimize.py           # ~15 min on 2 cores
    python benchmarks/optimize.py --table
"""

from __future__ import annotations

import argparse
import json

from core_loop import EVAL_PRODUCTS, RESULTS, WORK

SETS = {"describe-zh": ["百搭", "送礼"], "describe-en": ["everyday wear", "gift idea"]}
INSIGHTS = WORK / "insights" / "zh" / "insights.json"
MODEL_PRODUCTS = 8  # the model polish decodes up to ~300 tokens per product under the guard: a sample


def run(models: list[str | None]) -> dict:
    from shopscribe.optimize import OptimizeConfig, optimize

    path = RESULTS / "optimize.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for name, keywords in SETS.items():
        for model in models:
            limit = EVAL_PRODUCTS if model is None else MODEL_PRODUCTS
            label = f"{name} / {'draft + ' + model + f' polish ({limit} products)' if model else 'checked draft'}"
            out = WORK / name / "optimize" / f"{model or 'draft'}.jsonl"
            out.unlink(missing_ok=True)
            result = optimize(OptimizeConfig(products=WORK / name / "run" / "data" / "test.jsonl", out=out,
                                             insights=INSIGHTS, insights_by="group", insights_group="衣服",
                                             keywords=keywords, model=model, limit=limit))
            results[label] = {**result.metrics, "html": str(result.html)}
            print(label, json.dumps(result.metrics), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimize.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return results


def table(results: dict) -> str:
    lines = ["| set / rewrite | facts kept | outputs keeping all facts | outputs with unsupported number | "
             "unsupported claims | keywords included | length ok | violations | mean sentence length | "
             "model rewrite used |", "|---|---|---|---|---|---|---|---|---|---|"]
    for label, m in results.items():
        lines.append(f"| {label} | {m['fact_retention']:.3f} | {m['outputs_keeping_all_facts']:.2f} | "
                     f"{m['outputs_with_unsupported_number']:.2f} | {m['outputs_with_unsupported_claim']:.2f} | "
                     f"{m['keyword_inclusion']:.2f} | {m['length_compliance']:.2f} | {m['compliance_violations']} | "
                     f"{m['readability']:.1f} | {m['model_rewrites_used']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--no-model", action="store_true", help="only the checked drafts")
    parser.add_argument("--model-only", action="store_true", help="only the model-polished sample")
    args = parser.parse_args()
    if args.table:
        results = json.loads((RESULTS / "optimize.json").read_text(encoding="utf-8"))
    else:
        results = run([None] if args.no_model else ["gemma3-270m"] if args.model_only else [None, "gemma3-270m"])
    print(table(results))


if __name__ == "__main__":
    main()
