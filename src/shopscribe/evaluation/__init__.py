"""Evaluation: compare baseline, zero-shot and fine-tuned systems; write reports."""

from shopscribe.evaluation.config import EvaluateConfig
from shopscribe.evaluation.evaluate import EvalResult, evaluate

__all__ = ["EvalResult", "EvaluateConfig", "evaluate"]
