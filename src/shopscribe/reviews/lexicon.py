"""Lexicon sentiment baselines: SnowNLP for Chinese, VADER for English."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from shopscribe.reviews.data import ReviewRow


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def lexicon_p_positive(review: ReviewRow) -> float:
    """P(positive) from the locale's lexicon baseline (VADER's compound mapped to 0..1)."""
    if review.locale == "zh-CN":
        from snownlp import SnowNLP

        return float(SnowNLP(review.full_text).sentiments)
    return (_vader().polarity_scores(review.full_text)["compound"] + 1) / 2


def lexicon_predict(reviews: list[ReviewRow]) -> np.ndarray:
    return np.array([lexicon_p_positive(r) for r in reviews])
