"""`shopscribe insights`: review sentiment and aspect insights per product or category,
written as JSON and as one HTML page. Personal data is masked when the reviews load."""

from __future__ import annotations

import html
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from shopscribe.config import BaseConfig
from shopscribe.evaluation.report import html_page
from shopscribe.reviews.aspects import GroupInsights, find_mentions, summarise
from shopscribe.reviews.data import load_reviews
from shopscribe.reviews.sentiment import SentimentModel

Progress = Callable[[int, int], None]


class InsightsConfig(BaseConfig):
    """`shopscribe insights --reviews FILE --model DIR --out DIR [key=value ...]`"""

    reviews: Path = Field(description="Reviews (.jsonl/.csv/.parquet): text, and product_id/asin or category.")
    model: Path = Field(description="Sentiment classifier folder from `shopscribe sentiment train`.")
    out: Path = Field(description="Folder for insights.json and insights.html.")
    group_by: Literal["product", "category"] = Field("product", description="One insight block per product or category.")
    aspects: Path | None = Field(None, description="Own aspects.yaml (default: the packaged one).")
    max_reviews_per_group: int | None = Field(None, gt=0, description="Sample at most N reviews per group.")
    html_groups: int = Field(60, gt=0, description="Groups shown in the HTML page (most reviewed first).")
    on_error: Literal["fail", "skip"] = "fail"
    seed: int = 0


@dataclass
class InsightsResult:
    groups: list[GroupInsights]
    reviews: int
    masked: int
    json_path: Path
    html_path: Path


def build_insights(cfg: InsightsConfig, log: Callable[[str], None] = print,
                   progress: Progress | None = None) -> InsightsResult:
    loaded = load_reviews(cfg.reviews, on_error=cfg.on_error, rejects_path=cfg.out / "rejects.jsonl")
    reviews = _sample(loaded.reviews, cfg)
    log(f"{len(reviews)} reviews ({loaded.masked_total} personal-data spans masked, "
        f"{len(loaded.problems)} bad rows)")
    model = SentimentModel.load(cfg.model)
    groups, positive = review_insights(reviews, model, cfg.group_by, str(cfg.aspects) if cfg.aspects else None,
                                       progress)
    cfg.out.mkdir(parents=True, exist_ok=True)
    payload = {"reviews": str(cfg.reviews), "group_by": cfg.group_by, "masked_spans": loaded.masked_total,
               "groups": [{**asdict(g), "positive_reviews": positive[g.group]} for g in groups]}
    json_path, html_path = cfg.out / "insights.json", cfg.out / "insights.html"
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    html_path.write_text(insights_html(groups[: cfg.html_groups], positive, cfg), encoding="utf-8")
    return InsightsResult(groups, len(reviews), loaded.masked_total, json_path, html_path)


def review_insights(reviews: list, model: SentimentModel, group_by: str = "product", aspects: str | None = None,
                    progress: Progress | None = None) -> tuple[list[GroupInsights], Counter]:
    """Aspect insights per product or category, and the positive reviews per group."""
    unlabelled = [r for r in reviews if r.label is None]  # a review's own label wins over the model
    review_p = {r.id: 1.0 if r.label == "positive" else 0.0 for r in reviews if r.label is not None}
    review_p.update(zip([r.id for r in unlabelled], model.predict(unlabelled, progress).tolist()))
    mentions = find_mentions(reviews, lambda texts: _score_clauses(model, texts, progress), review_p, aspects)
    groups = summarise(reviews, mentions, group_by, aspects)
    return groups, Counter(_key(r, group_by) for r in reviews if review_p[r.id] >= 0.5)


def _score_clauses(model: SentimentModel, texts: list[str], progress: Progress | None = None):
    from shopscribe.reviews.data import ReviewRow

    def locale(text: str) -> str:
        return "zh-CN" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"
    return model.predict([ReviewRow(f"clause-{i}", locale(t), t) for i, t in enumerate(texts)], progress)


def _key(review, group_by: str) -> str:
    return (review.product_id or review.id) if group_by == "product" else (review.category or "-")


def _sample(reviews, cfg: InsightsConfig):
    if not cfg.max_reviews_per_group:
        return reviews
    groups: dict[str, list] = {}
    for r in reviews:
        groups.setdefault(_key(r, cfg.group_by), []).append(r)
    rng = random.Random(cfg.seed)
    keep = {r.id for rows in groups.values()
            for r in (rows if len(rows) <= cfg.max_reviews_per_group else rng.sample(rows, cfg.max_reviews_per_group))}
    return [r for r in reviews if r.id in keep]


def insights_html(groups: list[GroupInsights], positive: dict[str, int], cfg: InsightsConfig) -> str:
    blocks = []
    for g in groups:
        rows = "".join(
            f"<tr><td>{html.escape(a.label)}</td><td>{a.mentions}</td><td>{a.positive}</td><td>{a.negative}</td>"
            f"<td>{a.share_negative:.0%}</td><td>{_list(a.praise)}</td><td>{_list(a.complaints)}</td></tr>"
            for a in g.aspects)
        top = g.top_complaint()
        head = (f"<h2>{html.escape(g.name or g.group)}</h2><p>{g.reviews} review(s), {positive[g.group]} positive"
                f"{' · top complaint: <b>' + html.escape(top.label) + '</b>' if top else ''}</p>")
        table = ("<table><tr><th>aspect</th><th>mentions</th><th>praise</th><th>complaints</th><th>negative share</th>"
                 f"<th>customers praise</th><th>customers complain</th></tr>{rows}</table>") if rows else \
            "<p>No aspect mentioned.</p>"
        blocks.append(head + table)
    intro = (f"<p>Source: {html.escape(str(cfg.reviews))}; grouped by {cfg.group_by}. Phone numbers, e-mail addresses, "
             "order numbers and @names are masked before analysis.</p>")
    return html_page("ShopScribe review insights", intro + "".join(blocks))


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(q)}</li>" for q in items) + "</ul>" if items else ""
