"""The publishing guard: prevent, check, repair — or flag, never publish silently.

1. Prevent: banned compliance terms and numbers absent from the product data
   cannot be decoded (``TextConstraintProcessor``); when the task keeps prices out
   of the copy, neither can the digits of a number the data holds only as a price.
2. Check: every output goes through the compliance rules and the claim checker
   (details of the claim families included); must-keep terms (brand, product type,
   user keywords) are checked.
3. Repair: a failing output is written again from the sentence of its first finding (the sentences
   before it kept) with the offending spans banned too;
   the clauses that still hold a violation, a contradicted claim or an unsupported
   detail are cut; if anything still fails, it is returned with ``status="flagged"``
   and its findings.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.compliance.learned import score_all
from shopscribe.engine.constraints import allowed_number_strings
from shopscribe.quality.faithfulness import (CONTRADICTED, SENTENCE, SUPPORTED, UNSUPPORTED, check_faithfulness,
                                            price_only_numbers)
from shopscribe.quality.families import FamilySet, packaged_families
from shopscribe.quality.evidence import source_text
from shopscribe.quality.verifier import ClaimVerifier, evidence_text
from shopscribe.tasks.wear import is_suggestion
from shopscribe.tasks.keep import type_spellings
from shopscribe.quality.text_quality import text_quality
from shopscribe.tasks.task import Task



# text-quality findings that improve copy when their fix fits but never flag it: a description with no
# suggestion of how to wear it is publishable as it stands (the suggestion is added only within the length limit)
ADVISORY_QUALITY = {"quality:thin"}


@dataclass
class GuardVerdict:
    status: str  # "pass" or "flagged"
    violations: list[dict] = field(default_factory=list)
    contradicted: list[dict] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)
    unsupported: list[dict] = field(default_factory=list)  # details, materials, numbers the data does not back
    sentences: list[dict] = field(default_factory=list)  # per sentence: the rules' and the verifier's verdicts
    quality: list[dict] = field(default_factory=list)  # text quality findings (quality.text_quality)

    @property
    def ok(self) -> bool:
        blocking = [q for q in self.quality if q["kind"] not in ADVISORY_QUALITY]
        return not (self.violations or self.contradicted or self.missing_terms or self.unsupported or blocking)


@dataclass
class GuardReport:
    """The guard's verdict on a published text, as every front end returns it: a JSONL row's ``guard``, an
    HTTP response's ``guard`` and a job result's ``guard`` are this object (``dataclasses.asdict``).

    Findings are dicts: a violation has rule_id, text, start, end, severity, fix; a claim has kind, text,
    start, end, status, evidence, reason (``quality.faithfulness.Claim``)."""

    status: str  # "pass": publishable as written; "flagged": a person must look (the findings say why)
    violations: list[dict] = field(default_factory=list)  # compliance findings left in the text
    contradicted: list[dict] = field(default_factory=list)  # claims the product data contradicts
    unsupported: list[dict] = field(default_factory=list)  # details, materials, numbers the data does not back
    missing_terms: list[str] = field(default_factory=list)  # must-keep terms (brand, type, keywords) not written
    dropped_clauses: int = 0  # clauses the guard cut
    before_cut: dict | None = None  # the text before the cut and the findings that caused it (for a reviewer)
    # the text the guard wrote again from its first sentence with a claim it would have cut: text, findings,
    # kept_chars (how much of its start was kept)
    rewritten: dict | None = None
    injected_fields: list[str] = field(default_factory=list)  # product fields left out of the prompt as injections
    # the product's data disagrees with itself (a title colour against a colour attribute): neither side was
    # given to the model; field, value, title_says, reason (catalog.conflicts) — for the catalog team to fix
    data_conflicts: list[dict] = field(default_factory=list)
    # with a claim verifier: each sentence's verdict from the rules and from the verifier (label, probabilities)
    # and the one the guard took (the stricter)
    sentences: list[dict] = field(default_factory=list)
    # text quality left in the text (repeated ideas, fragments, doubled words, debris, brand spelling, the
    # wrong kind of product): kind, text, start, end, reason (quality.text_quality)
    quality: list[dict] = field(default_factory=list)


def must_keep_terms(record: ProductRecord, keywords: list[str] | None = None) -> list[list[str]]:
    """Terms an output must keep, each as its accepted spellings: brand, product type, keywords."""
    brand = record.brand_spellings()
    terms = [brand] if brand else []
    types = type_spellings(record)
    if types:
        terms.append(types)
    terms += [[k] for k in keywords or [] if k.strip()]
    return [t for t in terms if t and all(x and x.strip() for x in t)]


STRICTNESS = {SUPPORTED: 0, UNSUPPORTED: 1, CONTRADICTED: 2}
EXACT_KINDS = ("quantity:", "number")  # what the rules decide exactly: numbers and units
# words that state nothing of their own beside a number ("it comes in a 90 ml bottle")
FUNCTION_WORDS = {"the", "and", "with", "has", "have", "its", "this", "that", "comes", "come", "for", "are", "from",
                  "into", "there", "they", "them", "which", "one", "bottle", "pack", "size"}


def _get(claim, name: str):
    return getattr(claim, name) if hasattr(claim, name) else claim[name]


def is_number_claim(sentence: str, rule_claims: list) -> bool:
    """Whether what ``sentence`` states is a number or a quantity the rules found (less than three words, or
    five Chinese characters, are left once they and the function words are taken out)."""
    spans = [(_get(c, "start"), _get(c, "end")) for c in rule_claims if str(_get(c, "kind")).startswith(EXACT_KINDS)]
    if not spans:
        return False
    rest = sentence
    for a, b in sorted(spans, reverse=True):
        rest = rest[:a] + " " + rest[b:]
    content = re.findall(r"[A-Za-z]{3,}", rest.lower())
    content = [w for w in content if w not in FUNCTION_WORDS]
    return len(content) < 3 and len(re.findall(r"[\u4e00-\u9fff]", rest)) < 5



def combine_verdicts(rule_claims: list, verifier_label: str | None, sentence: str | None = None) -> str:
    """One verdict on a sentence from the rules' claims in it and the verifier's label: the stricter of the
    two (a sentence in which the rules find nothing is supported by them) — except a sentence that states
    only a number or quantity the rules found, which the rules decide (units, spellings and conversions
    are theirs to read exactly)."""
    rules = max((_get(c, "status") for c in rule_claims), key=STRICTNESS.get, default=SUPPORTED)
    if verifier_label is None or (sentence is not None and is_number_claim(sentence, rule_claims)):
        return rules
    return max(rules, verifier_label, key=STRICTNESS.get)


# unsupported claims the guard cuts: product details, materials, colours, certifications, numbers
# (seasons and brands are left to the contradiction check)
def is_publishable_gap(claim: dict) -> bool:
    kind = claim["kind"]
    return claim["status"] == UNSUPPORTED and (kind.startswith(("detail:", "quantity:")) or
                                               kind in ("material", "colour", "certification", "number", "verifier"))


class PublishingGuard:
    def __init__(self, task: Task, keywords: list[str] | None = None, extra_rule_dirs=None,
                 families: FamilySet | None = None, strict: bool = False, verifier: ClaimVerifier | None = None):
        self.task = task
        self.keywords = keywords or []
        self.extra_rule_dirs = extra_rule_dirs
        self.families = families  # claim families learned from the catalog (None: the packaged ones)
        self.strict = strict  # also the strict compliance packs (contested terms such as 最新, 首发)
        self.verifier = verifier  # the learned claim verifier (quality.verifier); None: rules alone
        self._checkers: dict[str, ComplianceChecker] = {}
        self._verified: OrderedDict = OrderedDict()  # (data, sentence) -> verdict: repairs re-check the text

    def checker(self, locale: str) -> ComplianceChecker:
        if locale not in self._checkers:
            self._checkers[locale] = ComplianceChecker.for_locale(locale, self.extra_rule_dirs, strict=self.strict)
        return self._checkers[locale]

    def allowed_numbers(self, record: ProductRecord) -> set[str]:
        """Digit runs the output may write: the data's numbers, less those it holds only as a price when the
        task keeps prices out of the copy."""
        allowed = allowed_number_strings(self.source(record))
        if not self.task.prices_in_copy:
            allowed -= price_only_numbers(record)
        return allowed

    def banned_terms(self, record: ProductRecord, extra: list[str] | None = None) -> list[str]:
        """Rule terms to block while decoding, except those the product data itself uses
        (100%纯棉 in the data keeps 100% writable; the post-check still judges the context)."""
        keep = {t.lower() for alternatives in must_keep_terms(record, self.keywords) for t in alternatives}
        source = self.source(record).lower()
        rule_terms = [t for t in self.checker(record.locale).banned_terms() if t.lower() not in source]
        return [t for t in rule_terms + list(extra or []) if t.lower() not in keep]

    def source(self, record: ProductRecord) -> str:
        return source_text(record, self.task)

    def verdicts(self, texts: list[str], records: list[ProductRecord]) -> list[GuardVerdict]:
        """The verdict on each of many outputs. The learned compliance check encodes all their sentences in
        one batch first (a sentence at a time costs a third more)."""
        by_locale: dict[str, list[str]] = {}
        for text, record in zip(texts, records):
            by_locale.setdefault(record.locale, []).append(text)
        for locale, group in by_locale.items():
            learned = self.checker(locale).learned
            if learned is not None:
                score_all(learned, group, locale)
        return [self.verdict(text, record) for text, record in zip(texts, records)]

    def verdict(self, text: str, record: ProductRecord) -> GuardVerdict:
        violations = [{"rule_id": f.rule_id, "text": f.text, "start": f.start, "end": f.end,
                       "severity": f.severity, "fix": f.fix} for f in self.checker(record.locale).check(text)]
        claims = check_faithfulness(text, record, exclude_field=self.task.target_field, families=self.families).claims
        contradicted = [dict(c.__dict__) for c in claims if c.status == CONTRADICTED]
        unsupported = [dict(c.__dict__) for c in claims if is_publishable_gap(c.__dict__)]
        sentences = self.verified_sentences(text, record, claims) if self.judged(record) else []
        for sentence in sentences:
            if sentence["verifier"] == sentence["status"] != SUPPORTED:  # the verifier is the stricter
                finding = {"kind": "verifier", "text": sentence["text"], "start": sentence["start"],
                           "end": sentence["end"], "status": sentence["status"], "evidence": None,
                           "reason": f"verifier: {sentence['verifier']} (p={sentence['probability']}); "
                                     f"rules: {sentence['rules']}"}
                (contradicted if sentence["status"] == CONTRADICTED else unsupported).append(finding)
        lowered = text.lower()
        missing = ["/".join(alts) for alts in must_keep_terms(record, self.keywords)
                   if not any(t.lower() in lowered for t in alts)]
        v = GuardVerdict("pass", violations, contradicted, missing, unsupported, sentences,
                         text_quality(text, record, describe=self.task.name == "describe"))
        v.status = "pass" if v.ok else "flagged"
        return v

    def judged(self, record: ProductRecord) -> bool:
        """Whether the verifier judges this product (its scope: beyond the categories the rules were audited
        on, unless verifier.json says all)."""
        if self.verifier is None:
            return False
        families = self.families or packaged_families()
        return self.verifier.judges(families.categories_of(record))

    def verified_sentences(self, text: str, record: ProductRecord, claims: list) -> list[dict]:
        """Each sentence of ``text`` with the rules' verdict, the verifier's and the stricter (the guard's)."""
        # a wear-or-use suggestion of tasks.wear states no fact about the product: the verifier called them
        # unsupported (p > 0.99 on "Pair them with jeans or chinos for everyday wear." of ankle boots)
        spans = [(m.start(), m.end()) for m in SENTENCE.finditer(text)
                 if m.group().strip() and not is_suggestion(m.group())]
        evidence = evidence_text(record, self.task.target_field)
        # keyed by the data itself, not the product id: two requests may send one id with different data
        known = {text[a:b].strip(): self._verified.get((evidence, text[a:b].strip())) for a, b in spans}
        todo = [sentence for sentence, verdict in known.items() if verdict is None]
        for verdict in self.verifier.verify_evidence(evidence, todo, record.locale):
            known[verdict.claim] = verdict
            _remember(self._verified, (evidence, verdict.claim), verdict, VERIFIED_CACHE)
        out = []
        for a, b in spans:
            learned = known[text[a:b].strip()]
            inside = [c for c in claims if c.start < b and c.end > a]
            rules = combine_verdicts(inside, None)
            out.append({"text": text[a:b], "start": a, "end": b, "rules": rules, "verifier": learned.label,
                        "probability": learned.probability, "probabilities": learned.probabilities,
                        "status": combine_verdicts(shifted(inside, a), learned.label, text[a:b])})
        return out


VERIFIED_CACHE = 4096


def shifted(claims: list, offset: int) -> list[dict]:
    """Claims with spans relative to a sentence starting at ``offset``."""
    return [{"kind": c.kind, "status": c.status, "start": c.start - offset, "end": c.end - offset} for c in claims]


def _remember(cache: OrderedDict, key, value, bound: int):
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > bound:
        cache.popitem(last=False)
    return value
