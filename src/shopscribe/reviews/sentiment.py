"""Review sentiment: a logistic-regression head over multilingual sentence embeddings,
trained on the catalog's own labelled reviews (positive / negative, with a confidence),
stacked with the language's lexicon baseline (SnowNLP / VADER) by default.

`shopscribe sentiment train` fits it; `shopscribe sentiment score` labels a review file
(resumable: results are appended in chunks and a rerun skips reviews already scored).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field

from shopscribe.appendlog import read_done
from shopscribe.config import BaseConfig
from shopscribe.embeddings import load_encoder
from shopscribe.errors import ShopScribeError
from shopscribe.linear import LinearHead
from shopscribe.reviews.data import ReviewRow, load_reviews
from shopscribe.reviews.lexicon import lexicon_predict

STEM, STACK_STEM = "sentiment", "sentiment_stack"
Progress = Callable[[int, int], None]


class SentimentConfig(BaseConfig):
    """`shopscribe sentiment train --reviews FILE --out DIR [key=value ...]`"""

    reviews: Path = Field(description="Labelled reviews (.jsonl/.csv/.parquet with text and label).")
    out: Path = Field(description="Folder for the classifier.")
    encoder: str = Field("e5+use", description="Sentence encoder(s): e5, use, or e5+use (features concatenated).")
    heldout_fraction: float = Field(0.2, ge=0, lt=1, description="Share held out (by product or text) to report "
                                                                 "accuracy on; 0 = train on everything.")
    max_train: int | None = Field(None, gt=0, description="Cap on training reviews (a random sample).")
    c: float | None = Field(None, gt=0, description="Inverse L2 regularisation strength; null = chosen by 5-fold "
                                                    "cross-validation on the training reviews.")
    lexicon: bool = Field(True, description="Stack the lexicon baseline (SnowNLP / VADER) with the embedding "
                                            "classifier: a second logistic regression over both scores, fitted on "
                                            "5-fold out-of-fold predictions.")
    max_chars: int = Field(1200, gt=0, description="Characters of each review the classifier reads (head of the "
                                                   "title + text; longer reviews are cut, the tail kept too).")
    on_error: Literal["fail", "skip"] = "fail"
    seed: int = 0


class SentimentModel:
    def __init__(self, head: LinearHead, stack: LinearHead | None = None):
        self.head = head
        self.stack = stack  # over [logit P(positive) of the head, logit of the lexicon score]

    def predict(self, reviews: list[ReviewRow], progress: Progress | None = None) -> np.ndarray:
        """P(positive) per review."""
        limit = self.head.info.get("max_chars", 1200)
        p = self.head.proba(load_encoder(self.head.encoder).encode([clip(r.full_text, limit) for r in reviews],
                                                                   progress=progress))
        return self.stacked(p, lexicon_predict(reviews)) if self.stack is not None else p

    def stacked(self, p_head: np.ndarray, p_lexicon: np.ndarray) -> np.ndarray:
        return self.stack.proba(np.c_[logit(p_head), logit(p_lexicon)])

    def save(self, folder: Path) -> None:
        self.head.save(Path(folder), STEM)
        if self.stack is not None:
            self.stack.save(Path(folder), STACK_STEM)

    @classmethod
    def load(cls, folder: Path) -> SentimentModel:
        head = LinearHead.load(folder, STEM, "train one with `shopscribe sentiment train`")
        stacked = (Path(folder) / f"{STACK_STEM}.json").is_file()
        return cls(head, LinearHead.load(folder, STACK_STEM, "retrain the classifier") if stacked else None)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def fit_stack(x: np.ndarray, y: np.ndarray, head: LinearHead, p_lexicon: np.ndarray, seed: int = 0) -> LinearHead:
    """Second-level model over the head's out-of-fold scores and the lexicon's scores."""
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for fit_idx, held_idx in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
        oof[held_idx] = LinearHead.fit(x[fit_idx], y[fit_idx], head.encoder, c=head.info["c"]).proba(x[held_idx])
    return LinearHead.fit(np.c_[logit(oof), logit(p_lexicon)], y, "stack", c=1.0,
                          info={"features": ["embedding classifier", "lexicon"]})


@dataclass
class SentimentTrainResult:
    model: SentimentModel
    metrics: dict  # on the held-out reviews, overall and per category


def clip(text: str, max_chars: int) -> str:
    """Long reviews: the first two thirds of the budget from the head, the rest from the tail
    (reviewers often sum up at the end)."""
    if len(text) <= max_chars:
        return text
    head = max_chars * 2 // 3
    return text[:head] + " … " + text[-(max_chars - head):]


def heldout_split(reviews: list[ReviewRow], fraction: float, seed: int = 0) -> tuple[list[ReviewRow], list[ReviewRow]]:
    """Split by product (or, without one, by normalised text): no product or duplicate text on both sides."""
    def held(r: ReviewRow) -> bool:
        key = r.product_id or " ".join(r.text.lower().split())
        return int(hashlib.sha1(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction
    flags = [held(r) for r in reviews]
    return [r for r, f in zip(reviews, flags) if not f], [r for r, f in zip(reviews, flags) if f]


def train_sentiment(cfg: SentimentConfig, log: Callable[[str], None] = print,
                    progress: Progress | None = None) -> SentimentTrainResult:
    loaded = load_reviews(cfg.reviews, need_label=True, on_error=cfg.on_error,
                          rejects_path=cfg.out / "rejects.jsonl")
    train, held = heldout_split(loaded.reviews, cfg.heldout_fraction, cfg.seed)
    if cfg.max_train and len(train) > cfg.max_train:
        train = [train[i] for i in sorted(np.random.default_rng(cfg.seed).choice(len(train), cfg.max_train,
                                                                                replace=False))]
    labels = {r.label for r in train}
    if labels != {"positive", "negative"}:
        raise ShopScribeError(f"{cfg.reviews}: training needs both positive and negative reviews, found {labels}")
    log(f"sentiment: {len(train)} training reviews, {len(held)} held out; {loaded.masked_total} personal-data "
        f"spans masked; {len(loaded.problems)} bad rows" + (f" → {loaded.rejects_path}" if loaded.problems else ""))
    x = load_encoder(cfg.encoder).encode([clip(r.full_text, cfg.max_chars) for r in train], progress=progress)
    y = np.array([r.label == "positive" for r in train], dtype=int)
    head = LinearHead.fit(x, y, cfg.encoder, cfg.c,
                          {"train_reviews": len(train), "source": str(cfg.reviews), "max_chars": cfg.max_chars})
    stack = None
    if cfg.lexicon and np.bincount(y).min() >= 10:
        log("sentiment: scoring the training reviews with the lexicon baseline for stacking")
        stack = fit_stack(x, y, head, lexicon_predict(train), cfg.seed)
    model = SentimentModel(head, stack)
    metrics = classification_metrics(held, model.predict(held, progress)) if held else {}
    head.info["heldout"] = metrics
    model.save(cfg.out)
    return SentimentTrainResult(model, metrics)


def classification_metrics(reviews: list[ReviewRow], p_positive: np.ndarray) -> dict:
    """Accuracy and macro-F1, overall and per category."""
    from sklearn.metrics import accuracy_score, f1_score

    gold = np.array([r.label == "positive" for r in reviews])
    pred = np.asarray(p_positive) >= 0.5

    def scores(mask) -> dict:
        return {"n": int(mask.sum()), "accuracy": float(accuracy_score(gold[mask], pred[mask])),
                "macro_f1": float(f1_score(gold[mask], pred[mask], average="macro", labels=[False, True],
                                           zero_division=0))}
    cats = np.array([r.category or "-" for r in reviews])
    return {**scores(np.ones(len(reviews), dtype=bool)),
            "per_category": {c: scores(cats == c) for c in sorted(set(cats))}}


@dataclass
class ScoreResult:
    out: Path
    scored: int
    skipped_done: int
    metrics: dict | None  # when the file carries labels


def score_reviews(model_dir: Path, reviews_path: Path, out: Path, *, on_error: str = "fail", chunk: int = 512,
                  log: Callable[[str], None] = print, progress: Progress | None = None) -> ScoreResult:
    """Label every review; JSONL rows ``id, label, confidence, p_positive``; resumable."""
    model = SentimentModel.load(model_dir)
    loaded = load_reviews(reviews_path, on_error=on_error, rejects_path=out.with_name(out.stem + ".rejects.jsonl"))
    out.parent.mkdir(parents=True, exist_ok=True)
    done = read_done(out)
    todo = [r for r in loaded.reviews if r.id not in done]
    log(f"{len(loaded.reviews)} reviews: {len(done)} already scored, {len(todo)} to score")
    with out.open("a", encoding="utf-8") as fh:
        for start in range(0, len(todo), chunk):
            batch = todo[start: start + chunk]
            for r, p in zip(batch, model.predict(batch)):
                label = "positive" if p >= 0.5 else "negative"
                fh.write(json.dumps({"id": r.id, "label": label, "confidence": round(float(max(p, 1 - p)), 4),
                                     "p_positive": round(float(p), 4), "gold": r.label, "category": r.category,
                                     "product_id": r.product_id}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            if progress:
                progress(min(start + chunk, len(todo)), len(todo))
    rows = read_done(out)
    labelled = [r for r in loaded.reviews if r.label is not None]
    metrics = classification_metrics(labelled, np.array([rows[r.id]["p_positive"] for r in labelled])) \
        if labelled else None
    return ScoreResult(out, len(todo), len(done), metrics)
