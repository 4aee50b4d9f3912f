"""What every engine takes and gives: one ``DecodeRequest`` per product, ``n`` texts back per request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from shopscribe.engine.decoding import DecodingArgs


@dataclass
class DecodeRequest:
    """One product's prompt and its decoding-time controls (the guard's and the Mention line's)."""

    prompt: str  # the full prompt text, chat template applied
    max_new_tokens: int
    mention: list[str] = field(default_factory=list)  # Mention-line terms to boost while missing
    boost: float = 0.0  # their logit bonus (0 = off)
    banned: list[str] | None = None  # terms that cannot be produced; None = guard off
    allowed_numbers: set[str] | None = None  # digit runs must start one of these; None = unchecked
    n: int = 1  # candidates (best-of-n)
    # characters at the end of ``prompt`` that are the start of the answer, already written (a repair keeps
    # the sentences before the first finding): the prompt before them is the product's own
    answer_chars: int = 0
    min_new_tokens: int = 0  # the text may not end before this many tokens (a repair must write something)
    keep_prompt: bool = False  # remember the prompt's KV state: a repair may ask for this prompt again


class Engine(Protocol):
    """A decoding backend. ``decode`` returns, per request, its ``n`` raw texts (before post-processing)."""

    name: str
    tokenizer: object

    def decode(self, requests: list[DecodeRequest], decoding: DecodingArgs,
               on_token: OnToken | None = None) -> list[list[str]]: ...


# called after every token an output gains: (request index, candidate, the output's token ids so far);
# engines that decode a whole batch at once (transformers) call it once per output at the end
OnToken = Callable[[int, int, list[int]], None]
