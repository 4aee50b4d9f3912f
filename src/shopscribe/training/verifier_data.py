"""Synthetic training data for the claim verifier, built from catalogs (issue 24; MiniCheck-style).

For each product one example: its data (``quality.verifier.evidence_text``), sometimes with one or two
attributes or given-text sentences removed, and about eight claims with labels:

- supported: an attribute said in a sentence (templates per locale), a piece of the title, a sentence of
  the given text, or praise and styling that states no fact;
- unsupported: a claim resting on what was removed from the data; a sentence transplanted from another
  product's text or references; another product's attribute whose key this product does not have;
- contradicted: a value swapped for another value of the same attribute (values learned across the
  catalog), for a value of another category's attribute, or a number for another number; a colour or brand
  in a title piece or a given-text sentence swapped for another.

Products of held-out categories (``held_out``: keywords matched in title, category, attributes and the
first words of the given text) and
products listed in ``exclude_ids`` are never used, as products or as sources of values.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from shopscribe.catalog.record import ProductRecord
from shopscribe.config import checked_jsonl
from shopscribe.quality.verifier import evidence_text

SENTENCE_SPLIT = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n|(?<=[a-z]{2})(?=[A-Z][a-z]{2})")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
SKIP_KEY = re.compile(r"price|mrp|价格|售价|货号|型号|款号|sku|id$|条码", re.IGNORECASE)

ATTRIBUTE_TEMPLATES = {
    "en": ["The {k} is {v}.", "It comes in {v}.", "Its {k}: {v}.", "This one is {v}.",
           "A {v} design.", "It features {v}.", "Made with {v} in mind, it suits daily use.",
           "Expect {v} from this piece."],
    "zh-CN": ["{k}为{v}。", "这款的{k}是{v}。", "采用{v}设计。", "{v}的{k}，很实用。", "它的{k}属于{v}。",
              "选用{v}。", "整体是{v}的。", "主打{v}。"],
}
MISSING_KEY_TEMPLATES = {
    "en": ["The {k} is {v}.", "It has {v}.", "It comes with {v}.", "It offers {v}."],
    "zh-CN": ["{k}为{v}。", "带有{v}。", "具备{v}。", "配有{v}。"],
}
TITLE_TEMPLATES = {
    "en": ["This is a {t}.", "Meet the {t}.", "A {t} for every day.", "Here is the {t}."],
    "zh-CN": ["这是一款{t}。", "这款{t}值得入手。", "{t}，日常好用。", "推荐这款{t}。"],
}
PRAISE = {
    "en": ["A great pick for everyday use.", "It looks good and feels easy to live with.",
           "A smart addition to your collection.", "Style it your way for any occasion.",
           "You will love how it looks.", "A thoughtful gift idea.", "It makes a strong style statement.",
           "Pair it with your favourite outfit.", "Simple, versatile and easy to style.",
           "Designed to make everyday life a little better."],
    "zh-CN": ["颜值在线，日常使用很合适。", "简约大方，百搭不挑人。", "送人自用都很合适。", "彰显品味，彰显个性。",
              "用起来让人心情愉悦。", "是居家必备的好物。", "质感出众，值得拥有。", "轻松搭配各种风格。",
              "细节之处见用心。", "让生活更有品质。"],
}
PRAISE_PARTS = {
    "en": {"a": ["stylish", "elegant", "versatile", "chic", "classy", "trendy", "sleek", "timeless", "charming",
                 "smart", "lovely", "fresh", "bold", "effortless", "refined"],
           "occ": ["work", "weekends", "parties", "travel", "everyday use", "gifting", "the festive season",
                   "a day out", "casual outings", "special occasions"],
           "frames": ["A {a} choice for {occ}.", "{A} and {b}, it is sure to turn heads.", "Perfect for {occ}.",
                      "Add a {a} touch to your look.", "A {a} pick you will reach for again and again.",
                      "Its {a} look works for {occ}.", "Go {a} this season.", "{A}, {b} and made to be noticed."]},
    "zh-CN": {"a": ["时尚", "优雅", "百搭", "大气", "精致", "简约", "高级", "气质", "清新", "潮流", "经典", "温柔", "利落"],
              "occ": ["日常通勤", "周末出游", "约会聚会", "居家", "送礼", "旅行", "上班", "节日"],
              "frames": ["{a}又{b}，{occ}都合适。", "尽显{a}气质。", "适合{occ}。", "{a}感十足，让人眼前一亮。",
                         "无论{occ}还是{occ2}都很合适。", "简单却不失{a}。", "带来{a}的感受。", "彰显{a}品味。"]},
}


def praise(rng: random.Random, locale: str) -> str:
    """Praise or a styling suggestion that states no fact about the product (supported)."""
    if rng.random() < 0.3:
        return rng.choice(PRAISE[locale])
    parts = PRAISE_PARTS[locale]
    a, b = rng.sample(parts["a"], 2)
    occ, occ2 = rng.sample(parts["occ"], 2)
    return rng.choice(parts["frames"]).format(a=a, b=b, A=a.capitalize(), occ=occ, occ2=occ2)


def reworded(sentence: str, locale: str, rng: random.Random) -> str:
    """A given-text sentence as copy would say it (a subject added, the first letter lowered)."""
    if locale == "zh-CN":
        return rng.choice(["", "这款", "它", "产品"]) + sentence
    if rng.random() < 0.5:
        return sentence
    body = sentence[0].lower() + sentence[1:] if sentence[:2].isalpha() and not sentence[:2].isupper() else sentence
    if body.startswith(("has ", "have ", "comes ")) or not body[:1].isalpha():
        return "It " + body.replace("have ", "has ", 1)
    return rng.choice(["It features ", "You get ", "It offers ", "Expect "]) + body


@dataclass
class VerifierExample:
    id: str
    locale: str
    evidence: str
    claims: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    how: list[str] = field(default_factory=list)

    def add(self, claim: str, label: str, how: str) -> None:
        if claim and claim.strip() and claim not in self.claims:
            self.claims.append(claim.strip())
            self.labels.append(label)
            self.how.append(how)


def sentences(text: str | None, locale: str) -> list[str]:
    """The given text's sentences (run-together Myntra sentences split too); Chinese text by clause groups."""
    if not text:
        return []
    parts = [p.strip() for p in SENTENCE_SPLIT.split(text) if p and p.strip()]
    if locale == "zh-CN":
        parts = [q.strip() + "。" for p in parts for q in re.split(r"[，,。！？!?；;]", p) if len(q.strip()) >= 5]
    return [p for p in parts if 12 <= len(p) <= 200 or (locale == "zh-CN" and 5 <= len(p) <= 60)]


