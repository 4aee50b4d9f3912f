"""Copy metrics: ROUGE-1/2/L, BLEU-4, distinct-n, attribute coverage,
unsupported-number rate and length compliance.

ROUGE uses a tokenizer that keeps Chinese characters (one token each); BLEU uses
sacrebleu's 'zh' tokenizer for Chinese and '13a' for English. Several references
per product are supported (ROUGE takes the best, BLEU uses them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sacrebleu
from rouge_score import rouge_scorer


from shopscribe.catalog.record import ProductRecord
from shopscribe.evaluation.adgen_scores import adgen_scores
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.faithfulness import check_faithfulness
from shopscribe.quality.families import FamilySet, learn_families
from shopscribe.quality.evidence import source_text, unsupported_numbers
from shopscribe.quality.text import MixedTokenizer, numbers, tokenize
from shopscribe.tasks.length import fits
from shopscribe.tasks.mention import mentions
from shopscribe.tasks.task import Task

_SCORER = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=MixedTokenizer())


@dataclass
class ExampleScore:
    id: str
    text: str
    rouge_l: float | None
    covered: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    unsupported_numbers: list[str] = field(default_factory=list)
    length_ok: bool = True
    claims: list[dict] = field(default_factory=list)  # kind, text, start, end, status, evidence
    violations: list[dict] = field(default_factory=list)  # rule_id, text, start, end, severity, fix


def rouge(prediction: str, references: list[str]) -> dict[str, float]:
    scores = _SCORER.score_multi(references, prediction) if references else None
    if not scores:
        return {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    return {k: v.fmeasure for k, v in scores.items()}


def bleu4(predictions: list[str], references: list[list[str]], locale: str) -> float:
    if not predictions:
        return 0.0
    width = max(len(r) for r in references)
    streams = [[refs[i] if i < len(refs) else refs[0] for refs in references] for i in range(width)]
    return sacrebleu.corpus_bleu(predictions, streams, tokenize="zh" if locale.startswith("zh") else "13a").score


def distinct_n(texts: list[str], n: int) -> float:
    grams, total = set(), 0
    for text in texts:
        toks = tokenize(text)
        for i in range(len(toks) - n + 1):
            grams.add(tuple(toks[i:i + n]))
            total += 1
    return len(grams) / total if total else 0.0


def self_bleu(texts: list[str], locale: str) -> float:
    """Mean BLEU-4 of each text against all the others (higher = less diverse across products)."""
    texts = [t for t in texts if t.strip()]
    if len(texts) < 2:
        return 0.0
    tok = "zh" if locale.startswith("zh") else "13a"
    scores = [sacrebleu.sentence_bleu(t, texts[:i] + texts[i + 1:], tokenize=tok).score for i, t in enumerate(texts)]
    return sum(scores) / len(scores)


def attribute_coverage(text: str, record: ProductRecord) -> tuple[list[str], list[str]]:
    """Attribute values that ``text`` mentions (``tasks.mention.mentions``), and those it doesn't."""
    values = list(dict.fromkeys(record.attribute_values()))
    covered = [v for v in values if mentions(text, v)]
    return covered, [v for v in values if v not in covered]


def score_example(task: Task, record: ProductRecord, text: str, max_chars: int | None = None,
                  checker: ComplianceChecker | None = None, families: FamilySet | None = None) -> ExampleScore:
    refs = task.references(record)
    covered, missed = attribute_coverage(text, record)
    nums = numbers(text)
    claims = check_faithfulness(text, record, exclude_field=task.target_field, families=families).claims
    checker = checker or ComplianceChecker.for_locale(record.locale)
    return ExampleScore(id=record.id, text=text, rouge_l=rouge(text, refs)["rougeL"] if refs else None,
                        covered=covered, missed=missed, numbers=nums,
                        unsupported_numbers=unsupported_numbers(text, source_text(record, task)),
                        length_ok=fits(text, task.length(record.locale, max_chars)),
                        claims=[c.__dict__ for c in claims],
                        violations=[{k: getattr(f, k) for k in ("rule_id", "text", "start", "end", "severity", "fix")}
                                    for f in checker.check(text)])


