"""The critic: a discriminator that tells the catalog's human-written copy from the
model's own outputs, used to rerank sampled candidates (higher = more human-like).

Features are sentence embeddings of the copy, and of the copy times the product's
source text (so "reads like our copy *for this product*" is learnable), fed to a
logistic regression (``LinearHead``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopscribe.embeddings import load_encoder
from shopscribe.linear import LinearHead

STEM = "critic"


def critic_features(texts: list[str], sources: list[str], encoder: str = "e5") -> np.ndarray:
    enc = load_encoder(encoder)
    t, s = enc.encode(texts), enc.encode(sources)
    cos = (t * s).sum(axis=1, keepdims=True)
    return np.hstack([t, t * s, cos]).astype(np.float32)


class Critic:
    def __init__(self, head: LinearHead):
        self.head = head

    @property
    def info(self) -> dict:
        return self.head.info

    def score(self, texts: list[str], sources: list[str]) -> np.ndarray:
        """P(human-written) for each text given its product's source text."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return self.head.proba(critic_features(texts, sources, self.head.encoder))

    def save(self, folder: Path) -> None:
        self.head.save(Path(folder), STEM)

    @classmethod
    def load(cls, folder: Path) -> Critic:
        return cls(LinearHead.load(folder, STEM, "train one with `shopscribe critic train`"))
