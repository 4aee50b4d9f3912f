"""Leak-free train/dev/test splitting.

Products are grouped by id *and* by their normalised input (the text a task
builds its prompt from): two rows with the same input always land in the same
split, so a model is never scored on an input it was trained on.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

from shopscribe.catalog.record import ProductRecord

_SPACE_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """NFKC, lower case, no whitespace or punctuation: '红色 T恤！' == '红色t恤'."""
    return _SPACE_PUNCT.sub("", unicodedata.normalize("NFKC", text).lower())


def default_input_key(record: ProductRecord) -> str:
    attrs = sorted((k, tuple(sorted(v))) for k, v in record.attributes.items())
    return normalise_text(f"{record.title or ''}|{record.brand or ''}|{attrs}|"
                          f"{record.description if not record.attributes and not record.title else ''}")


def split_records(records: list[ProductRecord], *, dev_fraction: float = 0.1, test_fraction: float = 0.1,
                  seed: int = 0, input_key: Callable[[ProductRecord], str] = default_input_key,
                  ) -> dict[str, list[ProductRecord]]:
    """Split into train/dev/test by hashing groups; same id or same input -> same split."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in records:  # union the id node with the input node
        a, b = find("id:" + r.id), find("in:" + input_key(r))
        if a != b:
            parent[max(a, b)] = min(a, b)
    splits: dict[str, list[ProductRecord]] = {"train": [], "dev": [], "test": []}
    for r in records:
        bucket = _bucket(find("id:" + r.id), seed)
        name = "dev" if bucket < dev_fraction else "test" if bucket < dev_fraction + test_fraction else "train"
        splits[name].append(r)
    return splits


def _bucket(group: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
