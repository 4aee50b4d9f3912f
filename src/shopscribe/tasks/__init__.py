"""Tasks: describe, title, summarize — prompt templates, target fields, length policies."""

from shopscribe.tasks.baseline import baseline_text
from shopscribe.tasks.length import LengthCheck, enforce_length, trim_to_limit
from shopscribe.tasks.task import LengthPolicy, Task, copy_task_names, load_task, render_template, task_names

__all__ = ["LengthCheck", "LengthPolicy", "Task", "baseline_text", "enforce_length", "load_task",
           "render_template", "task_names", "trim_to_limit", "copy_task_names"]
