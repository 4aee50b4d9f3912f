"""A standardised logistic-regression head over sentence embeddings, stored as JSON + .npz.

Fitted with scikit-learn; saved as plain arrays (no pickle), so a model folder is
safe to load from anywhere and readable without scikit-learn's version.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from shopscribe.errors import ShopScribeError


C_GRID = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass
class LinearHead:
    encoder: str  # shopscribe.embeddings encoder name the features come from
    coef: np.ndarray
    intercept: float
    mean: np.ndarray
    scale: np.ndarray
    info: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, encoder: str, c: float | None = 1.0,
            info: dict | None = None) -> LinearHead:
        """Fit on standardised features; ``c=None`` picks the regularisation by 5-fold
        cross-validation on ``x`` itself (accuracy), from 0.0001 to 1."""
        from sklearn.linear_model import LogisticRegression, LogisticRegressionCV

        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        xs = (x - mean) / scale
        if c is None and np.bincount(y).min() < 10:
            c = 1.0  # too few examples of a class to cross-validate
        if c is None:
            with warnings.catch_warnings():  # scikit-learn 1.8+ announces attribute changes we do not use
                warnings.simplefilter("ignore", FutureWarning)
                lr = LogisticRegressionCV(Cs=list(C_GRID), cv=5, max_iter=3000, class_weight="balanced",
                                          scoring="accuracy").fit(xs, y)
            chosen = float(lr.C_[0])
        else:
            lr, chosen = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(xs, y), c
        return cls(encoder, lr.coef_[0].astype(np.float32), float(lr.intercept_[0]), mean.astype(np.float32),
                   scale.astype(np.float32), {**(info or {}), "c": chosen})

    def proba(self, x: np.ndarray) -> np.ndarray:
        """P(class 1) per row of features."""
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, folder: Path, stem: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / f"{stem}_weights.npz", coef=self.coef, mean=self.mean, scale=self.scale)
        meta = {"encoder": self.encoder, "intercept": self.intercept, **self.info}
        (folder / f"{stem}.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, stem: str, hint: str) -> LinearHead:
        folder = Path(folder)
        meta_path, weights_path = folder / f"{stem}.json", folder / f"{stem}_weights.npz"
        if not meta_path.is_file() or not weights_path.is_file():
            raise ShopScribeError(f"{folder} is not a {stem} folder (needs {meta_path.name} and {weights_path.name}); "
                                  f"{hint}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            w = np.load(weights_path)
            return cls(meta.pop("encoder"), w["coef"], float(meta.pop("intercept")), w["mean"], w["scale"], meta)
        except (ValueError, KeyError, OSError) as exc:
            raise ShopScribeError(f"{folder}: damaged {stem} files ({exc})") from None
