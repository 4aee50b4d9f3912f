"""The prompt text of one product as a model is trained on and decoded from: the task's template in the
tokenizer's prompt format."""

from __future__ import annotations

from shopscribe.catalog.record import ProductRecord
from shopscribe.models.loading import format_prompt
from shopscribe.tasks.task import Task


def build_prompt_text(task: Task, tokenizer, record: ProductRecord, tone: str | None, max_chars: int | None,
                      extra: dict[str, str | None] | None = None, mention: list[str] | None = None) -> str:
    prompt = format_prompt(tokenizer, task.build_prompt(record, tone=tone, max_chars=max_chars, extra=extra,
                                                        mention=mention))
    return prompt if getattr(tokenizer, "chat_template", None) else prompt + "\n"
