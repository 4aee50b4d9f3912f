"""The output folder's manifest: which shards are committed, with their row counts and checksums.

``manifest.json`` holds the settings, the sharding and the totals (written aside and renamed, at the start
and the end of a run); ``commits.jsonl`` gets one line per committed shard, appended and synced, so a
commit costs the same at the millionth product as at the first. A shard is committed atomically: its JSONL
and Parquet files are written aside, synced and renamed into ``shards/``, then its line is appended. The
log is the truth: a shard file it does not list (a driver killed between the rename and the line), or a
line cut short by a crash, is redone and replaced by the next run, so every product of the catalog ends
up in exactly one committed row."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from shopscribe.appendlog import read_intact
from shopscribe.errors import GenerationError
from shopscribe.generation.settings import changed_settings

PARQUET_FIELDS = ["id", "locale", "text", "length_chars", "length_status", "attempts", "guard_status", "task",
                  "model", "guard_json", "rerank_json"]


class Manifest:
    def __init__(self, out: Path, data: dict):
        self.out, self.data = out, data
        self.committed: dict[str, dict] = {}

    @property
    def path(self) -> Path:
        return self.out / "manifest.json"

    @property
    def shards(self) -> int:
        return self.data["shards"]

    @property
    def log(self) -> Path:
        return self.out / "commits.jsonl"

    @classmethod
    def open(cls, out: Path, settings: dict, *, shards: int, shard_size: int) -> Manifest:
        """The manifest of ``out``, created if new; refuses a folder written with other settings."""
        path = out / "manifest.json"
        committed = read_commits(out / "commits.jsonl")
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            changed = changed_settings(data["settings"], settings)
            if changed and committed:
                raise GenerationError(f"{out} holds shards written with other settings ({', '.join(changed)} "
                                      f"changed, see {path}); use another --out, or delete the folder to start again")
            if not committed:  # nothing written yet: the new settings and sharding apply
                data.update(settings=settings, shards=shards, shard_size=shard_size)
        else:
            data = {"version": 1, "settings": settings, "shards": shards, "shard_size": shard_size,
                    "products": None, "rejected": 0, "complete": False}
        (out / "shards").mkdir(parents=True, exist_ok=True)
        manifest = cls(out, data)
        manifest.committed = committed
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
        entry = {
            "shard": name, "rows": len(rows), "ids": ids_digest,
            "flagged": sum(1 for r in rows if (r.get("guard") or {}).get("status") == "flagged"),
            "jsonl": str(jsonl.relative_to(self.out)), "parquet": str(parquet.relative_to(self.out)),
            "sha256": {"jsonl": hashlib.sha256(body).hexdigest(), "parquet": _sha256(parquet)},
            "committed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **(made or {})}
        with self.log.open("ab") as fh:
            fh.write((json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        self.committed[name] = entry
        return True

    def save(self) -> None:
        """The settings and totals (the commits are in the log)."""
        self.data.update(committed_shards=len(self.committed), committed_rows=self.rows(), flagged=self.flagged())
        text = json.dumps(self.data, ensure_ascii=False, indent=1)
        _write_aside(self.path, lambda tmp: tmp.write_text(text, encoding="utf-8"))

    def rows(self) -> int:
        return sum(e["rows"] for e in self.committed.values())

    def flagged(self) -> int:
        return sum(e["flagged"] for e in self.committed.values())


def read_commits(log: Path) -> dict[str, dict]:
    """The committed shards of a commit log; a line cut short by a crash is cut off the file (its shard is
    redone)."""
    return {entry["shard"]: entry for entry in read_intact(log)}


def verify(out: Path) -> dict:
    """Re-read every committed shard: row counts and checksums as recorded, and no product twice."""
    seen: set[str] = set()
    duplicated = bad = 0
    committed = read_commits(out / "commits.jsonl")
    for entry in committed.values():
        body = (out / entry["jsonl"]).read_bytes()
        ids = [json.loads(line)["id"] for line in body.splitlines()]
        if (hashlib.sha256(body).hexdigest() != entry["sha256"]["jsonl"] or len(ids) != entry["rows"]
                or _sha256(out / entry["parquet"]) != entry["sha256"]["parquet"]):
            bad += 1
        duplicated += sum(1 for i in ids if i in seen)
        seen.update(ids)
    return {"shards": len(committed), "rows": len(seen) + duplicated, "products": len(seen),
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
