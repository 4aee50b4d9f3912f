"""Faithful training targets: human copy that states numbers the product data does not hold
("Warranty: 3 months" on a product whose data names no warranty) teaches a model to invent
them. With ``data.faithful_targets`` such references are left out of training and dev
(never out of the test split), and every one left out is listed with its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.metrics import source_text, unsupported_numbers
from shopscribe.tasks.task import Task


@dataclass
class FaithfulSplit:
    records: list[ProductRecord]
    dropped: list[dict] = field(default_factory=list)  # one row per product that lost a reference


def keep_faithful_targets(records: list[ProductRecord], task: Task) -> FaithfulSplit:
    """Keep each product's references whose numbers its data supports; a product with none left is dropped."""
    result = FaithfulSplit(records=[])
    for record in records:
        source = source_text(record, task)
        refs = task.references(record)
        unsupported = [unsupported_numbers(ref, source) for ref in refs]
        good = [ref for ref, numbers in zip(refs, unsupported) if not numbers]
        if len(good) < len(refs):
            result.dropped.append({
                "id": record.id, "references": len(refs), "references_kept": len(good),
                "unsupported_numbers": sorted({n for numbers in unsupported for n in numbers}),
                "reason": "the human copy states numbers the product data does not hold"
                          + ("" if good else "; no reference left, product not trained on"),
            })
        if good:
            result.records.append(record.model_copy(update={task.target_field: good[0], "references": good[1:]}))
    return result
