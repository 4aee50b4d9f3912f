"""DecodingArgs: how an engine turns a prompt into text (strategy, penalties, budget, Mention boosting, seed)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shopscribe.config import BaseConfig


class DecodingArgs(BaseConfig):
    strategy: Literal["greedy", "beam", "sample"] = Field("greedy", description="Decoding strategy.")
    num_beams: int = Field(4, gt=1, description="Beams for strategy=beam.")
    temperature: float = Field(0.8, gt=0, description="Sampling temperature (strategy=sample).")
    top_p: float = Field(0.95, gt=0, le=1, description="Nucleus sampling mass (strategy=sample).")
    top_k: int = Field(50, ge=0, description="Top-k for sampling (0 = off).")
    repetition_penalty: float = Field(1.1, ge=1.0, description="Penalty on already generated tokens (1 = off).")
    no_repeat_ngram_size: int = Field(0, ge=0, description="Forbid repeating n-grams of this size (0 = off).")
    max_new_tokens: int | None = Field(None, gt=0, description="Token budget; default from the task's max_chars.")
    min_new_tokens: int = Field(0, ge=0, description="Tokens a text must hold before it may end (0 = off).")
    mention_boost: float | None = Field(None, ge=0, description="Logit bonus for the first token of a Mention-line "
                                    "term not yet written (0 = off; default: the task's, per locale; engine.boost).")
    seed: int = Field(0, description="Seed for sampling.")
