"""A transformers Trainer whose loss only touches target positions.

The LM head of a 262k-vocabulary model is the most expensive layer on a CPU;
computing logits only from the first target position onwards saves much of it.
The loss is the same token-level cross entropy as the stock one (prompt tokens
carry label -100 and count for nothing).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from transformers import Trainer

from shopscribe.training.data import IGNORE_INDEX


class TargetOnlyTrainer(Trainer):
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        has_target = (labels != IGNORE_INDEX).any(dim=0).nonzero()
        start = max(int(has_target[0]) - 1, 0) if len(has_target) else 0
        keep = torch.arange(start, labels.shape[1] - 1, device=labels.device)
        outputs = model(**inputs, logits_to_keep=keep)
        logits = outputs.logits.float()
        target = labels[:, keep + 1]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1),
                               ignore_index=IGNORE_INDEX, reduction="sum")
        count = num_items_in_batch if num_items_in_batch is not None else (target != IGNORE_INDEX).sum()
        loss = loss / torch.clamp(torch.as_tensor(count, device=loss.device, dtype=loss.dtype), min=1)
        return (loss, outputs) if return_outputs else loss
