"""Faithfulness with evidence: every checkable claim in generated copy is
supported by the product data, contradicted by it, or not covered by it.

Claims: quantities with units (sizes, capacities, percentages, ages, power…),
numbers in their role (a price is never a year, a size or a count), materials,
colours, certifications, seasons, brand names, and every product detail of the
claim families (``quality.families``: parts and features, fit, pattern, care,
origin and brand history, ingredients, scent notes, skin and health benefits,
performance). A detail is supported when the data names it, contradicted when
the data holds another value of an exclusive family or the product's category
cannot have it (``reason`` says "impossible: …"), unsupported otherwise. Each
sentence of the output is linked to the attribute values it uses; each claim
carries its span and the evidence behind the verdict.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.families import FamilySet, Mention, bounded, packaged_families
from shopscribe.quality.placement import garments_as_parts, senseless_placements, unplaced_features
from shopscribe.quality.sense import senseless_functions
from shopscribe.quality.units import Quantity, find_quantities

SUPPORTED, UNSUPPORTED, CONTRADICTED = "supported", "unsupported", "contradicted"
SENTENCE = re.compile(r"[^\n]+?(?:[。！？!?；;]+|\.(?=\s|$)|(?=\n)|$)")
# a clause: up to a comma, a sentence end, or two run-together sentences ("lockOne handle", Myntra)
CLAUSE = re.compile(r"[^\n,，、;；。！？!?]+?(?:[,，、;；。！？!?]+|\.(?=\s|$)|(?=\n)|$)")
NEGATED_KEY = re.compile(r"^(?:是否(?:有|支持|带|可|为)?|有无|has |is |with )", re.IGNORECASE)
NEGATED_VALUE = re.compile(r"^(?:非|not |non-|non )(\S.+)$", re.IGNORECASE)
NEGATIVE_VALUE = re.compile(r"^(?:否|无|不支持|不带|没有|no|none|false|not supported)$", re.IGNORECASE)
RUN_TOGETHER = re.compile(r"(?<=[a-z]{2})[A-Z][a-z]{2}")
RUN_TOGETHER_UNIT = re.compile(r"(?<=\d )([a-z]{1,3})(?=[A-Z][a-z]{2})")  # "Water resistance: 30 mWarranty"
PRICE_KEY = re.compile(r"price|\bmrp\b|_mrp|cost|价格|售价|原价", re.IGNORECASE)
PRICE_CONTEXT = re.compile(r"(?:rs\.?|₹|inr|price[ds]?|mrp|costs?|at|for|价格|售价|仅|只要|¥|￥)\s*:?\s*$")
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
    reason: str | None = None  # why it is contradicted or unsupported, e.g. "impossible: neckline on footwear"

    @property
    def impossible(self) -> bool:
        return bool(self.reason and self.reason.startswith("impossible"))


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

    def __init__(self, record: ProductRecord, exclude_field: str | None = None, known_brands: set[str] | None = None,
                 families: FamilySet | None = None):
        self.record = record
        parts = [record.title if exclude_field != "title" else None, record.brand, record.category,
                 record.description if exclude_field != "description" else None, *record.bullet_points]
        parts += [f"{k}: {v}" for k, vs in record.attributes.items() for v in vs]
        # Myntra-style run-together sentences ("3 inner pocketsNon-Padded back") split where a word ends
        joined = RUN_TOGETHER_UNIT.sub(r"\1 ", "\n".join(p for p in parts if p))
        self.text = _norm(RUN_TOGETHER.sub(lambda m: " " + m.group(), joined))
        self.quantities = find_quantities(self.text)
        self.terms = {kind: {c for c, _, _ in _find_terms(self.text, kind)} for kind in lexicon()}
        self.keyed = {kind: self._keyed_terms(kind, hints) for kind, hints in _KEY_HINTS.items()}
        brand = record.brand or next((v for k, vs in record.attributes.items() if _norm(k) in ("品牌", "brand")
                                      for v in vs), None)
        self.brand = _norm(brand.split("/")[0]) if brand else None
        self.other_brands = {_norm(b) for b in (known_brands or set())} - {self.brand}
        self.families = families or packaged_families()
        self.categories = self.families.categories_of(record)
        # "是否有预约功能: 否": a feature the data says the product does not have
        self.negated = [_norm(NEGATED_KEY.sub("", k)) for k, vs in record.attributes.items()
                        if NEGATED_KEY.search(k) and vs and all(NEGATIVE_VALUE.match(_norm(v).strip()) for v in vs)]
        # "功效: 非直饮", "not waterproof": the value names what the product is not
        self.negated += [m.group(1) for vs in record.attributes.values() for v in vs
                         if (m := NEGATED_VALUE.match(_norm(v).strip()))]
        self.detail_text = "\n".join(line for line in self.text.split("\n")
                                     if not any(n and n in line and NEGATED_KEY.search(line) for n in self.negated))
        self.details = self._detail_values()
        self.price_numbers = price_only_numbers(record)

    def _detail_values(self) -> dict[str, set[str]]:
        """Family -> canonical values the data states (in any text field, or under a key the family holds);
        values held under a key are also kept as ``self.keyed_details``."""
        held: dict[str, set[str]] = {}
        self.keyed_details: dict[str, set[str]] = {}
        for m in self.families.find(self.detail_text):
            if m.canon:
                held.setdefault(m.family, set()).add(m.canon)
                if m.family == "pattern" and "print" in m.text:  # a floral print is printed
                    held[m.family].add("printed")
        for key, values in self.record.attributes.items():
            for fam in self.families.families.values():
                if not fam.holds_key(key):
                    continue
                for v in values:
                    nv = _norm(v).strip()
                    canons = {nv} if nv in fam.values else {m.canon for m in self.families.find(nv)
                                                             if m.family == fam.name and m.canon} or {nv}
                    held.setdefault(fam.name, set()).update(canons)
                    self.keyed_details.setdefault(fam.name, set()).update(canons)
        return held

    def check_detail(self, m: Mention) -> tuple[str, str | None, str | None] | None:
        """(status, evidence, reason) of a detail mention; None for a generic part word that is possible."""
        fam = self.families.families[m.family]
        generic = m.canon is None and not fam.patterns  # "sleeves", "鞋底": checked only for impossibility
        negated = any(_norm(m.text) in n for n in self.negated)
        presence = m.canon is None or [c for c in fam.values if c not in fam.learned] == [m.canon]
        supported = not negated and (self.states(m.text) or (m.canon in self.details.get(fam.name, ()))
                                     or (presence and not fam.patterns and not fam.exclusive and self.holds_family_key(fam)))
        if supported:
            return None if generic else (SUPPORTED, m.text, None)
        if fam.applies_to and self.categories and not self.categories & set(fam.applies_to):
            cats = ", ".join(sorted(self.categories))
            return CONTRADICTED, cats, f"impossible: {fam.name} on {cats}"
        if fam.applies_to and not self.categories and set(fam.applies_to) <= APPAREL and not self.apparel:
            return CONTRADICTED, None, f"impossible: {fam.name} on a product that is not a garment"
        if generic:
            return None
        if negated:
            return CONTRADICTED, ", ".join(self.negated), "the data says the product does not have it"
        held = (self.keyed_details if fam.exclusive == "keyed" else self.details).get(fam.name, set())
        if m.canon is not None and any(fam.excludes(m.canon, other) for other in held):
            return CONTRADICTED, ", ".join(sorted(held)), f"the data states another {fam.name}"
        return UNSUPPORTED, None, f"{fam.kind} ({fam.name}) the data does not state"

    def states(self, surface: str) -> bool:
        """Whether the data's text holds ``surface`` itself, not negated (非直饮 does not state 直饮)."""
        return bool(re.search(r"(?<!非)(?<!不)(?<!无)(?<!non-)(?<!non )(?<!not )(?<!no )" + bounded(_norm(surface)),
                              self.detail_text))

    def holds_family_key(self, fam) -> bool:
        """Whether the data holds a value under one of the family's keys: the part is there (里料材质 for the
        lining, whatever it is made of)."""
        return any(fam.holds_key(k) and any(_norm(v).strip() not in ("其他", "other", "其它", "无", "none", "")
                                            for v in vs) for k, vs in self.record.attributes.items())

    @property
    def apparel(self) -> bool:
        if not hasattr(self, "_apparel"):
            self._apparel = self.families.looks_like_apparel(self.record)
        return self._apparel

    def _keyed_terms(self, kind: str, hints: tuple[str, ...]) -> set[str]:
        values = [v for k, vs in self.record.attributes.items() if any(h in _norm(k) for h in hints) for v in vs]
        return {c for v in values for c, _, _ in _find_terms(_norm(v), kind)}

    def check_quantity(self, q: Quantity) -> tuple[str, str | None]:
        for reading in (q, *q.alternatives()):
            for src in self.quantities:
                if reading.matches(src) or (reading.dimension not in ("number",) and reading.within(src)):
                    return SUPPORTED, src.text
        same_dim = [s for s in self.quantities if s.dimension == q.dimension]
        if q.low != q.high and any(abs(s.low - q.low) < 1e-6 for s in same_dim) and any(
                abs(s.high - q.high) < 1e-6 for s in same_dim):
            return SUPPORTED, ", ".join(s.text for s in same_dim[:2])  # "15-30平米" from "15㎡-30㎡"
        if q.dimension == "year":
            return UNSUPPORTED, None  # a founding year is no contradiction of a launch year
        if q.dimension == "number":
            return UNSUPPORTED, None
        same = [s for s in self.quantities if s.dimension == q.dimension]
        return (CONTRADICTED, ", ".join(s.text for s in same[:3])) if same else (UNSUPPORTED, None)

    def check_term(self, kind: str, canon: str) -> tuple[str, str | None]:
        if canon in self.terms[kind]:
            return SUPPORTED, canon
        stated = self.keyed.get(kind) or set()
        if not stated and kind == "material":  # a material key whose value no lexicon knows (蕾丝, 超纤皮)
            stated = {v for k, vs in self.record.attributes.items() if any(h in _norm(k) for h in _KEY_HINTS[kind])
                      for v in vs if _norm(v).strip() not in ("其他", "other", "其它", "")}
        if stated and kind in ("material", "colour", "season"):
            return CONTRADICTED, ", ".join(sorted(stated))
        return UNSUPPORTED, None


