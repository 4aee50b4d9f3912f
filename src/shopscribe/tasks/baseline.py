"""Template baselines: deterministic copy built from the product data, no model.

They are the floor a trained model must beat: a sentence per attribute for
``describe``, brand + type + key values for ``title``, the lead sentences for
``summarize``.
"""

from __future__ import annotations

import re

from shopscribe.catalog.record import ProductRecord
from shopscribe.tasks.length import trim_to_limit
from shopscribe.tasks.task import Task


def baseline_text(task: Task, record: ProductRecord, max_chars: int | None = None) -> str:
    limit = task.length(record.locale, max_chars).max_chars
    zh = record.locale.startswith("zh")
    if task.name == "summarize":
        text = record.description or ""
    elif task.name == "title":
        text = _title(record, zh, use_title=task.target_field != "title")
    else:
        text = _describe(record, zh)
    return trim_to_limit(text, limit)


def _describe(record: ProductRecord, zh: bool) -> str:
    attrs = record.attributes
    if zh:
        head = f"这款{record.brand or ''}{_first(attrs, '类型', '品类') or record.category or '商品'}"
        parts = [f"{k}为{'、'.join(v)}" for k, v in attrs.items() if k not in ("类型", "品类")]
        body = "，".join(parts)
        return f"{head}{('，' + body) if body else ''}。" + (f"{record.title}。" if record.title else "")
    head = record.title or " ".join(filter(None, [record.brand, record.category])) or "This product"
    parts = [f"{k.replace('_', ' ')}: {', '.join(v)}" for k, v in attrs.items()]
    return f"{head}." + (f" {'; '.join(parts)}." if parts else "")


def _title(record: ProductRecord, zh: bool, use_title: bool) -> str:
    """Brand + attribute values; a long title is shortened only when it is the input, never the target."""
    if use_title and record.title:
        return record.title
    values = [v for vs in record.attributes.values() for v in vs if not re.fullmatch(r"[\d.%()（）含\-]+", v)]
    sep = "" if zh else " "
    return sep.join(filter(None, [record.brand, *values]))


def _first(attrs: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if attrs.get(key):
            return attrs[key][0]
    return None
