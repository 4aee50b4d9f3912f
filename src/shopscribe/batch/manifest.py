"""The output folder's manifest: which shards are committed, with their row counts and checksums.

A shard is committed atomically: its JSONL and Parquet files are written aside, synced and renamed into
``shards/``, then the manifest (itself written aside and renamed) records them. The manifest is the truth:
a shard file it does not list (a driver killed between the rename and the record) is redone and replaced
by the next run, so every product of the catalog ends up in exactly one committed row."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from shopscribe.errors import GenerationError
from shopscribe.generation.generate import changed_settings

PARQUET_FIELDS = ["id", "locale", "text", "length_chars", "length_status", "attempts", "guard_status", "task",
                  "model", "guard_json", "rerank_json"]


class Manifest:
    def __init__(self, out: Path, data: dict):
        self.out, self.data = out, data

    @property
    def path(self) -> Path:
        return self.out / "manifest.json"

    @property
    def shards(self) -> int:
        return self.data["shards"]

    @property
    def committed(self) -> dict[str, dict]:
        return self.data["committed"]

    @classmethod
    def open(cls, out: Path, settings: dict, *, shards: int, shard_size: int) -> Manifest:
        """The manifest of ``out``, created if new; refuses a folder written with other settings."""
        path = out / "manifest.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            changed = changed_settings(data["settings"], settings)
            if changed and data["committed"]:
                raise GenerationError(f"{out} holds shards written with other settings ({', '.join(changed)} "
                                      f"changed, see {path}); use another --out, or delete the folder to start again")
            if not data["committed"]:  # nothing written yet: the new settings and sharding apply
                data.update(settings=settings, shards=shards, shard_size=shard_size)
        else:
            data = {"version": 1, "settings": settings, "shards": shards, "shard_size": shard_size,
                    "committed": {}, "products": None, "rejected": 0, "complete": False}
        (out / "shards").mkdir(parents=True, exist_ok=True)
        manifest = cls(out, data)
        manifest.save()
        return manifest

    def is_committed(self, shard: int, ids_digest: str) -> bool:
        entry = self.committed.get(_name(shard))
        if entry is None:
            return False
        if entry["ids"] != ids_digest:
            raise GenerationError(f"shard {shard} of {self.out} was committed for other products (the catalog "
                                  "changed since); use another --out for the new catalog")
        return True

    def commit(self, shard: int, ids_digest: str, rows: list[dict], made: dict | None = None) -> bool:
        """Write a shard's rows and record them (with ``made``: the actor's seconds and process); False (nothing
        written) if the shard is already committed."""
        name = _name(shard)
        if name in self.committed:
            return False
        jsonl = self.out / "shards" / f"part-{name}.jsonl"
        parquet = self.out / "shards" / f"part-{name}.parquet"
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
        _write_aside(jsonl, lambda tmp: tmp.write_bytes(body))
        _write_aside(parquet, lambda tmp: pq.write_table(_table(rows), tmp))
        self.committed[name] = {
            "rows": len(rows), "ids": ids_digest,
            "flagged": sum(1 for r in rows if (r.get("guard") or {}).get("status") == "flagged"),
            "jsonl": str(jsonl.relative_to(self.out)), "parquet": str(parquet.relative_to(self.out)),
            "sha256": {"jsonl": hashlib.sha256(body).hexdigest(), "parquet": _sha256(parquet)},
            "committed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **(made or {})}
        self.save()
        return True

    def save(self) -> None:
        text = json.dumps(self.data, ensure_ascii=False, indent=1)
        _write_aside(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def rows(self) -> int:
        return sum(e["rows"] for e in self.committed.values())

    def flagged(self) -> int:
        return sum(e["flagged"] for e in self.committed.values())


def verify(out: Path) -> dict:
    """Re-read every committed shard: row counts and checksums as recorded, and no product twice."""
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    seen: set[str] = set()
    duplicated = bad = 0
    for name, entry in data["committed"].items():
        body = (out / entry["jsonl"]).read_bytes()
        ids = [json.loads(line)["id"] for line in body.splitlines()]
        if (hashlib.sha256(body).hexdigest() != entry["sha256"]["jsonl"] or len(ids) != entry["rows"]
                or _sha256(out / entry["parquet"]) != entry["sha256"]["parquet"]):
            bad += 1
        duplicated += sum(1 for i in ids if i in seen)
        seen.update(ids)
    return {"shards": len(data["committed"]), "rows": len(seen) + duplicated, "products": len(seen),
            "duplicated": duplicated, "damaged_shards": bad, "ids": seen}


def _name(shard: int) -> str:
    return f"{shard:05d}"


def _table(rows: list[dict]) -> pa.Table:
    flat = [{**{k: r.get(k) for k in PARQUET_FIELDS[:6]},
             "guard_status": (r.get("guard") or {}).get("status", "off"), "task": r.get("task"),
             "model": r.get("model"), "guard_json": json.dumps(r.get("guard"), ensure_ascii=False),
             "rerank_json": json.dumps(r.get("rerank"), ensure_ascii=False)} for r in rows]
    schema = pa.schema([(f, pa.int64() if f in ("length_chars", "attempts") else pa.string())
                        for f in PARQUET_FIELDS])
    return pa.Table.from_pylist(flat, schema=schema)


def _write_aside(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
