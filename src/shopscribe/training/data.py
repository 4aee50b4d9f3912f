"""Turn catalog records into tokenized (prompt, target) examples with prompt tokens masked."""

from __future__ import annotations

from dataclasses import dataclass

from shopscribe.catalog.record import ProductRecord
from shopscribe.tasks.mention import training_mentions
from shopscribe.tasks.prompt import build_prompt_text
from shopscribe.tasks.task import Task

IGNORE_INDEX = -100


@dataclass
class EncodeStats:
    examples: int = 0
    truncated: int = 0
    without_target: int = 0


def encode_examples(records: list[ProductRecord], task: Task, tokenizer, *, max_seq_len: int,
                    tone: str | None = None, max_chars: int | None = None, all_references: bool = True,
                    ) -> tuple[list[dict], EncodeStats]:
    """Return examples ``{input_ids, labels}`` where labels are -100 on prompt tokens.

    A template with ``{mention}`` gets, per target, the attribute values and a few title words that
    target uses (``tasks.mention.training_mentions``), so the model learns to write what the line lists."""
    stats = EncodeStats()
    examples = []
    eos = [tokenizer.eos_token_id]
    for record in records:
        targets = task.references(record)
        if not targets:
            stats.without_target += 1
            continue
        per_target = task.uses("mention", record.locale)
        prompt_ids = None
        for target in targets if all_references else targets[:1]:
            if prompt_ids is None or per_target:
                mention = training_mentions(record, target) if per_target else None
                prompt_ids = tokenizer(build_prompt_text(task, tokenizer, record, tone, max_chars, mention=mention),
                                       add_special_tokens=True)["input_ids"]
            target_ids = tokenizer(target.strip(), add_special_tokens=False)["input_ids"] + eos
            room = max_seq_len - len(prompt_ids)
            if room < 8:
                prompt_ids = prompt_ids[: max_seq_len - 8]  # keep the head: instructions and main facts
                room = 8
            if len(target_ids) > room:
                target_ids = target_ids[:room]
                stats.truncated += 1
            examples.append({"input_ids": prompt_ids + target_ids,
                             "labels": [IGNORE_INDEX] * len(prompt_ids) + target_ids})
            stats.examples += 1
    return examples, stats


class PadCollator:
    """Right-pad a batch; labels padded with -100."""

    def __init__(self, pad_token_id: int):
        self.pad_token_id = pad_token_id

    def __call__(self, batch: list[dict]) -> dict:
        import torch

        width = max(len(ex["input_ids"]) for ex in batch)
        ids = torch.full((len(batch), width), self.pad_token_id, dtype=torch.long)
        labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, ex in enumerate(batch):
            n = len(ex["input_ids"])
            ids[i, :n] = torch.tensor(ex["input_ids"])
            labels[i, :n] = torch.tensor(ex["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}
