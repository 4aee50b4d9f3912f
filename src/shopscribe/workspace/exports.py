"""A job's approved copy, read in pages, as ``catalog.shop_export`` writes it (JSONL, CSV, Shopify,
Merchant Center)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from shopscribe.catalog.shop_export import ApprovedCopy, export_lines
from shopscribe.storage import review as store
from shopscribe.storage.database import Database


def approved_copy(db: Database, job_id: str, task: str) -> Iterator[ApprovedCopy]:
    for review, _record in store.approved(db, job_id):
        yield ApprovedCopy(review.product_id, task, review.text or "", review.locale, review.edited, review.reviewer,
                           review.model_version)


def export_file(db: Database, job_id: str, task: str, fmt: str, path: Path) -> int:
    """Write the job's approved copy to ``path``; returns how many products it holds."""
    rows = list(approved_copy(db, job_id, task))
    with path.open("w", encoding="utf-8", newline="") as fh:
        for chunk in export_lines(rows, fmt):
            fh.write(chunk)
    return len(rows)
