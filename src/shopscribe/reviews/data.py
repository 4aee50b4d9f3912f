"""Review files: one review per row (.jsonl, .csv, .parquet), validated and PII-masked on load.

Fields: ``text`` (required), ``id``, ``locale`` (en / zh-CN; guessed from the text when
absent), ``label`` (positive / negative, also pos/neg/1/0/正面/负面; required to train),
``category``, ``product_id`` (or ``asin`` / ``sku``), ``product_name``, ``rating``, ``title``.
Personal data in ``text`` and ``title`` is masked before anything else sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from shopscribe.catalog.loaders import LOCALE_ALIASES, OnError, read_rows, write_rejects
from shopscribe.errors import CatalogValidationError, RowProblem
from shopscribe.reviews.pii import mask_pii

LABELS = {"positive": "positive", "pos": "positive", "1": "positive", "正面": "positive", "好评": "positive",
          "negative": "negative", "neg": "negative", "0": "negative", "负面": "negative", "差评": "negative"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_TEXT_CHARS = 100_000


@dataclass
class ReviewRow:
    id: str
    locale: Literal["en", "zh-CN"]
    text: str
    label: str | None = None
    category: str | None = None
    product_id: str | None = None
    product_name: str | None = None
    rating: float | None = None
    title: str | None = None
    masked: dict[str, int] = field(default_factory=dict)

    @property
    def full_text(self) -> str:
        """Title and body, as the classifier reads them."""
        return f"{self.title}. {self.text}" if self.title else self.text


@dataclass
class ReviewSet:
    reviews: list[ReviewRow]
    problems: list[RowProblem]
    rejects_path: Path | None

    @property
    def masked_total(self) -> int:
        return sum(sum(r.masked.values()) for r in self.reviews)


def load_reviews(path: str | Path, *, need_label: bool = False, on_error: OnError = "fail",
                 rejects_path: str | Path | None = None) -> ReviewSet:
    path = Path(path)
    reviews, problems, bad_rows, seen = [], [], {}, {}
    for row_no, raw, row_problems in read_rows(path):
        review = None
        if not row_problems:
            review, row_problems = _to_review(str(path), row_no, raw, need_label)
        if review is not None and review.id in seen:
            row_problems = [RowProblem(str(path), row_no, "id", f"duplicate id, first seen at row {seen[review.id]}",
                                       review.id)]
        if row_problems:
            problems += row_problems
            bad_rows[row_no] = _masked_row(raw)
            continue
        seen[review.id] = row_no
        reviews.append(review)
    if problems and on_error == "fail":
        raise CatalogValidationError(problems)
    written = write_rejects(path, problems, bad_rows, rejects_path) if problems else None
    return ReviewSet(reviews, problems, written)


def _to_review(file: str, row_no: int, raw: dict, need_label: bool) -> tuple[ReviewRow | None, list[RowProblem]]:
    rid = str(raw.get("id") or raw.get("review_id") or f"row-{row_no}")

    def problem(name: str, reason: str) -> RowProblem:
        return RowProblem(file, row_no, name, reason, rid)

    text = raw.get("text", raw.get("review"))
    if not isinstance(text, str) or not text.strip():
        return None, [problem("text", "missing or empty review text")]
    if len(text) > MAX_TEXT_CHARS:
        return None, [problem("text", f"{len(text)} characters, more than the {MAX_TEXT_CHARS} allowed")]
    locale = LOCALE_ALIASES.get(str(raw.get("locale", "")).lower(), raw.get("locale"))
    if locale in (None, ""):
        locale = "zh-CN" if _CJK.search(text) else "en"
    if locale not in ("en", "zh-CN"):
        return None, [problem("locale", f"unsupported locale {raw.get('locale')!r}; use en or zh-CN")]
    label = raw.get("label")
    if label is not None and str(label).strip().lower() not in LABELS:
        return None, [problem("label", f"unknown label {label!r}; use positive or negative")]
    if need_label and label is None:
        return None, [problem("label", "missing label (positive or negative); needed for training")]
    rating = raw.get("rating")
    try:
        rating = float(rating) if rating not in (None, "") else None
    except (TypeError, ValueError):
        return None, [problem("rating", f"not a number: {rating!r}")]
    masked_text, counts = mask_pii(text.strip())
    title = raw.get("title")
    if isinstance(title, str) and title.strip():
        title, title_counts = mask_pii(title.strip())
        for k, v in title_counts.items():
            counts[k] = counts.get(k, 0) + v
    else:
        title = None
    product = raw.get("product_id", raw.get("asin", raw.get("sku")))
    return ReviewRow(rid, locale, masked_text, LABELS[str(label).strip().lower()] if label is not None else None,
                     raw.get("category"), str(product) if product not in (None, "") else None,
                     raw.get("product_name"), rating, title, counts), []


def _masked_row(raw) -> dict:
    """A rejected row as written to the rejects file: its text fields masked too."""
    if not isinstance(raw, dict):
        return {"raw": mask_pii(str(raw))[0]}
    return {k: mask_pii(v)[0] if isinstance(v, str) else v for k, v in raw.items()}


def review_from_dict(raw: dict, *, source: str = "request", row: int = 1) -> tuple[ReviewRow | None, list[RowProblem]]:
    """One review from a dict (``text``, optional ``title``, ``product_id``, ``category``, ``label``), personal
    data masked, or the problems naming each field."""
    return _to_review(source, row, raw, need_label=False)