def check_faithfulness(text: str, record: ProductRecord, *, exclude_field: str | None = "description",
                       known_brands: set[str] | None = None, families: FamilySet | None = None) -> FaithfulnessReport:
    """Evidence map of ``text`` against ``record`` (``exclude_field`` is the field being written;
    ``families``: the claim families, by default the packaged ones; see ``learn_families``)."""
    facts = ProductFacts(record, exclude_field, known_brands, families)
    norm, back = _split_run_together(text, tuple(record.brand_spellings()))
    sentences = [SentenceEvidence(m.group(0), back(m.start()), back(m.end())) for m in SENTENCE.finditer(norm)
                 if m.group(0).strip()]
    for s in sentences:
        s.text = text[s.start:s.end]
        s.attributes = [f"{k}: {v}" for k, vs in record.attributes.items() for v in vs
                        if len(_norm(v)) > 0 and _norm(v) in _norm(s.text)]
    for claim in _claims(norm, facts):
        claim.start, claim.end = back(claim.start), back(claim.end)
        for s in sentences:
            if s.start <= claim.start < s.end:
                claim.text = text[claim.start:claim.end]
                s.claims.append(claim)
                break
    return FaithfulnessReport(sentences)


def price_only_numbers(record: ProductRecord) -> set[str]:
    """Numbers the data holds only as a price: they may be written as a price, never as anything else."""
    prices = {n for k, vs in record.attributes.items() if PRICE_KEY.search(k) for v in vs
              for n in re.findall(r"\d+(?:\.\d+)?", _norm(v).replace(",", ""))}
    rest = [f"{k}: {v}" for k, vs in record.attributes.items() if not PRICE_KEY.search(k) for v in vs]
    rest += [x for x in (record.title, record.brand, record.category) if x]
    others = set(re.findall(r"\d+(?:\.\d+)?", _norm("\n".join(rest)).replace(",", "")))
    return prices - others


