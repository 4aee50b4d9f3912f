"""Aspect insights on the development review sets: per product (asin) for
en-amazon-blitzer, per category for zh-online-shopping, as HTML pages.

A sentiment classifier (e5 features) is trained per set on reviews held out from
nothing else here; it scores each aspect clause. Writes
$SHOPSCRIBE_BENCH_WORK/insights/{en,zh}/insights.{json,html} and benchmarks/results/insights.json.

    python benchmarks/insights.py     # ~15 min on 2 cores
"""

from __future__ import annotations

import json
import time

from core_loop import DATA, RESULTS, WORK

# set: (file, group by, reviews per group, classifier training reviews)
SETS = {"en": ("sentiment/en-amazon-blitzer.dev.jsonl", "product", None, 1500),
        "zh": ("sentiment/zh-online-shopping.dev.jsonl", "category", 300, 4000)}


def main() -> None:
    from shopscribe.reviews import SentimentConfig, train_sentiment
    from shopscribe.reviews.insights import InsightsConfig, build_insights

    results = {}
    for name, (file, group_by, per_group, max_train) in SETS.items():
        out = WORK / "insights" / name
        started = time.time()
        model = train_sentiment(SentimentConfig(reviews=DATA / file, out=out / "sentiment", encoder="e5",
                                                max_train=max_train))
        result = build_insights(InsightsConfig(reviews=DATA / file, model=out / "sentiment", out=out,
                                               group_by=group_by, max_reviews_per_group=per_group))
        groups = result.groups
        with_aspects = [g for g in groups if g.aspects]
        results[name] = {
            "reviews": result.reviews, "groups": len(groups), "groups_with_aspects": len(with_aspects),
            "mentions": sum(a.mentions for g in groups for a in g.aspects), "masked_spans": result.masked,
            "classifier_heldout": {k: model.metrics.get(k) for k in ("accuracy", "macro_f1", "n")},
            "seconds": round(time.time() - started), "html": str(result.html_path),
            "top_complaints": {g.group: (g.top_complaint().label if g.top_complaint() else None)
                               for g in groups[:12]},
        }
        print(json.dumps(results[name], ensure_ascii=False, indent=2), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "insights.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
