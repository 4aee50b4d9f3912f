"""Faithfulness with evidence: every checkable claim in generated copy is
supported by the product data, contradicted by it, or not covered by it.

Claims: quantities with units (sizes, capacities, percentages, ages, power…),
materials, colours, certifications, seasons and brand names. Each sentence of
the output is linked to the attribute values it uses; each claim carries its
span and the evidence (the attribute or source span) behind the verdict.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.units import Quantity, find_quantities

SUPPORTED, UNSUPPORTED, CONTRADICTED = "supported", "unsupported", "contradicted"
SENTENCE = re.compile(r"[^\n]+?(?:[。！？!?；;]+|\.(?=\s|$)|(?=\n)|$)")
# attribute keys whose values state the product's material / colour / season
_KEY_HINTS = {
    "material": ("material", "fabric", "材质", "面料", "成分", "upper", "鞋面", "内里", "fill", "填充"),
    "colour": ("color", "colour", "颜色", "primary_color"),
    "season": ("season", "季节"),
}


@dataclass
class Claim:
    kind: str  # quantity:<dimension> | number | material | colour | certification | season | brand
    text: str
    start: int
    end: int
    status: str
    evidence: str | None = None


@dataclass
class SentenceEvidence:
    text: str
    start: int
    end: int
    attributes: list[str] = field(default_factory=list)  # "key: value" used in the sentence
    claims: list[Claim] = field(default_factory=list)


@dataclass
class FaithfulnessReport:
    sentences: list[SentenceEvidence]

    @property
    def claims(self) -> list[Claim]:
        return [c for s in self.sentences for c in s.claims]

    def rate(self, status: str) -> float:
        claims = self.claims
        return sum(c.status == status for c in claims) / len(claims) if claims else 0.0


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, list[str]]]:
    path = Path(str(resources.files("shopscribe.quality") / "lexicon.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {kind: {canon: [_norm(s) for s in surfaces] for canon, surfaces in table.items()}
            for kind, table in data.items()}


def _find_terms(text: str, kind: str) -> list[tuple[str, int, int]]:
    """(canonical, start, end) of lexicon terms in normalised text; longest match wins."""
    hits = []
    for canon, surfaces in lexicon()[kind].items():
        for s in surfaces:
            pattern = re.escape(s) if not s.isascii() else rf"(?<![a-z]){re.escape(s)}(?![a-z])"
            hits += [(canon, m.start(), m.end()) for m in re.finditer(pattern, text)]
    hits.sort(key=lambda h: (h[1], -(h[2] - h[1])))
    out, last_end = [], -1
    for h in hits:
        if h[1] >= last_end:
            out.append(h)
            last_end = h[2]
    return out


class ProductFacts:
    """What the product data states, indexed for claim checking."""

    def __init__(self, record: ProductRecord, exclude_field: str | None = None, known_brands: set[str] | None = None):
        self.record = record
        parts = [record.title if exclude_field != "title" else None, record.brand, record.category,
                 record.description if exclude_field != "description" else None, *record.bullet_points]
        parts += [f"{k}: {v}" for k, vs in record.attributes.items() for v in vs]
        self.text = _norm("\n".join(p for p in parts if p))
        self.quantities = find_quantities(self.text)
        self.terms = {kind: {c for c, _, _ in _find_terms(self.text, kind)} for kind in lexicon()}
        self.keyed = {kind: self._keyed_terms(kind, hints) for kind, hints in _KEY_HINTS.items()}
        self.brand = _norm(record.brand) if record.brand else None
        self.other_brands = {_norm(b) for b in (known_brands or set())} - {self.brand}

    def _keyed_terms(self, kind: str, hints: tuple[str, ...]) -> set[str]:
        values = [v for k, vs in self.record.attributes.items() if any(h in _norm(k) for h in hints) for v in vs]
        return {c for v in values for c, _, _ in _find_terms(_norm(v), kind)}

    def check_quantity(self, q: Quantity) -> tuple[str, str | None]:
        for src in self.quantities:
            if q.matches(src) or (q.dimension not in ("number",) and q.within(src)):
                return SUPPORTED, src.text
        if q.dimension == "number":
            return UNSUPPORTED, None
        same = [s for s in self.quantities if s.dimension == q.dimension]
        return (CONTRADICTED, ", ".join(s.text for s in same[:3])) if same else (UNSUPPORTED, None)

    def check_term(self, kind: str, canon: str) -> tuple[str, str | None]:
        if canon in self.terms[kind]:
            return SUPPORTED, canon
        stated = self.keyed.get(kind) or set()
        if stated and kind in ("material", "colour", "season"):
            return CONTRADICTED, ", ".join(sorted(stated))
        return UNSUPPORTED, None


def check_faithfulness(text: str, record: ProductRecord, *, exclude_field: str | None = "description",
                       known_brands: set[str] | None = None) -> FaithfulnessReport:
    """Evidence map of ``text`` against ``record`` (``exclude_field`` is the field being written)."""
    facts = ProductFacts(record, exclude_field, known_brands)
    norm = _norm(text)
    sentences = [SentenceEvidence(m.group(0), m.start(), m.end()) for m in SENTENCE.finditer(norm)
                 if m.group(0).strip()]
    for s in sentences:
        s.text = text[s.start:s.end]
        s.attributes = [f"{k}: {v}" for k, vs in record.attributes.items() for v in vs
                        if len(_norm(v)) > 0 and _norm(v) in norm[s.start:s.end]]
    for claim in _claims(norm, facts):
        for s in sentences:
            if s.start <= claim.start < s.end:
                claim.text = text[claim.start:claim.end]
                s.claims.append(claim)
                break
    return FaithfulnessReport(sentences)


def _claims(norm: str, facts: ProductFacts) -> list[Claim]:
    claims = []
    taken: list[tuple[int, int]] = []
    for kind in ("certification", "material", "colour", "season"):
        for canon, start, end in _find_terms(norm, kind):
            status, evidence = facts.check_term(kind, canon)
            claims.append(Claim(kind, norm[start:end], start, end, status, evidence))
            taken.append((start, end))
    for q in find_quantities(norm):
        if any(s <= q.start < e for s, e in taken):
            continue
        status, evidence = facts.check_quantity(q)
        kind = "number" if q.dimension == "number" else f"quantity:{q.dimension}"
        claims.append(Claim(kind, q.text, q.start, q.end, status, evidence))
    if facts.brand and facts.brand in norm:
        start = norm.index(facts.brand)
        claims.append(Claim("brand", facts.brand, start, start + len(facts.brand), SUPPORTED, facts.brand))
    for brand in facts.other_brands:
        if brand and re.search(rf"(?<![a-z]){re.escape(brand)}(?![a-z])", norm):
            start = norm.index(brand)
            claims.append(Claim("brand", brand, start, start + len(brand), CONTRADICTED, facts.brand))
    return sorted(claims, key=lambda c: c.start)