def _run_together_joins(text: str, protected: tuple[str, ...]) -> list[int]:
    """Where two sentences run together in ``text`` ("upperCushioned"), never inside a protected term."""
    inside = [(m.start(), m.end()) for term in protected if term
              for m in re.finditer(re.escape(term), text, re.IGNORECASE)]
    return [m.start() for m in RUN_TOGETHER.finditer(text) if not any(a < m.start() < b for a, b in inside)]


def _split_run_together(text: str, protected: tuple[str, ...] = ()):
    """Normalised text with a line break where two sentences run together ("upperCushioned footbed",
    as in Myntra's copy) but not inside a ``protected`` term (a brand such as "KazarMax"), and a
    function mapping its positions back to ``text``."""
    norm = _norm(text)
    joins = _run_together_joins(text, protected) if len(norm) == len(text) else []
    if not joins:
        return norm, lambda i: i
    parts, last = [], 0
    for j in joins:
        parts += [norm[last:j], "\n"]
        last = j
    inserted = [j + k for k, j in enumerate(joins)]  # where the line breaks sit in the new text
    return "".join(parts) + norm[last:], lambda i: i - bisect.bisect_right(inserted, i - 1)


def _claims(norm: str, facts: ProductFacts) -> list[Claim]:
    claims = []
    taken: list[tuple[int, int]] = []
    mentions = facts.families.find(norm)
    for kind in ("certification", "material", "colour", "season"):
        for canon, start, end in _find_terms(norm, kind):
            if any(m.start <= start and end <= m.end and m.end - m.start > end - start for m in mentions):
                continue  # "silver" inside "sterling silver", "gold" inside "gold-plated": the longer detail
            status, evidence = facts.check_term(kind, canon)
            claims.append(Claim(kind, norm[start:end], start, end, status, evidence))
            taken.append((start, end))
    for m in mentions:
        if any(s < m.end and m.start < e for s, e in taken):
            continue
        verdict = facts.check_detail(m)
        if verdict is not None:
            claims.append(Claim(f"detail:{m.family}", m.text, m.start, m.end, *verdict))
            taken.append((m.start, m.end))
    claims += _product_type_claims(norm, facts, taken)
    for p in senseless_placements(norm, mentions, facts.categories) + garments_as_parts(
            norm, facts.families.category_mentions(norm), mentions):
        claims.append(Claim("detail:placement", p.text, p.start, p.end, CONTRADICTED, None, p.reason))
    for p in senseless_functions(norm, facts.categories, facts.record):
        claims.append(Claim("detail:sense", p.text, p.start, p.end, CONTRADICTED, None, p.reason))
    if facts.record.locale == "zh-CN":
        for p in unplaced_features(norm, mentions, facts.record.attributes):
            if not any(c.start < p.end and p.start < c.end and c.status == CONTRADICTED for c in claims):
                claims.append(Claim("detail:placement", p.text, p.start, p.end, UNSUPPORTED, None, p.reason))
    for q in find_quantities(norm):
        if q.unit == "counted" and any(c.start < q.end and q.start < c.end for c in claims):
            continue  # "two pockets": the detail claim on the part judges it
        inside = next((c for c in claims if c.start <= q.start < c.end), None)
        price_role = _price_misused(norm, q, facts)
        if inside is not None:
            if price_role and inside.kind.startswith("detail:"):  # "since its inception in 1199" (a price)
                inside.status, inside.reason = CONTRADICTED, price_role
            continue
        status, evidence = facts.check_quantity(q)
        reason = None
        if price_role:
            status, reason = CONTRADICTED, price_role
        kind = "number" if q.dimension == "number" else f"quantity:{q.dimension}"
        claims.append(Claim(kind, q.text, q.start, q.end, status, evidence, reason))
    if facts.brand and facts.brand in norm:
        start = norm.index(facts.brand)
        claims.append(Claim("brand", facts.brand, start, start + len(facts.brand), SUPPORTED, facts.brand))
    for brand in facts.other_brands:
        if brand and re.search(rf"(?<![a-z]){re.escape(brand)}(?![a-z])", norm):
            start = norm.index(brand)
            claims.append(Claim("brand", brand, start, start + len(brand), CONTRADICTED, facts.brand))
    return sorted(claims, key=lambda c: c.start)


