"""What may support a claim: the product data the model was shown, and the numbers copy states beyond it."""

from __future__ import annotations

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.text import numbers
from shopscribe.tasks.task import Task


def source_text(record: ProductRecord, task: Task) -> str:
    """Everything the model was shown about the product (what may support a claim)."""
    parts = [record.title if task.target_field != "title" else None, record.brand, record.category,
             record.description if task.target_field != "description" else None, *record.bullet_points]
    parts += [f"{k} {v}" for k, vs in record.copy_attributes().items() for v in vs]
    return "\n".join(p for p in parts if p)


def unsupported_numbers(text: str, source: str) -> list[str]:
    supported = set(numbers(source))
    return [n for n in numbers(text) if n not in supported]
