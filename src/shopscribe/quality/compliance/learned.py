"""A learned compliance check beside the rule packs: it fails closed where the lists fail open.

The rule packs find the terms they list; a violation worded another way ("melts belly fat while u sleep",
清肺化痰, "Voted UK's Best Candle") passes them (docs/verifier.md: on fresh phrases the lists found about
half the violations). This check judges each sentence of a text by its meaning: a logistic-regression head
per locale (``linear.LinearHead``) over sentence embeddings (``embeddings``, e5 by default), trained on
labelled violations and legal look-alikes and on real catalog sentences as legal copy
(``fit_learned_compliance``; ``shopscribe compliance train``). A sentence it judges a likely violation
that no rule names becomes a finding of its own (``LEARNED_RULE``), so the guard cuts or flags it like any
other.

A model folder holds ``learned_compliance.json`` (locales, thresholds, training summary) and one head per
locale. No model ships in the package (it is trained from data that must not be shipped):
``SHOPSCRIBE_COMPLIANCE_MODEL`` names a folder, and every compliance checker the library builds
(``ComplianceChecker.for_locale``) uses it — the guard, evaluation, optimize, the service, jobs and batch.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from shopscribe.errors import ShopScribeError

LEARNED_RULE = "LEARNED-COMPLIANCE"
ENV = "SHOPSCRIBE_COMPLIANCE_MODEL"
META = "learned_compliance.json"
PACKAGED = Path(__file__).resolve().parent / "model"


# an English sentence ends at a dot before a space and a capital, digit or quote — not after an
# abbreviation ("U.S. Polo Assn. Kids", "No. 4521") nor inside a number ("2.5 kg")
_EN_STOP = re.compile(r"(?<!\b[A-Za-z])(?<!\b(?:[Nn]o|[Vv]s|[Cc]o|[Mm]r|[Dd]r|[Ss]t|[Mm]s))(?<!\b(?:[Ii]nc|[Ll]td|"
                      r"[Mm]rs|[Ee]tc|[Nn]os))(?<!\b(?:[Aa]ssn|[Dd]ept|[Cc]orp))(?<!\b[Aa]pprox)\.(?=\s+[A-Z0-9\"“'(])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence of ``text`` (Chinese and English stops), spaces trimmed; pieces too
    short to say anything (fewer than 3 words, or 4 Chinese characters) are left out."""
    spans = []
    for part in re.finditer(r"[^。！？!?；;\n]+[。！？!?；;]*", text):
        cuts = [0, *(m.end() for m in _EN_STOP.finditer(part.group(0))), len(part.group(0))]
        for x, y in zip(cuts, cuts[1:]):
            a, b = part.start() + x, part.start() + y
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            piece = text[a:b]
            if len(re.findall(r"[\u4e00-\u9fff]", piece)) >= 4 or len(re.findall(r"[A-Za-z0-9]+", piece)) >= 3:
                spans.append((a, b))
    return spans


@dataclass
class LearnedCompliance:
    heads: dict  # locale -> LinearHead
    thresholds: dict[str, float]
    info: dict = field(default_factory=dict)
    encoder: object | None = None  # an embeddings.Encoder; loaded by name when first needed

    def _encode(self, texts: list[str]) -> np.ndarray:
        if self.encoder is None:
            from shopscribe.embeddings import load_encoder

            self.encoder = load_encoder(next(iter(self.heads.values())).encoder)
        return self.encoder.encode(texts)

    def scores(self, sentences: Sequence[str], locale: str) -> np.ndarray:
        """P(violation) per sentence (zeros for a locale the model was not trained for)."""
        head = self.heads.get(locale)
        if head is None or not sentences:
            return np.zeros(len(sentences), dtype=np.float32)
        return head.proba(self._encode(list(sentences)))

    def violations(self, text: str, locale: str) -> list[tuple[int, int, float]]:
        """Sentences of ``text`` judged likely violations: (start, end, probability)."""
        spans = sentence_spans(text)
        if locale not in self.heads or not spans:
            return []
        p = _cached_scores(self, [text[a:b] for a, b in spans], locale)
        return [(a, b, float(q)) for (a, b), q in zip(spans, p) if q >= self.thresholds.get(locale, 0.5)]

    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for locale, head in self.heads.items():
            head.save(folder, f"head_{locale}")
        meta = {"locales": sorted(self.heads), "thresholds": self.thresholds, **self.info}
        (folder / META).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LearnedCompliance:
        from shopscribe.linear import LinearHead

        folder = Path(folder)
        if not (folder / META).is_file():
            raise ShopScribeError(f"{folder} is not a learned compliance folder (no {META}); "
                                  "train one with `shopscribe compliance train`")
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        hint = "train one with `shopscribe compliance train`"
        heads = {loc: LinearHead.load(folder, f"head_{loc}", hint) for loc in meta.pop("locales")}
        return cls(heads, {k: float(v) for k, v in meta.pop("thresholds").items()}, meta)