# another product the copy mentions ("pair it with chinos", 搭配小白鞋, "fits your handbag")
# whole words: "formal" is not "for", "order" is not "or"
_OTHER_PRODUCT_CUE = re.compile(r"(?:\b(?:with|for|pair(?:ed|s|ing)?|style[ds]?|styling|match(?:es|ed|ing)?|into"
                                r"|in your|or)\b|搭配|配|放|装|适合|收纳)"
                                r"[\w\s'.-]{0,12}$")
_NOUN_AFTER = re.compile(r"\s+(?!with\b|has\b|in\b|for\b|from\b|by\b|that\b|which\b|and\b|featuring\b)[a-z]")
APPAREL = {"top", "outerwear", "dress", "skirt", "bottom", "bra", "innerwear_bottom", "ethnic_accessory"}


def _group(category: str) -> str:
    return "apparel" if category in APPAREL else category


def _product_type_claims(norm: str, facts: ProductFacts, taken: list[tuple[int, int]]) -> list[Claim]:
    """The product type the copy names in its first clause ("… sports shoes" for a bra): contradicted when it
    belongs to another kind of product than the data's (footwear for apparel, a bag for jewellery)."""
    if not facts.categories:
        return []
    first = CLAUSE.match(norm)
    end = first.end() if first else len(norm)
    groups = {_group(c) for c in facts.categories}
    out = []
    heads = [(cats, start, stop) for cats, start, stop in facts.families.category_mentions(norm[:end])
             if not _OTHER_PRODUCT_CUE.search(norm[max(0, start - 14):start]) and not _NOUN_AFTER.match(norm, stop)]
    if heads:
        cats, start, stop = heads[-1]  # the head noun: the product the first clause names
        other = not any(_group(c) in groups for c in cats) and not any(s < stop and start < e for s, e in taken)
        if other and facts.states(norm[start:stop]):  # 腰带 on a dress whose data lists a belt: a part of it
            out.append(Claim("detail:product_type", norm[start:stop], start, stop, SUPPORTED, norm[start:stop]))
        elif other:
            out.append(Claim("detail:product_type", norm[start:stop], start, stop, CONTRADICTED,
                             ", ".join(sorted(facts.categories)), f"impossible: the copy names {cats[0]} for "
                             f"{', '.join(sorted(facts.categories))}"))
    return out


