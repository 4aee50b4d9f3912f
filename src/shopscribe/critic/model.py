"""The critic: a discriminator that tells the catalog's human-written copy from the
model's own outputs, used to rerank sampled candidates (higher = more human-like).

Features are sentence embeddings of the copy, and of the copy times the product's
source text (so "reads like our copy *for this product*" is learnable), fed to a
logistic regression. Weights are stored as JSON + ``.npz`` (no pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopscribe.embeddings import load_encoder
from shopscribe.errors import ShopScribeError

CRITIC_FILE, WEIGHTS_FILE = "critic.json", "critic_weights.npz"


def critic_features(texts: list[str], sources: list[str], encoder: str = "e5") -> np.ndarray:
    enc = load_encoder(encoder)
    t, s = enc.encode(texts), enc.encode(sources)
    cos = (t * s).sum(axis=1, keepdims=True)
    return np.hstack([t, t * s, cos]).astype(np.float32)


@dataclass
class Critic:
    encoder: str
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    info: dict = field(default_factory=dict)  # task, locale(s), training sizes, held-out metrics

    def score(self, texts: list[str], sources: list[str]) -> np.ndarray:
        """P(human-written) for each text given its product's source text."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        x = (critic_features(texts, sources, self.encoder) - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / WEIGHTS_FILE, coef=self.coef, mean=self.mean, scale=self.scale)
        meta = {"encoder": self.encoder, "intercept": float(self.intercept), **self.info}
        (folder / CRITIC_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Critic:
        folder = Path(folder)
        if not (folder / CRITIC_FILE).is_file() or not (folder / WEIGHTS_FILE).is_file():
            raise ShopScribeError(f"{folder} is not a critic folder (needs {CRITIC_FILE} and {WEIGHTS_FILE}); "
                                  "train one with `shopscribe critic train`")
        meta = json.loads((folder / CRITIC_FILE).read_text(encoding="utf-8"))
        w = np.load(folder / WEIGHTS_FILE)
        encoder, intercept = meta.pop("encoder"), meta.pop("intercept")
        return cls(encoder, w["coef"], intercept, w["mean"], w["scale"], meta)
