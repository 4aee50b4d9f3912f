"""AdvertiseGen's way of scoring, as ChatGLM-6B's P-Tuning/LoRA scripts and LLaMA-Factory score it, so
ShopScribe's numbers compare with theirs: per example, ROUGE-1/2/L F1 of jieba words (rouge-chinese) and
character BLEU-4 with NLTK's smoothing method 3, each × 100, averaged over examples. Beside the project's
own character ROUGE-L (``metrics.rouge``), not instead of it."""

from __future__ import annotations

import logging


def adgen_scores(predictions: list[str], references: list[str]) -> dict[str, float]:
    """Mean ROUGE-1, ROUGE-2, ROUGE-L (jieba words) and BLEU-4 (characters) × 100 over the pairs."""
    import jieba
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge_chinese import Rouge

    jieba.setLogLevel(logging.WARNING)
    totals = {"rouge-1": 0.0, "rouge-2": 0.0, "rouge-l": 0.0, "bleu-4": 0.0}
    rouge, smooth = Rouge(), SmoothingFunction().method3
    for prediction, reference in zip(predictions, references, strict=True):
        hypothesis, truth = " ".join(jieba.cut(prediction)), " ".join(jieba.cut(reference))
        if hypothesis.split() and truth.split():  # an empty text scores 0 (as LLaMA-Factory does)
            for key, value in rouge.get_scores(hypothesis, truth)[0].items():
                totals[key] += value["f"] * 100
        if prediction and reference:
            totals["bleu-4"] += sentence_bleu([list(reference)], list(prediction), smoothing_function=smooth) * 100
    n = max(len(predictions), 1)
    return {key: round(value / n, 2) for key, value in totals.items()}
