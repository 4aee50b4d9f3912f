"""Quality: metrics for product copy and evaluation reports."""

from shopscribe.quality.metrics import ExampleScore, bleu4, distinct_n, rouge, score_example, score_system
from shopscribe.quality.text import numbers, tokenize

__all__ = ["ExampleScore", "bleu4", "distinct_n", "numbers", "rouge", "score_example", "score_system", "tokenize"]
