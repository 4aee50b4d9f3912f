"""Copy written elsewhere (an output file of `shopscribe generate` or `batch`, or text from another tool)
brought into the workspace as a finished job. Each text is checked again by the guard of the named model
on the product's data — a file's own verdicts are not trusted."""

from __future__ import annotations

from dataclasses import asdict

from shopscribe.catalog.conflicts import find_conflicts
from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import CatalogError
from shopscribe.quality.guard import GuardReport, PublishingGuard
from shopscribe.tasks.length import enforce_length


def checked_results(records: list[ProductRecord], texts: dict[str, str], guard: PublishingGuard, task: str,
                    model_version: str, max_chars: int | None = None) -> list[tuple[ProductRecord, dict]]:
    """(record, output row) for each product, its text judged by ``guard``; a product without a text is an
    error naming it (nothing is silently dropped)."""
    missing = [r.id for r in records if r.id not in texts]
    if missing:
        raise CatalogError(f"{len(missing)} product(s) have no text in the outputs file, e.g. {missing[:5]}")
    out = []
    for record in records:
        text = texts[record.id]
        verdict = guard.verdict(text, record)
        report = GuardReport(verdict.status, violations=verdict.violations, contradicted=verdict.contradicted,
                             unsupported=verdict.unsupported, missing_terms=verdict.missing_terms,
                             sentences=verdict.sentences,
                             quality=[{k: q[k] for k in ("kind", "text", "start", "end", "reason")}
                                      for q in verdict.quality],
                             data_conflicts=[c.as_dict() for c in find_conflicts(record)])
        policy = guard.task.length(record.locale, max_chars)
        out.append((record, {"task": task, "model": model_version, "id": record.id, "locale": record.locale,
                             "text": text, "length_chars": len(text),
                             "length_status": enforce_length(text, policy).status, "attempts": 0,
                             "guard": asdict(report), "rerank": None}))
    return out