def _price_misused(norm: str, q: Quantity, facts: ProductFacts) -> str | None:
    """A number the data holds only as a price, written in another role (a year, a size, a count)."""
    digits = re.sub(r"[^0-9.]", "", q.text.split("-")[0]) if q.dimension != "year" else q.text
    if not digits or digits.rstrip(".") not in facts.price_numbers:
        return None
    if q.dimension == "money" or PRICE_CONTEXT.search(norm[max(0, q.start - 12):q.start]):
        return None
    role = "year" if q.dimension == "year" else ("number" if q.dimension == "number" else q.dimension)
    return f"the price {digits} written as a {role}"


def clause_spans(text: str, protected: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """(start, end) of each clause of ``text``: the unit the guard and target cleaning cut. Two sentences
    run together ("lockOne handle") are two clauses, unless the join is inside a ``protected`` term
    (a brand such as "EthnoVogue")."""
    joins = _run_together_joins(text, protected)
    spans = []
    for m in CLAUSE.finditer(text):
        if not m.group(0).strip():
            continue
        cuts = [m.start()] + [j for j in joins if m.start() < j < m.end()] + [m.end()]
        spans += [(a, b) for a, b in zip(cuts, cuts[1:])]
    return spans


# what a cut inside a sentence leaves when the span was a verb's object or a clause's subject ("helps to from
# your skin", "is a refreshing that"): the whole clause goes instead
_FUNCTION = r"(?:to|from|with|of|in|for|by|and|or|is|are|was|were|a|an|the|that|which|helps?|can|will|its|your)"
_BROKEN = re.compile(rf"\b(?:to|from|with|of|in|for|by|a|an|the|helps?|can|will|its|your)\s+{_FUNCTION}\b"
                     rf"|\b(?:a|an|the)\s+[a-z]+(?:ing|ful|ous|ive|al)\s+(?:that|which|and|from|to)\b"
                     rf"|(?:采用|采用了|设计了|添加了|带有|具有|拥有|选用|搭配)(?:的|为|[，。,.]|$)", re.IGNORECASE)
_DANGLING = re.compile(r"(?:\b(?:has|have|with|and|a|an|the|in|of|featuring|features|is|are|by)\s*)+(?=[,，.。]|$)",
                       re.IGNORECASE)


def orphaned_clauses(text: str, spans: list[tuple[int, int]], protected: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """The clauses a cut leaves without their subject: in a Chinese sentence (not the first) whose opening
    clause holds a span ("裤脚采用拼接的工艺，修饰腿部线条。"), the rest of the sentence says what the cut part
    does, and goes with it."""
    out, orphaned = [], False
    for i, (start, end) in enumerate(clause_spans(text, protected)):
        hit = any(start <= a < end for a, _ in spans)
        if i == 0 or text[:start].rstrip()[-1:] in ".。!！?？":
            orphaned = hit and i > 0 and bool(re.search(r"[\u4e00-\u9fff]", text[start:end]))
        elif orphaned and not hit:
            out.append((start, end))
    return out


def _whole_words(clause: str, a: int, b: int) -> tuple[int, int]:
    """The span ``a:b`` of a Chinese clause widened to the words it falls inside: cutting 纯白 from 纯白色
    takes the 色 too (not 采用色为主体)."""
    if not re.search(r"[\u4e00-\u9fff]", clause[a:b]):
        return a, b
    import jieba

    for word, start, end in jieba.tokenize(clause):
        if start < a < end:
            a = start
        if start < b < end:
            b = end
    return a, b


def cut_clauses(text: str, spans: list[tuple[int, int]], protected: tuple[str, ...] = ()) -> tuple[str, int]:
    """``text`` without the clauses that hold any of ``spans``; the first clause, which names the product,
    loses only the spans themselves ("green printed woven top" -> "green printed top"), unless nothing
    but function words would be left of it. In Chinese a cut clause that opens a sentence takes the rest of
    the sentence with it (``orphaned_clauses``: what follows speaks of the part cut). A cut before a sentence
    end keeps the end mark, and the text is tidied (no leading comma, no doubled punctuation, no dangling
    "has a")."""
    kept, dropped = [], 0
    spans = list(spans) + orphaned_clauses(text, spans, protected)
    for i, (start, end) in enumerate(clause_spans(text, protected)):
        hits = [(a, b) for a, b in spans if a < end and b > start]  # a claim running on past a comma cuts on
        if not hits:
            kept.append(text[start:end])
            continue
        if i == 0:
            clause = text[start:end]
            for a, b in sorted((_whole_words(clause, max(a, start) - start, min(b, end) - start)
                                for a, b in hits), reverse=True):
                clause = clause[:a] + clause[b:]
            clause = _DANGLING.sub("", re.sub(r"[ \t]{2,}", " ", clause))
            clause = re.sub(r"\.{2,}", ".", re.sub(r"\s+([,，.。])", r"\1", clause)).strip()
            whole = len(re.findall(r"[A-Za-z]{2,}", clause)) >= 2 or len(re.findall(r"[\u4e00-\u9fff]", clause)) >= 3
            if whole and not _BROKEN.search(clause):
                kept.append(clause + ("" if clause[-1:] in ",，、;；。.!！?？" else text[end - 1:end]
                                      if text[end - 1:end] in ",，、;；" else ""))
                dropped += 1
                continue
        dropped += 1
        mark = text[start:end].rstrip()[-1:]
        if mark in ".。!！?？" and kept and kept[-1].rstrip()[-1:] not in ".。!！?？":
            kept[-1] = kept[-1].rstrip().rstrip(",，、;；") + mark
    out = "".join(kept).strip().lstrip(",，、;；").strip()
    out = re.sub(r"[,，、;；]\s*$", "", out)
    if out and out[-1] not in ".。!！?？" and text.rstrip()[-1:] in ".。!！?？":
        out += "。" if re.search(r"[\u4e00-\u9fff]", out) else "."
    return out, dropped


def is_invented(claim: Claim) -> bool:
    """A checkable fact the data does not back: an unsupported or contradicted detail, material, number,
    quantity or certification (praise, seasons and brands are not counted)."""
    return claim.status in (UNSUPPORTED, CONTRADICTED) and (
        claim.kind.startswith(("detail:", "quantity:")) or claim.kind in ("material", "number", "certification"))
