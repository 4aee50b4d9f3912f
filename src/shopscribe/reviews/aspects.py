"""Aspect insights: what customers praise and complain about, per product or category.

Each review is cut into clauses; a clause that names an aspect (``aspects.yaml``:
fit, battery, smell, delivery, noise…) is a mention, and its polarity comes from the
sentiment model run on the clause itself (a mixed review can praise the screen and
complain about the battery). Where the model is unsure about a short clause, the
review's own label (or the model's verdict on the whole review) decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from shopscribe.reviews.data import ReviewRow

_CLAUSE = {"zh-CN": re.compile(r"[^。！？!?；;，,\n~～]+"),
           "en": re.compile(r"[^.!?;\n]+")}
_BUT = re.compile(r"\s*\b(?:but|however|although|though)\b\s*", re.IGNORECASE)
UNSURE = 0.65  # clause confidence below this falls back to the review's polarity
MAX_QUOTE_CHARS = 90


@dataclass(frozen=True)
class Aspect:
    id: str
    labels: dict[str, str]
    terms: dict[str, tuple[str, ...]]


@lru_cache(maxsize=4)
def load_aspects(path: str | None = None) -> tuple[Aspect, ...]:
    source = Path(path) if path else Path(str(resources.files("shopscribe.reviews") / "aspects.yaml"))
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return tuple(Aspect(aid, spec["label"], {loc: tuple(t.lower() for t in spec.get(loc, []))
                                             for loc in ("en", "zh-CN")}) for aid, spec in data.items())


@lru_cache(maxsize=8)
def _matchers(path: str | None, locale: str) -> list[tuple[str, re.Pattern]]:
    out = []
    for a in load_aspects(path):
        terms = sorted(a.terms.get(locale, ()), key=len, reverse=True)
        if not terms:
            continue
        body = "|".join(re.escape(t) for t in terms)
        out.append((a.id, re.compile(rf"(?<![a-z])(?:{body})(?![a-z])" if locale == "en" else body, re.IGNORECASE)))
    return out


@dataclass
class Mention:
    review_id: str
    aspect: str
    clause: str
    positive: bool
    confidence: float


def clauses(text: str, locale: str) -> list[str]:
    parts = []
    for m in _CLAUSE[locale].finditer(text):
        parts += [p.strip() for p in _BUT.split(m.group(0)) if p.strip()] if locale == "en" else [m.group(0).strip()]
    return [p for p in parts if len(p) >= 2]


def find_mentions(reviews: list[ReviewRow], predict: Callable[[list[str]], np.ndarray],
                  review_p: dict[str, float] | None = None, aspects_path: str | None = None) -> list[Mention]:
    """Aspect mentions with polarity; ``predict(texts) -> P(positive)`` scores the clauses."""
    found: list[tuple[ReviewRow, str, str]] = []
    for r in reviews:
        for clause in clauses(r.text, r.locale):
            for aspect_id, pattern in _matchers(aspects_path, r.locale):
                if pattern.search(clause):
                    found.append((r, aspect_id, clause))
    if not found:
        return []
    p = predict([c for _, _, c in found])
    mentions = []
    for (r, aspect_id, clause), pc in zip(found, p):
        pc = float(pc)
        if max(pc, 1 - pc) < UNSURE:
            fallback = (1.0 if r.label == "positive" else 0.0) if r.label else (review_p or {}).get(r.id)
            pc = pc if fallback is None else (pc + fallback) / 2
        mentions.append(Mention(r.id, aspect_id, clause, pc >= 0.5, round(max(pc, 1 - pc), 3)))
    return mentions


@dataclass
class AspectSummary:
    aspect: str
    label: str
    mentions: int
    positive: int
    negative: int
    share_negative: float
    praise: list[str] = field(default_factory=list)
    complaints: list[str] = field(default_factory=list)
    direction: str | None = None  # fit complaints: "small" or "large" when one side dominates


@dataclass
class GroupInsights:
    group: str
    name: str | None
    locale: str
    reviews: int
    aspects: list[AspectSummary]

    def top_praise(self, k: int = 3) -> list[AspectSummary]:
        return sorted([a for a in self.aspects if a.positive], key=lambda a: (-a.positive, a.share_negative))[:k]

    def top_complaint(self) -> AspectSummary | None:
        bad = [a for a in self.aspects if a.negative and a.share_negative >= 0.5]
        return max(bad, key=lambda a: (a.negative, a.share_negative)) if bad else None


def summarise(reviews: list[ReviewRow], mentions: list[Mention], group_by: str = "product",
              aspects_path: str | None = None, quotes: int = 3) -> list[GroupInsights]:
    """Counts, negative share and example quotes per aspect, for each product or category."""
    labels = {a.id: a.labels for a in load_aspects(aspects_path)}
    key = (lambda r: r.product_id or r.id) if group_by == "product" else (lambda r: r.category or "-")
    by_review = {r.id: r for r in reviews}
    groups: dict[str, list[ReviewRow]] = {}
    for r in reviews:
        groups.setdefault(key(r), []).append(r)
    by_group: dict[str, dict[str, list[Mention]]] = {}
    for m in mentions:
        by_group.setdefault(key(by_review[m.review_id]), {}).setdefault(m.aspect, []).append(m)
    out = []
    for g, rows in groups.items():
        locale = rows[0].locale
        summaries = []
        for aspect, ms in by_group.get(g, {}).items():
            pos, neg = [m for m in ms if m.positive], [m for m in ms if not m.positive]
            summaries.append(AspectSummary(aspect, labels[aspect].get(locale, aspect), len(ms), len(pos), len(neg),
                                           round(len(neg) / len(ms), 3), _quotes(pos, quotes), _quotes(neg, quotes),
                                           fit_direction(neg) if aspect == "fit" else None))
        summaries.sort(key=lambda s: -s.mentions)
        out.append(GroupInsights(g, rows[0].product_name if group_by == "product" else g, locale, len(rows),
                                 summaries))
    return sorted(out, key=lambda gi: -gi.reviews)


_SMALL = re.compile(r"small|tight|short|narrow|snug|偏小|小了|太小|紧|短了|偏短|瘦")
_LARGE = re.compile(r"large|big|loose|long|baggy|wide|偏大|大了|太大|宽松|肥|偏长|长了")


def fit_direction(complaints: list[Mention]) -> str | None:
    """'small' or 'large' when at least two thirds of the fit complaints that say which way agree."""
    small = sum(bool(_SMALL.search(m.clause.lower())) for m in complaints)
    large = sum(bool(_LARGE.search(m.clause.lower())) for m in complaints)
    if small + large == 0:
        return None
    if small >= 2 * large:
        return "small"
    return "large" if large >= 2 * small else None


def _quotes(mentions: list[Mention], k: int) -> list[str]:
    """The k most confident short clauses, without repeats."""
    seen, out = set(), []
    for m in sorted(mentions, key=lambda m: (-m.confidence, len(m.clause))):
        text = m.clause if len(m.clause) <= MAX_QUOTE_CHARS else m.clause[:MAX_QUOTE_CHARS - 1] + "…"
        if text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
        if len(out) == k:
            break
    return out
