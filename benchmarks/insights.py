"""Aspect insights on the development review sets: per product (asin) for
en-amazon-blitzer, per category for zh-online-shopping, as HTML pages.

A sentiment classifier (e5 features stacked with the lexicon; 5% of reviews held out to
check it) is trained per set; it scores each aspect clause. Writes
$SHOPSCRIBE_BENCH_WORK/insights/{en,zh}/insights.{json,html} and benchmarks/results/insights.json.

    python benchmarks/insights.py     # ~25 min on 2 cores
    python benchmarks/insights.py --table
"""

from __future__ import annotations

import time

from common import cli
from core_loop import DATA, WORK

# set: (file, group by, reviews per group, classifier training reviews)
SETS = {"en": ("sentiment/en-amazon-blitzer.dev.jsonl", "product", None, 1500),
        "zh": ("sentiment/zh-online-shopping.dev.jsonl", "category", 300, 4000)}


def run_set(name: str) -> dict:
    from shopscribe.reviews import SentimentConfig, train_sentiment
    from shopscribe.reviews.insights import InsightsConfig, build_insights

    file, group_by, per_group, max_train = SETS[name]
    out = WORK / "insights" / name
    started = time.time()
    model = train_sentiment(SentimentConfig(reviews=DATA / file, out=out / "sentiment", encoder="e5",
                                            max_train=max_train, heldout_fraction=0.05))
    result = build_insights(InsightsConfig(reviews=DATA / file, model=out / "sentiment", out=out,
                                           group_by=group_by, max_reviews_per_group=per_group))
    groups = result.groups
    return {
        "reviews": result.reviews, "groups": len(groups), "groups_with_aspects": sum(bool(g.aspects) for g in groups),
        "mentions": sum(a.mentions for g in groups for a in g.aspects), "masked_spans": result.masked,
        "classifier_heldout": {k: model.metrics.get(k) for k in ("accuracy", "macro_f1", "n")},
        "seconds": round(time.time() - started), "html": str(result.html_path),
        "top_complaints": {g.group: (g.top_complaint().label if g.top_complaint() else None) for g in groups[:12]},
    }


def table(results: dict) -> str:
    lines = ["| reviews | grouped by | reviews analysed | groups | groups with aspect mentions | mentions | "
             "masked personal-data spans | page |", "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {SETS[name][0]} | {SETS[name][1]} | {r['reviews']} | {r['groups']} | "
                     f"{r['groups_with_aspects']} | {r['mentions']} | {r['masked_spans']} | `{r['html']}` |")
    return "\n".join(lines)


def main() -> None:
    cli(__doc__, "insights", list(SETS), run_set, table)


if __name__ == "__main__":
    main()