def score_system(task: Task, records: list[ProductRecord], texts: dict[str, str],
                 max_chars: int | None = None, families: FamilySet | None = None
                 ) -> tuple[dict[str, float], list[ExampleScore]]:
    """Corpus metrics for one system's outputs (``texts`` keyed by product id); claims are checked with the
    claim families learned from ``records`` unless ``families`` is given."""
    missing = [r.id for r in records if r.id not in texts]
    if missing:
        raise ValueError(f"{len(missing)} product(s) have no output, e.g. {missing[:3]}")
    checkers = {loc: ComplianceChecker.for_locale(loc) for loc in {r.locale for r in records}}
    families = families or learn_families(records)
    examples = [score_example(task, r, texts[r.id], max_chars, checkers[r.locale], families) for r in records]
    preds = [texts[r.id] for r in records]
    refs = [task.references(r) for r in records]
    with_refs = [(p, rf) for p, rf in zip(preds, refs) if rf]
    rouges = [rouge(p, rf) for p, rf in with_refs]
    n_values = sum(len(e.covered) + len(e.missed) for e in examples)
    n_numbers = sum(len(e.numbers) for e in examples)
    n = max(len(examples), 1)
    locale = records[0].locale if records else "en"
    metrics = {
        "products": len(examples),
        "rouge1": _mean([r["rouge1"] for r in rouges]), "rouge2": _mean([r["rouge2"] for r in rouges]),
        "rougeL": _mean([r["rougeL"] for r in rouges]),
        "bleu4": bleu4([p for p, _ in with_refs], [rf for _, rf in with_refs], locale) if with_refs else None,
        "distinct1": distinct_n(preds, 1), "distinct2": distinct_n(preds, 2),
        "attribute_coverage": sum(len(e.covered) for e in examples) / n_values if n_values else None,
        "unsupported_number_rate": sum(len(e.unsupported_numbers) for e in examples) / n_numbers if n_numbers else 0.0,
        "outputs_with_unsupported_number": sum(bool(e.unsupported_numbers) for e in examples) / n,
        "unsupported_numbers_per_output": sum(len(e.unsupported_numbers) for e in examples) / n,
        "length_compliance": sum(e.length_ok for e in examples) / n,
        **claim_rates(examples),
        "compliance_violations": sum(len(e.violations) for e in examples),
        "outputs_with_violation": sum(bool(e.violations) for e in examples) / n,
        "mean_chars": sum(len(p) for p in preds) / n,
    }
    if locale.startswith("zh") and with_refs:  # as ChatGLM and LLaMA-Factory score AdvertiseGen (first reference)
        adgen = adgen_scores([p for p, _ in with_refs], [rf[0] for _, rf in with_refs])
        metrics.update({f"adgen_{k.replace('-', '')}": v for k, v in adgen.items()})
    return metrics, examples


def claim_rates(examples: list[ExampleScore]) -> dict[str, float]:
    claims = [c for e in examples for c in e.claims]
    n = len(claims) or 1
    return {"claims_per_output": len(claims) / max(len(examples), 1),
            "unsupported_claim_rate": sum(c["status"] == "unsupported" for c in claims) / n,
            "contradiction_rate": sum(c["status"] == "contradicted" for c in claims) / n,
            "outputs_with_invented_detail": sum(any(_invented(c) for c in e.claims) for e in examples)
            / max(len(examples), 1),
            "outputs_with_impossible_claim": sum(any((c.get("reason") or "").startswith("impossible")
                                                     for c in e.claims) for e in examples) / max(len(examples), 1)}


def _invented(claim: dict) -> bool:
    """An unsupported or contradicted detail, material or quantity: a checkable fact the data does not back."""
    return claim["status"] in ("unsupported", "contradicted") and (
        claim["kind"].startswith(("detail:", "quantity:")) or claim["kind"] in ("material", "number", "certification"))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