def detail_clauses(sentence: str, locale: str) -> list[str]:
    """The clauses of a given-text sentence that each state one detail ("has a hood", "two side pockets")."""
    if locale == "zh-CN":
        return [c.strip() for c in re.split(r"[，,、；;。]", sentence) if len(c.strip()) >= 4]
    return [re.sub(r"^(?:and|with)\s+", "", c.strip(" .")) for c in re.split(r",\s*|\s+and\s+|;\s*", sentence)
            if len(c.split()) >= 2]


def held_out(record: ProductRecord, keywords: list[str]) -> bool:
    text = " ".join([record.title or "", record.category or "", *record.attribute_values(),
                     (record.description or "")[:60]]).lower()
    return any(k.lower() in text for k in keywords)


class ValueBank:
    """Values per attribute key and per locale across the catalog, for swaps and transplants."""

    def __init__(self, records: list[ProductRecord]):
        self.values: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.attributes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.brands: dict[str, set[str]] = defaultdict(set)
        for r in records:
            for k, vs in r.copy_attributes().items():
                if SKIP_KEY.search(k):
                    continue
                for v in vs:
                    if 1 <= len(v) <= 30:
                        self.values[(r.locale, k)].add(v)
                        self.attributes[r.locale].append((k, v))
            if r.brand_spellings():
                self.brands[r.locale].add(r.brand_spellings()[0])
        # the words seen between the same two neighbours in the catalog's text ("a ___ closure": zip, button,
        # hook): another value of the same detail, for contradictions inside a sentence of the given text
        self.slots: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
        for r in records:
            for text in [r.description, *r.references]:
                for clause in (c for x in sentences(text, r.locale) for c in detail_clauses(x, r.locale)):
                    w = words(clause, r.locale)
                    for i in range(1, len(w) - 1):
                        if is_slot_word(w[i], r.locale):
                            self.slots[(r.locale, w[i - 1].lower(), w[i + 1].lower())][w[i].lower()] += 1

    def other_value(self, rng: random.Random, locale: str, key: str, value: str, source: str) -> str | None:
        pool = [v for v in self.values.get((locale, key), ()) if v != value and v.lower() not in source.lower()
                and value.lower() not in v.lower() and v.lower() not in value.lower()]
        return rng.choice(sorted(pool)) if pool else None


