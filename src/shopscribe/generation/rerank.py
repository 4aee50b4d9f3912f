"""Best-of-n: score sampled candidates and keep the best one.

score = w_faith * faithfulness + w_critic * critic + w_length * length_fit
        - w_compliance * violations

- faithfulness: 1 - (unsupported + 2 x contradicted claims) / claims (1 when no checkable claim)
- critic: P(human-written) from a learned discriminator (``shopscribe critic train``)
- length_fit: 1 when the text fits the task's character limits, else 0
- violations: compliance findings of the locale's rule packs
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from shopscribe.catalog.record import ProductRecord
from shopscribe.critic.model import Critic
from shopscribe.generation.config import RerankArgs
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.faithfulness import CONTRADICTED, UNSUPPORTED, check_faithfulness
from shopscribe.quality.evidence import source_text
from shopscribe.tasks.length import fits
from shopscribe.tasks.task import LengthPolicy, Task


@dataclass
class CandidateScore:
    text: str
    score: float
    faithfulness: float
    violations: int
    length_fit: float
    critic: float | None


class Reranker:
    def __init__(self, task: Task, args: RerankArgs, critic: Critic | None = None,
                 rule_dirs: list | None = None):
        self.task, self.args, self.critic, self.rule_dirs = task, args, critic, rule_dirs
        self._checkers: dict[str, ComplianceChecker] = {}

    @property
    def n(self) -> int:
        return self.args.candidates

    def pick(self, records: list[ProductRecord], candidates: list[list[str]],
             policies: list[LengthPolicy]) -> list[tuple[int, list[CandidateScore]]]:
        """For each product, the index of the best candidate and every candidate's score."""
        critic = self._critic_scores(records, candidates)
        picks = []
        for i, (record, texts, policy) in enumerate(zip(records, candidates, policies)):
            scores = [self.score(record, text, policy, critic[i][j] if critic else None)
                      for j, text in enumerate(texts)]
            best = max(range(len(scores)), key=lambda j: scores[j].score)
            picks.append((best, scores))
        return picks

    def score(self, record: ProductRecord, text: str, policy: LengthPolicy,
              critic: float | None = None) -> CandidateScore:
        w = self.args
        claims = check_faithfulness(text, record, exclude_field=self.task.target_field).claims
        bad = sum(c.status == UNSUPPORTED for c in claims) + 2 * sum(c.status == CONTRADICTED for c in claims)
        faith = max(0.0, 1.0 - bad / len(claims)) if claims else 1.0
        violations = len(self._checker(record.locale).check(text))
        length_fit = 1.0 if text.strip() and fits(text, policy) else 0.0
        total = (w.faithfulness_weight * faith + w.length_weight * length_fit
                 - w.compliance_weight * violations + (w.critic_weight * critic if critic is not None else 0.0))
        return CandidateScore(text, round(total, 4), round(faith, 4), violations, length_fit,
                              None if critic is None else round(float(critic), 4))

    def _critic_scores(self, records, candidates) -> list[list[float]] | None:
        if self.critic is None:
            return None
        flat = [(i, t) for i, texts in enumerate(candidates) for t in texts]
        sources = [source_text(records[i], self.task) for i, _ in flat]
        probs = self.critic.score([t for _, t in flat], sources).tolist()
        out, k = [], 0
        for texts in candidates:
            out.append(probs[k: k + len(texts)])
            k += len(texts)
        return out

    def _checker(self, locale: str) -> ComplianceChecker:
        if locale not in self._checkers:
            self._checkers[locale] = ComplianceChecker.for_locale(locale, self.rule_dirs)
        return self._checkers[locale]


def as_dicts(scores: list[CandidateScore]) -> list[dict]:
    return [asdict(s) for s in scores]
