"""JSONL files written by appending one line per record and syncing: what a crash leaves is read back."""

from __future__ import annotations

import json
from pathlib import Path


def read_intact(path: Path) -> list[dict]:
    """The records of ``path`` up to the first torn or unreadable line (a process killed mid-write); that
    line and anything after it are cut off the file, so the next append starts clean."""
    rows: list[dict] = []
    if not path.is_file():
        return rows
    good_bytes = 0
    with path.open("rb") as fh:
        for line in fh:
            try:
                row = json.loads(line)
            except ValueError:
                break
            if not line.endswith(b"\n"):
                break
            rows.append(row)
            good_bytes += len(line)
    if good_bytes != path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good_bytes)
    return rows


def read_done(path: Path) -> dict[str, dict]:
    """Rows already written, by id; a torn last line (killed mid-write) is cut off the file. What a rerun of
    `generate`, `optimize`, `sentiment` or `batch` skips."""
    return {row["id"]: row for row in read_intact(path)}