STOP = {"has", "have", "with", "and", "the", "a", "an", "of", "in", "on", "to", "for", "is", "are", "it",
        "的", "了", "和", "与", "是", "在", "有", "也", "很", "更", "又"}


def words(text: str, locale: str) -> list[str]:
    """The words of ``text`` (jieba for Chinese), spaces and punctuation left out."""
    return [text[a:b] for a, b in word_spans(text, locale)]


def word_spans(text: str, locale: str) -> list[tuple[int, int]]:
    if locale == "zh-CN":
        import jieba

        return [(a, b) for _, a, b in jieba.tokenize(text) if text[a:b].strip()]
    return [m.span() for m in re.finditer(r"[A-Za-z][A-Za-z'-]*|\d+(?:\.\d+)?", text)]


def is_slot_word(word: str, locale: str) -> bool:
    if word.lower() in STOP or not word.strip():
        return False
    if locale == "zh-CN":
        return bool(re.fullmatch(r"[\u4e00-\u9fff]{1,4}|\d+(?:\.\d+)?", word))
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z'-]{2,}|\d+(?:\.\d+)?", word))


def swap_slot(clause: str, locale: str, bank: "ValueBank", rng: random.Random, evidence_lower: str) -> str | None:
    """``clause`` with one word replaced by another the catalog writes between the same neighbours
    ("has a zip closure" -> "has a button closure"), the new word absent from the data."""
    spans = word_spans(clause, locale)
    w = [clause[a:b] for a, b in spans]
    options = []
    for i in range(1, len(w) - 1):
        if not is_slot_word(w[i], locale):
            continue
        seen = bank.slots.get((locale, w[i - 1].lower(), w[i + 1].lower()))
        if not seen or seen[w[i].lower()] < 3:  # only a word the catalog often writes there
            continue
        alternatives = [x for x, n in seen.items() if n >= 3 and x != w[i].lower()
                        and x not in evidence_lower and w[i].lower() not in x and x not in w[i].lower()]
        if alternatives:
            options.append((i, alternatives))
    if not options:
        return None
    i, alternatives = rng.choice(options)
    new = rng.choice(sorted(alternatives))
    if w[i][:1].isupper():
        new = new.capitalize()
    a, b = spans[i]
    return clause[:a] + new + clause[b:]


def swap_number(rng: random.Random, text: str) -> str | None:
    found = list(NUMBER.finditer(text))
    if not found:
        return None
    m = rng.choice(found)
    n = float(m.group())
    new = rng.choice([n * 2, n + 1, max(n - 1, 0), n * 3, n + 10, n / 2])
    new_text = f"{new:g}" if new != int(new) else str(int(new))
    if new_text == m.group():
        return None
    return text[: m.start()] + new_text + text[m.end():]


def swap_known(text: str, values: list[str], rng: random.Random, bank: ValueBank, locale: str,
               key_of: dict[str, str], source: str) -> str | None:
    """``text`` with one of the product's values it names swapped for another value of the same key."""
    present = [v for v in values if len(v) >= 2 and re.search(value_pattern(v), text, re.IGNORECASE)]
    rng.shuffle(present)
    for v in present:
        other = bank.other_value(rng, locale, key_of[v], v, source)
        if other:
            return re.sub(value_pattern(v), lambda _: other, text, count=1, flags=re.IGNORECASE)
    return None


def value_pattern(value: str) -> str:
    """A value as a whole word in English ("red" not inside "coloured"), anywhere in Chinese."""
    return rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])" if value.isascii() else re.escape(value)


def group_of(record: ProductRecord) -> str:
    """A coarse product group (the title's last word, or the category / type) for picking donors alike."""
    if record.category:
        return record.category
    kind = next((vs[0] for k, vs in record.attributes.items() if k in ("类型", "type") and vs), None)
    if kind:
        return kind
    return (record.title or "").split()[-1].lower() if record.title and record.locale == "en" else ""