SCORED_CACHE = 20_000  # sentences whose score is remembered
_CACHE: OrderedDict = OrderedDict()  # (model, locale, sentence) -> P(violation)
_CACHE_LOCK = threading.Lock()


def _cached_scores(model: LearnedCompliance, sentences: list[str], locale: str) -> np.ndarray:
    """Scores per sentence, remembered: the guard re-checks a text after each repair, and a repair or a cut
    changes one sentence and keeps the rest. The sentences not yet scored are encoded in one batch."""
    keys = [(id(model), locale, s) for s in sentences]
    with _CACHE_LOCK:
        known = {k: _CACHE[k] for k in keys if k in _CACHE}
    todo = list(dict.fromkeys(k for k in keys if k not in known))
    if todo:
        scores = model.scores([k[2] for k in todo], locale)
        with _CACHE_LOCK:
            for k, q in zip(todo, scores):
                known[k] = _CACHE[k] = float(q)
                _CACHE.move_to_end(k)
            while len(_CACHE) > SCORED_CACHE:
                _CACHE.popitem(last=False)
    return np.asarray([known[k] for k in keys], dtype=np.float32)


def score_all(model: LearnedCompliance, texts: list[str], locale: str) -> None:
    """Score every sentence of ``texts`` in one batch, so that checking each text after it costs no encoding
    (the guard checks a whole batch of outputs at once)."""
    if locale in model.heads:
        _cached_scores(model, [t[a:b] for t in texts for a, b in sentence_spans(t)], locale)


@lru_cache(maxsize=4)
def _load_cached(folder: str) -> LearnedCompliance:
    return LearnedCompliance.load(Path(folder))


def from_environment() -> LearnedCompliance | None:
    """The model ``SHOPSCRIBE_COMPLIANCE_MODEL`` names, the packaged one when it names none, or None when it
    says ``none`` (loaded once per process)."""
    folder = os.environ.get(ENV, "").strip()
    if folder.lower() in ("none", "off"):
        return None
    return _load_cached(str(Path(folder or PACKAGED).resolve()))


def fit_learned_compliance(labelled: Sequence[dict], legal_copy: Sequence[dict], encoder: str | object = "e5",
                           threshold: float = 0.5, max_false_alarms: float = 0.01,
                           seed: int = 0) -> LearnedCompliance:
    """A head per locale from ``labelled`` rows (``text``, ``locale``, ``violation``) and ``legal_copy`` rows
    (``text``, ``locale``: real catalog sentences, legal). Each class is weighted to balance; the
    regularisation is chosen by 5-fold cross-validation. The threshold is ``threshold``, raised where the
    cross-validated scores of the catalog sentences need it so that at most ``max_false_alarms`` of them
    would be flagged: the check runs on every sentence the model writes, and real copy must pass."""
    from shopscribe.embeddings import load_encoder
    from shopscribe.linear import LinearHead

    enc = load_encoder(encoder) if isinstance(encoder, str) else encoder
    heads, thresholds, report = {}, {}, {}
    for locale in sorted({r["locale"] for r in labelled}):
        rows = [(r["text"], int(bool(r["violation"])), False) for r in labelled if r["locale"] == locale]
        rows += [(r["text"], 0, True) for r in legal_copy if r["locale"] == locale]
        y = np.array([v for _, v, _ in rows])
        if len(set(y)) < 2 or np.bincount(y).min() < 5:
            raise ShopScribeError(f"locale {locale}: the labelled rows need at least 5 violations and 5 legal "
                                  "phrases")
        x = enc.encode([t for t, _, _ in rows])
        head = LinearHead.fit(x, y, enc.name, c=None, info={"locale": locale})
        p = _cross_validated(x, y, head, seed)
        catalog = np.array([c for _, _, c in rows])
        cut = float(np.quantile(p[catalog], 1 - max_false_alarms)) if catalog.any() else threshold
        thresholds[locale] = round(max(threshold, cut), 4)
        hit = p >= thresholds[locale]
        report[locale] = {"violations": int(y.sum()), "legal": int(len(y) - y.sum()),
                          "of_which_catalog_copy": int(catalog.sum()), "c": head.info.get("c"),
                          "cross_validated": {"recall": round(float(hit[y == 1].mean()), 3),
                                              "labelled_legal_flagged": round(float(hit[(y == 0) & ~catalog].mean()), 3)
                                              if ((y == 0) & ~catalog).any() else None,
                                              "catalog_flagged": round(float(hit[catalog].mean()), 3)
                                              if catalog.any() else None}}
        heads[locale] = head
    model = LearnedCompliance(heads, thresholds, {"examples": report, "max_false_alarms": max_false_alarms,
                                                  "seed": seed})
    model.encoder = enc
    return model


def _cross_validated(x: np.ndarray, y: np.ndarray, head, seed: int) -> np.ndarray:
    """Out-of-fold P(violation) of each row, with the head's regularisation."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    xs = (x - head.mean) / head.scale
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    lr = LogisticRegression(C=head.info.get("c", 1.0), max_iter=3000, class_weight="balanced")
    return cross_val_predict(lr, xs, y, cv=folds, method="predict_proba")[:, 1]
