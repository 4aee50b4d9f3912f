"""Reviewed copy as training data. An approval pairs the product with the text as written; an edit pairs it
with the editor's text — the most valuable example, since it is what the model should have written; a
rejection keeps the text and its reason as a negative (for the critic and for preference tuning).

A fixed share of edited products (by a hash of the product id, so a product never moves between splits) is
held out to compare model versions on what reviewers wrote. Copy approved as written is never held out: it
is the old version's own text, which the old version matches by construction (until 2026-12-07 it was, and
the review-loop comparisons on that split favoured the old version: docs/workspace.md)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shopscribe.catalog.loaders import write_jsonl
from shopscribe.catalog.record import ProductRecord

HELD_OUT_SHARE = 0.2


@dataclass
class ReviewData:
    train: list[ProductRecord] = field(default_factory=list)  # product + approved (or edited) text as target
    held_out: list[ProductRecord] = field(default_factory=list)
    negatives: list[dict] = field(default_factory=list)  # id, text, reason, record
    edited: int = 0
    approved: int = 0
    rejected: int = 0

    def summary(self) -> dict:
        return {"train": len(self.train), "held_out": len(self.held_out), "negatives": len(self.negatives),
                "approved": self.approved, "edited": self.edited, "rejected": self.rejected}


def held_out(product_id: str, share: float = HELD_OUT_SHARE) -> bool:
    digest = hashlib.sha256(product_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def review_data(reviews: Iterable[tuple[object, dict]], target_field: str,
                share: float = HELD_OUT_SHARE, train_on_approved: bool = True) -> ReviewData:
    """Training examples from ``(review, product record)`` pairs (``storage.review.reviewed``); a product
    reviewed more than once counts with its latest review. With ``train_on_approved`` false, copy approved
    as written is not trained on: only edits teach (measured worse: docs/workspace.md)."""
    latest: dict[str, tuple[object, dict]] = {}
    for review, record in reviews:
        latest[review.product_id] = (review, record)
    data = ReviewData()
    for review, record in latest.values():
        if review.state == "rejected":
            data.rejected += 1
            data.negatives.append({"id": review.product_id, "text": review.written, "reason": review.reason,
                                   "model_version": review.model_version, "record": record})
            continue
        data.approved += 1
        data.edited += bool(review.edited)
        example = ProductRecord.model_validate({**record, target_field: review.text, "references": []})
        if review.edited and held_out(review.product_id, share):
            # only an edit is a fair target to compare versions on: copy approved as written is the old
            # version's own text, which the old version matches by construction
            data.held_out.append(example)
        elif review.edited or train_on_approved:
            data.train.append(example)
    return data


def write_review_data(data: ReviewData, folder: Path) -> dict[str, Path]:
    """train.jsonl, held_out.jsonl, negatives.jsonl and summary.json in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"train": folder / "train.jsonl", "held_out": folder / "held_out.jsonl",
             "negatives": folder / "negatives.jsonl", "summary": folder / "summary.json"}
    write_jsonl(data.train, paths["train"])
    write_jsonl(data.held_out, paths["held_out"])
    paths["negatives"].write_text("".join(json.dumps(n, ensure_ascii=False) + "\n" for n in data.negatives),
                                  encoding="utf-8")
    paths["summary"].write_text(json.dumps(data.summary(), indent=2), encoding="utf-8")
    return paths