def build_example(record: ProductRecord, bank: ValueBank, rng: random.Random, exclude_field: str | None,
                  donors: list[ProductRecord], group_donors: dict[str, list[ProductRecord]] | None = None
                  ) -> VerifierExample | None:
    loc = record.locale
    attrs = [(k, v) for k, vs in record.copy_attributes().items() if not SKIP_KEY.search(k) for v in vs
             if 1 <= len(v) <= 30 and v.lower() not in ("其他", "other", "无", "none")]
    given = sentences(record.description if exclude_field != "description" else None, loc)
    given += [s for b in record.bullet_points for s in sentences(b, loc)]
    # remove one or two things from the data: claims resting on them become unsupported
    removed_attrs, removed_sents = [], []
    work = record.model_copy(deep=True)
    keys = sorted({k for k, _ in attrs})
    if rng.random() < 0.7 and len(keys) >= 3:  # whole keys: one value left would make the claim contradicted
        for k in rng.sample(keys, k=min(2, len(keys) - 2)):
            work.attributes.pop(k, None)
            removed_attrs += [(k, v) for kk, v in attrs if kk == k]
    parts = [c for s in given for c in detail_clauses(s, loc)][1:]  # the first names the product itself
    if parts and rng.random() < 0.6 and exclude_field != "description":
        c = rng.choice(parts)
        if (work.description or "").count(c) == 1:
            removed_sents.append(c)
            work.description = (work.description or "").replace(c, " ")
    if given and rng.random() < 0.4 and len(given) >= 3 and exclude_field != "description":
        s = rng.choice(given)
        removed_sents.append(s)
        work.description = (work.description or "").replace(s.rstrip("。"), " ")
    evidence = evidence_text(work, exclude_field)
    low = evidence.lower()
    ex = VerifierExample(record.id, loc, evidence)
    kept_attrs = [(k, v) for k, v in attrs if (k, v) not in removed_attrs and v.lower() in low]
    key_of = {v: k for k, v in attrs}
    candidates: list[tuple[str, str, str]] = []
    # supported
    for k, v in rng.sample(kept_attrs, k=min(3, len(kept_attrs))):
        candidates.append((rng.choice(ATTRIBUTE_TEMPLATES[loc]).format(k=k, v=v), "supported", "attribute"))
    kept_sents = [s for s in given if not any(c in s for c in removed_sents) and s.rstrip("。").lower()[:20] in low]
    for s in rng.sample(kept_sents, k=min(2, len(kept_sents))):
        candidates.append((reworded(s, loc, rng), "supported", "given sentence"))
    if record.title and exclude_field != "title":
        piece = title_piece(record.title, loc, rng)
        if piece:
            candidates.append((rng.choice(TITLE_TEMPLATES[loc]).format(t=piece), "supported", "title piece"))
    candidates.append((praise(rng, loc), "supported", "praise"))
    # unsupported
    for k, v in removed_attrs:
        if v.lower() not in low:
            candidates.append((rng.choice(ATTRIBUTE_TEMPLATES[loc]).format(k=k, v=v), "unsupported", "removed attribute"))
    for s in removed_sents:  # unsupported only when nothing left in the data says it (an attribute may)
        if s.rstrip("。").lower()[:20] not in low and novel(s, low, loc):
            candidates.append((reworded(s, loc, rng), "unsupported", "removed sentence"))
    for _ in range(2):
        same = group_donors.get(group_of(record), []) if group_donors else []
        donor = rng.choice(same) if same and rng.random() < 0.7 else rng.choice(donors)
        donor_sents = [s for t in [donor.description, *donor.references] for s in sentences(t, loc)]
        donor_sents = [s for s in donor_sents if novel(s, low, loc) and (len(s) >= 8 if loc == "zh-CN" else len(s.split()) >= 4)]
        if donor_sents and donor.id != record.id:
            candidates.append((reworded(rng.choice(donor_sents), loc, rng), "unsupported", "transplanted sentence"))
    same = group_donors.get(group_of(record), []) if group_donors else []
    donor = rng.choice(same or donors)
    donor_parts = [c for t in [donor.description, *donor.references] for x in sentences(t, loc)
                   for c in detail_clauses(x, loc)[1:] if novel(c, low, loc)]
    if donor_parts and donor.id != record.id:
        part = rng.choice(donor_parts)
        # another product's "mandarin collar" on a shirt whose data names a spread collar contradicts it
        head = words(part, loc)[-1].lower() if loc == "en" else ""
        clash = len(head) >= 3 and re.search(rf"(?<![a-z]){re.escape(head)}", low) is not None
        candidates.append((reworded(part, loc, rng), "contradicted" if clash else "unsupported",
                           "transplanted detail, same part" if clash else "transplanted detail"))
    foreign = [(k, v) for k, v in rng.sample(bank.attributes[loc], k=min(40, len(bank.attributes[loc])))
               if k not in set(keys) and v.lower() not in low and len(v) >= 2]
    if foreign:
        k, v = foreign[0]
        candidates.append((rng.choice(MISSING_KEY_TEMPLATES[loc]).format(k=k, v=v), "unsupported", "foreign attribute"))
    # contradicted
    for k, v in rng.sample(kept_attrs, k=min(2, len(kept_attrs))):
        other = bank.other_value(rng, loc, k, v, evidence)
        if other:
            candidates.append((rng.choice(ATTRIBUTE_TEMPLATES[loc]).format(k=k, v=other), "contradicted", "swapped value"))
    kept_parts = [c for c in parts if c not in removed_sents and not any(c in r or r in c for r in removed_sents)
                  and c.lower()[:25] in low]
    for c in rng.sample(kept_parts, k=min(2, len(kept_parts))):
        candidates.append((reworded(c, loc, rng), "supported", "given detail"))
    swaps = 0
    for c in rng.sample(kept_parts, k=len(kept_parts)):
        swapped = swap_slot(c, loc, bank, rng, low)
        if swapped:
            candidates.append((reworded(swapped, loc, rng), "contradicted", "swapped detail"))
            swaps += 1
            if swaps == 2:
                break
    values = [v for _, v in kept_attrs]
    for s in rng.sample(kept_sents, k=min(2, len(kept_sents))):
        swapped = swap_known(s, values, rng, bank, loc, key_of, evidence) or (
            swap_number(rng, s) if NUMBER.search(s) else None)
        if swapped and swapped != s:
            candidates.append((swapped, "contradicted", "swapped in sentence"))
    if record.title and exclude_field != "title":
        brand = (record.brand_spellings() or [None])[0]
        piece = title_piece(record.title, loc, rng, whole=True)
        swapped = swap_known(piece, values, rng, bank, loc, key_of, evidence) if piece else None
        if not swapped and brand and brand.lower() in (record.title or "").lower():
            others = sorted(b for b in bank.brands[loc] if b.lower() not in low)
            if others:
                swapped = re.sub(re.escape(brand), rng.choice(others), record.title, count=1, flags=re.IGNORECASE)
        if not swapped and NUMBER.search(record.title):
            swapped = swap_number(rng, record.title)
        if swapped:
            candidates.append((rng.choice(TITLE_TEMPLATES[loc]).format(t=swapped), "contradicted", "swapped in title"))
    rng.shuffle(candidates)
    for claim, label, how in balanced(candidates, rng):
        ex.add(claim, label, how)
    return ex if len(ex.claims) >= 3 else None


