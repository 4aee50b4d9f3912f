"""Products to shards: a catalog file or a folder of them, read with row-level rejects; each product assigned
to a shard by a hash of its id, so the same catalog always gives the same shards."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import CatalogError

CATALOG_SUFFIXES = (".jsonl", ".ndjson", ".json", ".csv", ".parquet", ".pq")


@dataclass
class Catalog:
    records: list[ProductRecord]
    files: list[Path]
    rejected: int = 0
    rejects: list[Path] = field(default_factory=list)


def catalog_files(path: Path) -> list[Path]:
    """A catalog file, or every catalog file of a folder (sorted by name)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise CatalogError(f"catalog not found: {path}")
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in CATALOG_SUFFIXES)
    if not files:
        raise CatalogError(f"{path}: no catalog files ({', '.join(CATALOG_SUFFIXES)}) in this folder")
    return files


def read_catalog(path: Path, rejects_dir: Path, *, on_error: str, required_fields: tuple[str, ...],
                 limit: int | None = None) -> Catalog:
    """Every valid product of ``path``; bad rows go to ``rejects_dir/<file>.rejects.jsonl`` (or fail). A
    product id found in two files is an error: exactly-once output needs one row per id."""
    files = catalog_files(path)
    catalog = Catalog([], files)
    first_file: dict[str, Path] = {}
    for file in files:
        loaded = load_catalog(file, on_error=on_error, rejects_path=rejects_dir / f"{file.name}.rejects.jsonl",
                              required_fields=required_fields)
        for record in loaded.records:
            if record.id in first_file:
                raise CatalogError(f"{file}: product id '{record.id}' is also in {first_file[record.id]}; "
                                   "every product needs its own id")
            first_file[record.id] = file
        catalog.records.extend(loaded.records)
        if loaded.problems:
            catalog.rejected += len(loaded.problems)
            catalog.rejects.append(loaded.rejects_path)
    if limit:
        catalog.records = catalog.records[:limit]
    return catalog


def shard_count(products: int, shard_size: int) -> int:
    return max(1, math.ceil(products / shard_size))


def shard_of(product_id: str, shards: int) -> int:
    digest = hashlib.sha256(product_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def assign(records: list[ProductRecord], shards: int) -> dict[int, list[ProductRecord]]:
    """Products by shard, each shard in catalog order."""
    out: dict[int, list[ProductRecord]] = {}
    for record in records:
        out.setdefault(shard_of(record.id, shards), []).append(record)
    return dict(sorted(out.items()))


def ids_digest(records: list[ProductRecord]) -> str:
    """What a shard holds: a rerun whose catalog put other products in a committed shard must not skip it."""
    return hashlib.sha256("\n".join(sorted(r.id for r in records)).encode("utf-8")).hexdigest()[:16]
