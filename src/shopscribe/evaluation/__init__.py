"""Evaluation: compare baseline, zero-shot and fine-tuned systems (metrics, report), and the evaluation
helpers the benchmarks build on — claim-checker scoring (``evaluation.claims``), input perturbations
(``evaluation.perturbations``), self-BLEU (``evaluation.metrics.self_bleu``)."""

from shopscribe.evaluation.config import EvaluateConfig
from shopscribe.evaluation.evaluate import EvalResult, evaluate
from shopscribe.evaluation.metrics import ExampleScore, bleu4, distinct_n, rouge, score_example, score_system

__all__ = ["EvalResult", "EvaluateConfig", "ExampleScore", "bleu4", "distinct_n", "evaluate", "rouge",
           "score_example", "score_system"]