def balanced(candidates: list[tuple[str, str, str]], rng: random.Random, per_label: int = 4) -> list[tuple[str, str, str]]:
    """At most ``per_label`` claims of each label, in random order."""
    out, count = [], defaultdict(int)
    for c in candidates:
        if count[c[1]] < per_label:
            out.append(c)
            count[c[1]] += 1
    rng.shuffle(out)
    return out


def title_piece(title: str, locale: str, rng: random.Random, whole: bool = False) -> str | None:
    if whole:
        return title.strip()
    if locale == "zh-CN":
        t = re.sub(r"\s+", "", title)
        if len(t) < 6:
            return t or None
        n = rng.randint(4, min(14, len(t)))
        start = rng.randint(0, len(t) - n)
        return t[start: start + n]
    words = title.split()
    if len(words) <= 3:
        return title
    n = rng.randint(2, min(6, len(words)))
    start = rng.randint(0, len(words) - n)
    return " ".join(words[start: start + n])


def novel(sentence: str, evidence_lower: str, locale: str) -> bool:
    """Whether a transplanted sentence says something the data does not (most of its words are not in it)."""
    if locale == "zh-CN":
        grams = {sentence[i: i + 2] for i in range(len(sentence) - 1) if re.match(r"[\u4e00-\u9fff]{2}", sentence[i: i + 2])}
        return bool(grams) and sum(g in evidence_lower for g in grams) / len(grams) < 0.4
    words = {w for w in re.findall(r"[a-z]{4,}", sentence.lower())}
    return bool(words) and sum(w in evidence_lower for w in words) / len(words) < 0.4


