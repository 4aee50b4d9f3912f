"""`shopscribe critic train`: learn to tell human copy from model copy.

Positives are the catalog's human texts (every reference of the task's target
field) of the products the model wrote for; negatives are the model's outputs (JSONL written by
``shopscribe generate``). Products are split into fit / held-out parts by id, so the
held-out accuracy and AUC the critic reports are on products it never saw.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import Field

from shopscribe.catalog.loaders import load_catalog
from shopscribe.config import BaseConfig
from shopscribe.critic.model import Critic, critic_features
from shopscribe.errors import ShopScribeError
from shopscribe.linear import LinearHead
from shopscribe.quality.evidence import source_text
from shopscribe.tasks.task import load_task
from shopscribe.tasks.args import TaskArgs


class CriticConfig(BaseConfig):
    """`shopscribe critic train --products FILE --generations FILE... --out DIR [key=value ...]`"""

    products: Path = Field(description="Catalog with the human-written target texts.")
    generations: list[Path] = Field(description="Model outputs (JSONL from `shopscribe generate`) for those products.")
    out: Path = Field(description="Folder for the critic.")
    task: TaskArgs = Field(default_factory=TaskArgs)
    encoder: str = Field("e5", description="Sentence encoder: e5, use or e5+use.")
    heldout_fraction: float = Field(0.25, gt=0, lt=1, description="Share of products held out to measure the critic.")
    c: float = Field(1.0, gt=0, description="Inverse L2 regularisation strength of the logistic regression.")
    seed: int = 0


@dataclass
class CriticResult:
    critic: Critic
    metrics: dict


def train_critic(cfg: CriticConfig, log: Callable[[str], None] = print) -> CriticResult:
    from sklearn.metrics import accuracy_score, roc_auc_score

    task = load_task(cfg.task.name, cfg.task.template_dir)
    records = {r.id: r for r in load_catalog(cfg.products).records}
    outputs = [(path, n, row) for path in cfg.generations for n, row in enumerate(_read_jsonl(path), 1)]
    for path, row_no, row in outputs:
        if row.get("id") not in records:
            raise ShopScribeError(f"{path}:{row_no}: field 'id': product {row.get('id')!r} is not in {cfg.products}")
    ids_with_outputs = list(dict.fromkeys(row["id"] for _, _, row in outputs))
    human = [(pid, ref, 1) for pid in ids_with_outputs for ref in task.references(records[pid])]
    machine = [(row["id"], row["text"], 0) for _, _, row in outputs if row.get("text", "").strip()]
    groups, texts, labels = zip(*(human + machine)) if human and machine else ((), (), ())
    y = np.array(labels)
    if len(y) == 0 or y.sum() == 0 or (1 - y).sum() == 0:
        raise ShopScribeError("the critic needs both human texts (task target field) and model outputs")
    log(f"critic: {int(y.sum())} human texts, {int((1 - y).sum())} model outputs over {len(set(groups))} products")
    x = critic_features(list(texts), [source_text(records[g], task) for g in groups], cfg.encoder)
    ids = sorted(set(groups))
    random.Random(cfg.seed).shuffle(ids)
    held = set(ids[: max(1, int(len(ids) * cfg.heldout_fraction))])
    test = np.array([g in held for g in groups])
    metrics = {}
    if 0 < test.sum() < len(test) and len(set(y[test])) == 2:
        p = LinearHead.fit(x[~test], y[~test], cfg.encoder, cfg.c).proba(x[test])
        metrics = {"heldout_accuracy": float(accuracy_score(y[test], p > 0.5)),
                   "heldout_auc": float(roc_auc_score(y[test], p)), "heldout_products": len(held)}
        log(f"critic held-out: accuracy {metrics['heldout_accuracy']:.3f}, AUC {metrics['heldout_auc']:.3f}")
    info = {"task": task.name, "human_texts": int(y.sum()), "model_texts": int((1 - y).sum()),
            "products": len(ids), **metrics}
    critic = Critic(LinearHead.fit(x, y, cfg.encoder, cfg.c, info))  # the saved critic uses every product
    critic.save(cfg.out)
    return CriticResult(critic, metrics)


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise ShopScribeError(f"{path}:{n}: not valid JSON ({exc})") from None
    return rows
