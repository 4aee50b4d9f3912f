"""Faithful training targets: human copy that states numbers the product data does not hold
("Warranty: 3 months" on a product whose data names no warranty) teaches a model to invent
them. With ``data.faithful_targets`` such references are left out of training and dev
(never out of the test split), and every one left out is listed with its numbers.

Clause cleaning (``data.clean_clauses``) goes further: the clauses of a reference that state
a detail the product data does not hold (a collar, a pocket, scent notes, a brand history)
are cut from the target; a product left with nothing is not trained on; every cut is listed.
``auto`` turns it on where a catalog's references carry far more detail than its data: when
at least ``DETAIL_SHARE_AUTO`` of the training references hold such a detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.faithfulness import check_faithfulness, cut_clauses, is_invented
from shopscribe.quality.families import FamilySet
from shopscribe.quality.evidence import source_text, unsupported_numbers
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


DETAIL_SHARE_AUTO = 0.75


def invented_detail_share(records: list[ProductRecord], task: Task, families: FamilySet) -> float:
    """Share of the references that state at least one detail their product's data does not hold."""
    refs = [(r, ref) for r in records for ref in task.references(r)]
    bad = sum(any(is_invented(c) for c in check_faithfulness(ref, r, exclude_field=task.target_field,
                                                               families=families).claims) for r, ref in refs)
    return bad / len(refs) if refs else 0.0


def cut_unfaithful_clauses(records: list[ProductRecord], task: Task, families: FamilySet) -> FaithfulSplit:
    """Each reference without the clauses that state details the data does not hold; references left
    empty are dropped, and a product with none left is not trained on. Every cut is listed."""
    result = FaithfulSplit(records=[])
    for record in records:
        kept, cuts = [], []
        for ref in task.references(record):
            claims = check_faithfulness(ref, record, exclude_field=task.target_field, families=families).claims
            bad = [c for c in claims if is_invented(c)]
            protected = tuple(record.brand_spellings())
            cleaned, _ = cut_clauses(ref, [(c.start, c.end) for c in bad], protected) if bad else (ref, 0)
            if bad:
                cuts.append({"claims": [f"{c.text} ({c.status})" for c in bad], "kept": cleaned})
            if cleaned.strip():
                kept.append(cleaned)
        if cuts:
            result.dropped.append({"id": record.id, "references": len(task.references(record)),
                                   "references_kept": len(kept), "cuts": cuts,
                                   "reason": "clauses stating details the product data does not hold were cut"
                                             + ("" if kept else "; nothing left, product not trained on")})
        if kept:
            result.records.append(record.model_copy(update={task.target_field: kept[0], "references": kept[1:]}))
    return result
