"""Prose training targets for English catalogs whose human copy is a spec string (issue 25, items 3 and 7).

Myntra-style references are not descriptions: "Blue checked casual shirt, has a spread collar, long
sleevesWarranty: 3 months". Trained on them as they are, a model invents collars and warranties; cut to
what the data backs, they become the title reworded — an editor publishes neither. With
``data.prose_targets`` every English training (and dev) product is given a target of two to four sentences:

1. what the product is, from its title (brand, gender and the title's own words);
2. the details its reference states, said as sentences — and those details are **moved into the
   product's data** (attribute ``details``, plus ``material``, ``pattern``… for the reference's
   ``Key: value`` lines), so every target is backed by its input (item 3: move details into the input
   instead of cutting them);
3. how to wear or use it: a suggestion for the product's type, never a claim.

A share of the products (``thin_share``) keeps its thin data and gets sentences 1 and 3 only, so the model
also learns to write from a title and three attributes without inventing the rest. A reference that is
already prose (sentences of their own, such as beauty copy) is kept as it is. The test split is never
touched: it is scored against the catalog's own copy.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.tasks.wear import is_plural, use_suggestion

# two sentences run together ("lockOne handle"; "3 monthsWarranty") and "Key: value" lines
_RUN_TOGETHER = re.compile(r"(?<=[a-z0-9)]{2})(?=[A-Z][a-z]{2})|(?<=[a-z]{3})(?=\d+ [a-z])|\s{3,}")
_RUN_TOGETHER_UNIT = re.compile(r"(?<=\d )([a-z]{1,3})(?=[A-Z][a-z]{2})")  # "30 mWarranty: 1 year"
_KEY_VALUE = re.compile(r"^([A-Z][A-Za-z /&-]{1,30}?)\s*:\s*(.+)$")
_HAS = re.compile(r"^(?:and\s+)?(?:has|have|with|comes with)\s+", re.I)
_LEADING_AND = re.compile(r"^(?:and|&)\s+", re.I)
# a reference sentence of its own (a verb phrase of many words): the reference is prose already
_PROSE_WORDS = 14

# Key: value lines that become data and a sentence; other keys become data only
_FACT_SENTENCES = {
    "material": "It is made of {v}.",
    "fabric": "It is made of {v}.",
    "pattern": "The pattern is {v}.",
    "set content": "The set contains {v}.",
    "content": "The set contains {v}.",
    "fitting": "It has a {v} fit.",
    "closure": "It closes with {v}.",
    "lining": "It has {v} lining.",
    "shape": "Its shape is {v}.",
    "movement": "It runs on a {v} movement.",
    "display": "It has {v} display.",
    "dial style": "The dial is {v}.",
    "strap style": "The strap is {v}.",
    "water resistance": "It is water resistant to {v}.",
    "water-resistance": "Water resistance: {v}.",
    "warranty": "It comes with a {v} warranty.",
    "type": "It is a {v}.",
    "finish": "It has a {v} finish.",
    "back style": "The back is {v}.",
    "frame material": "The frame is made of {v}.",
    "frame style": "The frame is {v}.",
    "lens colour": "The lenses are {v}.",
}
_SKIP_KEYS = {"disclaimer", "warranty provided by", "colour", "color", "note"}

_GENDER = {"men": "men", "women": "women", "men's": "men", "women's": "women", "woman": "women", "boys": "boys", "girls": "girls", "kids": "kids",
           "unisex": None, "infant": "babies", "infants": "babies", "babies": "babies"}

_ARTICLE = re.compile(r"^(a|an|the|one|two|three|four|five|six|\d+)\b", re.I)
# a feature is said as "It has <feature>": the head noun decides its article; adjectives have their own sentence
_COUNT_NOUNS = {"neck", "collar", "hem", "hemline", "placket", "pocket", "closure", "waistband", "lining", "heel",
                "footbed", "outsole", "upper", "strap", "loop", "compartment", "back", "detail", "cowl", "slit",
                "hood", "yoke", "cuff", "zip", "fly", "sole", "dial", "case", "buckle", "fastening", "insole",
                "midsole", "toe", "vamp", "tongue", "drawstring", "belt", "panel", "insert", "layer", "flap",
                "handle", "trolley", "lock", "pouch", "sleeve", "bow", "tie", "tassel", "fringe", "trim", "print",
                "design", "finish", "frame", "bezel", "crown", "clasp", "chain", "pendant", "sleeve"}
_MASS_NOUNS = {"styling", "detailing", "padding", "embroidery", "cushioning", "lining", "ruffles"}
_ADJECTIVES = {"sleeveless", "strapless", "backless", "reversible", "stretchable", "lightweight", "padded",
               "non-padded", "wired", "non-wired", "seamless"}
_CLAIM_VERBS = re.compile(r"\b(provides?|gives?|ensures?|offers?|keeps?|makes?|helps?|allows?|prevents?|"
                          r"absorbs?|protects?|improves?|%s)\b|\bwarranty\b|\b\w+ed (with|by|for|to)\b", re.I)


@dataclass
class ProseStats:
    rewritten: int = 0
    thin: int = 0
    kept_prose: int = 0
    examples: list[dict] = field(default_factory=list)  # a few before/after rows for the run folder


def prose_targets(records: list[ProductRecord], *, target_field: str = "description", thin_share: float = 0.35,
                  seed: int = 0) -> tuple[list[ProductRecord], ProseStats]:
    """Every English record with a spec-string reference rewritten as described in the module docstring."""
    stats = ProseStats()
    out = []
    for record in records:
        reference = record.field_text(target_field)
        if record.locale != "en" or not reference or not record.title:
            out.append(record)
            continue
        spec = parse_spec(reference)
        if spec.prose:
            stats.kept_prose += 1
            out.append(record)
            continue
        rng = random.Random(f"{seed}:{record.id}")
        thin = rng.random() < thin_share
        new = _rewrite(record, spec, rng, thin=thin, target_field=target_field)
        stats.rewritten += 1
        stats.thin += thin
        if len(stats.examples) < 20:
            stats.examples.append({"id": record.id, "before": reference, "after": new.field_text(target_field),
                                   "attributes_added": {k: v for k, v in new.attributes.items()
                                                        if k not in record.attributes}})
        out.append(new)
    return out, stats


SPEC_SHARE_AUTO = 0.5


def spec_string_share(records: list[ProductRecord], target_field: str = "description") -> float:
    """Share of the English references that are spec strings ("…shirt, has a spread collar", run-together
    sentences, "Key: value" lines) rather than prose: ``data.prose_targets=auto`` is on from ``SPEC_SHARE_AUTO``."""
    refs = [r.field_text(target_field) for r in records if r.locale == "en" and r.field_text(target_field)]
    spec = sum(bool(_RUN_TOGETHER.search(ref) or re.search(r",\s*(?:has|with)\s", ref)
                    or any(_KEY_VALUE.match(line.strip()) for line in ref.splitlines())) for ref in refs)
    return spec / len(refs) if refs else 0.0


@dataclass
class Spec:
    features: list[str] = field(default_factory=list)  # "a spread collar", "long sleeves"
    facts: list[tuple[str, str]] = field(default_factory=list)  # ("Material", "cotton")
    prose: bool = False


def parse_spec(reference: str) -> Spec:
    """The features and ``Key: value`` facts of a spec-string reference; ``prose`` when it is sentences."""
    spec = Spec()
    text = _RUN_TOGETHER.sub("\n", _RUN_TOGETHER_UNIT.sub(r"\1\n", reference))
    lines = [line.strip(" .-") for line in text.split("\n") if line.strip(" .-")]
    for n, line in enumerate(lines):
        match = _KEY_VALUE.match(line)
        if match:
            key, value = match.group(1).strip(), match.group(2).strip(" .")
            if key.lower() not in _SKIP_KEYS and value and len(value.split()) <= 8:
                spec.facts.append((key, value))
            elif len(value.split()) > _PROSE_WORDS:
                spec.prose = True
            continue
        pieces = [p.strip() for p in re.split(r",+\s*", line) if p.strip()]
        if n == 0 and pieces:  # the head names the product ("A pair of black, blue and beige heels"): the title says it
            starts = [i for i, p in enumerate(pieces) if _HAS.match(p)]
            pieces = pieces[starts[0]:] if starts else pieces[1:]
        for piece in pieces:
            if len(piece.split()) > _PROSE_WORDS:
                spec.prose = True
            feature = as_feature(_LEADING_AND.sub("", _HAS.sub("", piece)).strip())
            if feature:
                spec.features.append(feature)
    spec.features = list(dict.fromkeys(spec.features))
    return spec


def _rewrite(record: ProductRecord, spec: Spec, rng: random.Random, *, thin: bool,
             target_field: str) -> ProductRecord:
    sentences = [what_it_is(record, rng)]
    attributes = dict(record.attributes)
    if not thin:
        if spec.features:
            attributes["details"] = spec.features
            sentences += _feature_sentences(spec.features, is_plural(record.title.split()))
        for key, value in spec.facts:
            attributes.setdefault(key.lower(), [value])
            template = _FACT_SENTENCES.get(key.lower())
            if template and value.lower() not in {"yes", "no", "na", "n/a"} and len(value.split()) <= 4:
                sentences.append(template.format(v=value[0].lower() + value[1:] if not value.isupper() else value))
    use = use_suggestion(record, rng)
    if use:
        sentences.append(use)
    text = " ".join(sentences[:4]) if len(sentences) <= 4 else " ".join(sentences[:3] + sentences[-1:])
    return record.model_copy(update={"attributes": attributes, target_field: text, "references": []})


def what_it_is(record: ProductRecord, rng: random.Random) -> str:
    """The product in one sentence from its title: "This blue slim fit checked casual shirt from Parx is made
    for men." """
    words = record.title.split()
    brand = (record.brand or "").strip()
    if brand and record.title.lower().startswith(brand.lower()):
        words = record.title[len(brand):].split()
    gender = None
    rest = []
    for word in words:
        key = word.lower().strip(",")
        if gender is None and key in _GENDER and not rest:
            gender = _GENDER[key] or ""
            continue
        rest.append(word)
    rest = [w for w in rest if not (re.search(r"\d", w) and re.search(r"[A-Za-z]", w) and len(w) >= 4
                                    and not re.fullmatch(r"\d+(ml|g|kg|l|cm|mm|inch(es)?|pcs)", w, re.I))]
    thing = " ".join(w if _keep_case(w) else w.lower() for w in rest).strip()
    plural = is_plural(rest)
    be = "are" if plural else "is"
    this = "These" if plural else "This"
    by = f" from {brand}" if brand else ""
    gender_part = f" made for {gender}" if gender else ""
    options = [f"{this} {thing}{by} {be}{gender_part or ' made for everyday use'}."]
    if brand:
        options.append(f"{brand} brings you {'these' if plural else _a(thing)} {thing}"
                       f"{', made for ' + gender if gender else ''}.")
    return _capital(rng.choice(options))