def build_examples(records: list[ProductRecord], exclude_field_of: dict[str, str | None] | None = None,
                   seed: int = 0, per_product: int = 1) -> list[VerifierExample]:
    """One example per product (``per_product`` with different removals and claims)."""
    rng = random.Random(seed)
    bank = ValueBank(records)
    by_locale, by_group = defaultdict(list), defaultdict(list)
    for r in records:
        if r.description or r.references:
            by_locale[r.locale].append(r)
            by_group[group_of(r)].append(r)
    out = []
    for _ in range(per_product):
        for r in records:
            donors = by_locale[r.locale] or [r]
            ex = build_example(r, bank, rng, (exclude_field_of or {}).get(r.id), donors, by_group)
            if ex:
                out.append(ex)
    rng.shuffle(out)
    return out


@dataclass
class TrainingRecords:
    records: list[ProductRecord]
    exclude_field_of: dict[str, str]
    left_out: dict[str, int] = field(default_factory=dict)  # why -> products


def training_records(catalogs: list[str], hold_out: dict[str, list[str]] | None = None,
                     exclude_ids: set[str] | None = None, max_products: int | None = None,
                     seed: int = 0) -> TrainingRecords:
    """The products to build examples from: each catalog (``FILE`` or ``FILE:TARGET_FIELD``) loaded,
    less the products of held-out categories (keywords per locale) and the excluded ids."""
    from shopscribe.catalog import load_catalog

    out = TrainingRecords([], {})
    left = defaultdict(int)
    for spec in catalogs:
        path, _, target = spec.partition(":") if not re.match(r"^[A-Za-z]:\\", spec) else (spec, "", "")
        for r in load_catalog(path, on_error="fail").records:
            if exclude_ids and r.id in exclude_ids:
                left["labelled evaluation product"] += 1
            elif hold_out and held_out(r, hold_out.get(r.locale, [])):
                left["held-out category"] += 1
            else:
                out.records.append(r)
                if target:
                    out.exclude_field_of[r.id] = target
    if max_products:
        rng = random.Random(seed)
        by_locale = defaultdict(list)
        for r in out.records:
            by_locale[r.locale].append(r)
        out.records = [r for rs in by_locale.values() for r in rng.sample(rs, k=min(max_products, len(rs)))]
    out.left_out = dict(left)
    return out


def labelled_examples(paths: list[Path], catalogs: list[str], hold_out: dict[str, list[str]] | None = None,
                      exclude_ids: set[str] | None = None, repeat: int = 1) -> tuple[list[VerifierExample], dict]:
    """Claims people labelled (JSONL rows: ``product_id``, ``claim``, ``label`` — supported / unsupported /
    contradicted; ``exclude``, optional, the field that is written rather than data) as training examples beside the synthetic ones: real sentences, worded as copy is, which
    the synthetic claims only imitate. The products are looked up in ``catalogs`` (``FILE:TARGET`` leaves the
    target field out of the evidence, as in training); products of held-out categories and excluded ids are
    left out. Each product's claims make one example, ``repeat`` times. A bad row is an error naming the file,
    the row and the field."""
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.verifier import LABELS

    products, target_of = {}, {}
    for spec in catalogs:
        path, _, target = spec.partition(":") if not re.match(r"^[A-Za-z]:\\", spec) else (spec, "", "")
        for r in load_catalog(path, on_error="fail").records:
            products[r.id] = r
            target_of[r.id] = target or None
    claims: dict[str, list[tuple[str, str]]] = defaultdict(list)
    left = defaultdict(int)
    fields = {"product_id": (lambda v: str(v) in products, " (no such product in the catalogs given)"),
              "claim": (lambda v: isinstance(v, str) and v.strip(), ""),
              "label": (lambda v: v in LABELS, f" (one of {', '.join(LABELS)})")}
    for path in paths:
        for _, row in checked_jsonl(path, "labelled claims", fields):
            r = products[str(row["product_id"])]
            if exclude_ids and r.id in exclude_ids:
                left["labelled evaluation product"] += 1
            elif hold_out and held_out(r, hold_out.get(r.locale, [])):
                left["held-out category"] += 1
            else:
                claims[r.id].append((row["claim"].strip(), row["label"]))
                if "exclude" in row:  # the row says which field is written, not data (null: none)
                    target_of[r.id] = row["exclude"]
    out = []
    for pid, pairs in claims.items():
        r = products[pid]
        ex = VerifierExample(pid, r.locale, evidence_text(r, target_of[pid]))
        for claim, label in pairs:
            ex.add(claim, label, "labelled")
        out += [ex] * repeat
    return out, {"products": len(claims), "claims": sum(len(p) for p in claims.values()), "left_out": dict(left)}
