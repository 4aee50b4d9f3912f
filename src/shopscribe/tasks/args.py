"""TaskArgs: which task a command runs, its templates, tone and length (train, generate, evaluate, serve)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shopscribe.config import BaseConfig


class TaskArgs(BaseConfig):
    name: str = Field("describe", description="Task to learn: describe, title or summarize.")
    template_dir: Path | None = Field(None, description="Folder with tasks.yaml and prompt templates (default: packaged).")
    tone: str | None = Field(None, description="Tone/style written into the prompt (default: the task's).")
    max_chars: int | None = Field(None, gt=0, description="Maximum output length in characters (default: the task's).")