def as_feature(piece: str) -> str | None:
    """A reference piece as it reads after "It has": "Cushioned footbed" -> "a cushioned footbed"; an
    adjective as it is ("sleeveless"); None for what is not a plain part or a claim ("provides better grip")."""
    piece = re.sub(r"\s+", " ", piece).strip(" .;")
    words = piece.split()
    if not words or len(words) > 8 or _CLAIM_VERBS.search(piece):
        return None
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in words]
    text, last = " ".join(words), words[-1]
    if len(words) == 1 and last in _ADJECTIVES:
        return text
    if _ARTICLE.match(text) or last.endswith("s") and last not in {"dress"} or last in _MASS_NOUNS:
        return text
    if last in _COUNT_NOUNS:
        return f"{_a(text)} {text}"
    return None


def _feature_sentences(features: list[str], plural: bool) -> list[str]:
    adjectives = [f for f in features if f in _ADJECTIVES]
    parts = [f for f in features if f not in _ADJECTIVES]
    it, be, has = ("They", "are", "have") if plural else ("It", "is", "has")
    out = [f"{it} {be} {' and '.join(adjectives)}."] if adjectives else []
    chunks = [parts[:4], parts[4:8]] if len(parts) > 4 else [parts]
    for i, chunk in enumerate(c for c in chunks if c):
        listed = chunk[0] if len(chunk) == 1 else ", ".join(chunk[:-1]) + " and " + chunk[-1]
        out.append(f"{it} {has if i == 0 else 'also ' + has} {listed}.")
    return out[:3]


def _keep_case(word: str) -> bool:
    """Acronyms and brand-like spellings keep their case ("USB", "LayUp", "T-shirt"); "Slim-Fit" does not."""
    if word.isupper() and len(word) > 1 or word.lower() in {"t-shirt", "t-shirts"}:
        return True
    return "-" not in word and word[:1].isupper() and any(c.isupper() for c in word[1:])


def _a(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
