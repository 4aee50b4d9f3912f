"""Find the last complete checkpoint; a run killed mid-save leaves an incomplete one."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")


def is_complete(folder: Path) -> bool:
    """Trainer writes trainer_state.json last; a checkpoint without a readable one is incomplete."""
    state = folder / "trainer_state.json"
    try:
        json.loads(state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(folder.glob("*.safetensors")) and (folder / "optimizer.pt").is_file()


def last_complete_checkpoint(folder: Path, *, remove_incomplete: bool = True) -> Path | None:
    """Return the newest complete ``checkpoint-N`` in ``folder``; delete incomplete ones."""
    if not folder.is_dir():
        return None
    found = sorted(((int(m.group(1)), p) for p in folder.iterdir() if (m := _CHECKPOINT.match(p.name))),
                   reverse=True)
    for _, path in found:
        if is_complete(path):
            return path
        if remove_incomplete:
            shutil.rmtree(path, ignore_errors=True)
    return None
