"""Reference-free checks of a rewrite: fact retention, unsupported claims and numbers,
keyword inclusion, length, compliance and readability."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from shopscribe.catalog.record import ProductRecord
from shopscribe.optimize.plan import Plan
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.faithfulness import SENTENCE, SUPPORTED, check_faithfulness
from shopscribe.quality.evidence import source_text, unsupported_numbers
from shopscribe.quality.text import normalise
from shopscribe.tasks.length import fits
from shopscribe.tasks.task import Task

_WORD = re.compile(r"[A-Za-z0-9']+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class RewriteCheck:
    fact_retention: float  # share of the original's supported facts still stated
    missing_facts: list[str]
    unsupported_claims: list[str]
    unsupported_numbers: list[str]
    keywords_missing: list[str]
    length_ok: bool
    violations: list[str]
    readability: float  # mean sentence length: words (en) or characters (zh)

    @property
    def passed(self) -> bool:
        return (not self.missing_facts and not self.unsupported_claims and not self.unsupported_numbers
                and not self.keywords_missing and self.length_ok and not self.violations)

    def as_dict(self) -> dict:
        return {**asdict(self), "passed": self.passed}


def check_rewrite(text: str, record: ProductRecord, plan: Plan, task: Task,
                  checker: ComplianceChecker, max_chars: int | None = None) -> RewriteCheck:
    policy = task.length(record.locale, max_chars)
    norm = normalise(text)
    facts = plan.facts
    missing = [f for f in facts if f not in norm]
    keywords = [normalise(k) for k in plan.keywords]  # asked for by the user: not claims to check
    claims = [c for c in check_faithfulness(text, record, exclude_field="description").claims
              if not any(normalise(c.text) in k for k in keywords)]
    return RewriteCheck(
        fact_retention=1.0 - len(missing) / len(facts) if facts else 1.0,
        missing_facts=missing,
        unsupported_claims=[f"{c.text} ({c.status})" for c in claims if c.status != SUPPORTED],
        unsupported_numbers=unsupported_numbers(text, source_text(record, task) + "\n" + " ".join(plan.keywords)),
        keywords_missing=[k for k in plan.keywords if normalise(k) not in norm],
        length_ok=bool(text.strip()) and fits(text, policy),
        violations=[f"{f.rule_id}: {f.text}" for f in checker.check(text)],
        readability=readability(text, record.locale),
    )


def readability(text: str, locale: str) -> float:
    """Mean sentence length: words for English, characters for Chinese (lower reads easier)."""
    sentences = [m.group(0) for m in SENTENCE.finditer(text) if m.group(0).strip()]
    if not sentences:
        return 0.0
    unit = (lambda s: len(_CJK.findall(s))) if locale == "zh-CN" else (lambda s: len(_WORD.findall(s)))
    return sum(unit(s) for s in sentences) / len(sentences)
