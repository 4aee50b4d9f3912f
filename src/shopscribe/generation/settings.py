"""What decides the generated text, recorded beside a resumable output: a rerun with other settings must not
add to the same file (`generate` and `batch`)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from shopscribe.errors import GenerationError
from shopscribe.generation.config import CopyOptions
from shopscribe.tasks.task import Task


def generation_settings(model: str, fingerprint: str, options: CopyOptions, task: Task, output_vocab: str) -> dict:
    """What decides the generated text of ``model`` (``fingerprint``: its weight files) under ``options``."""
    task_key = hashlib.sha256(json.dumps([task.name, task.templates, {k: vars(v) for k, v in task.lengths.items()},
                                          task.must_keep, task.mention_boost], sort_keys=True, ensure_ascii=False).encode()
                              ).hexdigest()[:16]
    return {"model": str(model), "model_files": fingerprint, "task": task.name, "templates": task_key,
            **json.loads(options.model_dump_json(include={"decoding", "length", "rerank", "guard", "keywords",
                                                           "rule_dirs", "task", "strict_compliance"})),
            "output_vocab": output_vocab}


def settings_path(progress: Path) -> Path:
    return progress.with_name(progress.name + ".settings.json")


def changed_settings(saved: dict, settings: dict) -> list[str]:
    """The settings that differ; one added since ``saved`` was written counts as unchanged while it keeps its
    default (off)."""
    return sorted(k for k in set(saved) | set(settings) if saved.get(k) != settings.get(k)
                  and not (k not in saved and settings.get(k) in (False, None)))


def check_settings(progress: Path, settings: dict, has_rows: bool) -> None:
    """Refuse to resume a progress file written with other settings; record them for the next run."""
    saved_path = settings_path(progress)
    if has_rows and saved_path.is_file():
        changed = changed_settings(json.loads(saved_path.read_text(encoding="utf-8")), settings)
        if changed:
            raise GenerationError(f"{progress} was written with other settings ({', '.join(changed)} changed, "
                                  f"see {saved_path}); use another --out, or delete both files to start again")
    saved_path.write_text(json.dumps(settings, ensure_ascii=False, indent=2), encoding="utf-8")
