"""Per-row decoding controls for engines that decode row by row (llama.cpp): the same processors the
transformers path uses, applied to one row's logits at a time, then the token choice.

Order as in transformers' ``generate``: repetition penalty (over prompt and output), no-repeat
n-grams, Mention boosting, the guard's text constraints, then temperature / top-k / top-p and a
draw, or the argmax. Every step touches the vocabulary only through torch kernels (gather, top-k,
softmax); Python loops run over the row's own tokens and its top-k candidates.
"""

from __future__ import annotations

from shopscribe.engine.request import DecodeRequest
from shopscribe.engine.boost import MentionBoostProcessor
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.engine.constraints import TextConstraintProcessor


class RowControls:
    """The controls of one ``decode`` call; ``item`` is the request index of a row."""

    def __init__(self, tokenizer, requests: list[DecodeRequest], decoding: DecodingArgs, stop_ids: list[int]):
        self.tokenizer = tokenizer
        self.decoding = decoding
        self._pieces: dict[int, str] = {}
        self.boost = (MentionBoostProcessor(tokenizer, 0, [r.mention if r.boost else [] for r in requests],
                                            [r.boost for r in requests])
                      if any(r.boost for r in requests) else None)
        self.constraints = (TextConstraintProcessor(tokenizer, 0, [r.banned or [] for r in requests],
                                                    [r.allowed_numbers or set() for r in requests],
                                                    top_k=max(40, decoding.top_k), stop_ids=stop_ids)
                            if any(r.banned is not None for r in requests) else None)

    def rng(self, item: int, candidate: int):
        """A generator per output: a sampled text does not depend on what it was batched with."""
        import torch

        if self.decoding.strategy != "sample":
            return None
        return torch.Generator().manual_seed(self.decoding.seed * 1_000_003 + item * 101 + candidate)

    def piece(self, token: int) -> str:
        if token not in self._pieces:
            self._pieces[token] = self.tokenizer.decode([token], skip_special_tokens=True)
        return self._pieces[token]

    def choose(self, item: int, prompt: list[int], generated: list[int], scores, rng) -> int:
        """The next token of one row, from its raw logits ``scores`` (modified in place)."""
        import torch

        d = self.decoding
        if d.repetition_penalty != 1.0:
            penalise_repeats(scores, prompt + generated, d.repetition_penalty)
        if d.no_repeat_ngram_size:
            banned = repeated_ngram_next(prompt + generated, d.no_repeat_ngram_size)
            if banned:
                scores[sorted(banned)] = float("-inf")
        if self.boost is not None:
            self.boost.apply_row(item, torch.tensor(generated, dtype=torch.long), scores)
        if self.constraints is None:
            return int(torch.argmax(scores)) if d.strategy != "sample" else sample(scores, d, rng)
        greedy = d.strategy != "sample"
        ids = self.constraints.candidates(item, generated, scores, best_only=greedy)  # what the guard leaves
        if greedy or len(ids) == 1:
            return ids[0]  # best first
        return ids[sample(scores[ids], d, rng)]


def penalise_repeats(scores, tokens: list[int], penalty: float) -> None:
    """transformers' repetition penalty, in place: the logits of ``tokens`` move towards unlikely."""
    import torch

    seen = torch.tensor(sorted(set(tokens)), dtype=torch.long)
    picked = scores[seen]
    scores[seen] = torch.where(picked < 0, picked * penalty, picked / penalty)


def sample(scores, d: DecodingArgs, rng) -> int:
    """Temperature, top-k, then top-p (nucleus) as transformers' warpers do, then one draw."""
    import torch

    scores = scores / d.temperature
    k = min(d.top_k or scores.shape[-1], int(torch.isfinite(scores).sum()) or 1)
    top = torch.topk(scores, k)
    probs = torch.softmax(top.values, dim=-1)
    if d.top_p < 1.0:
        cumulative = torch.cumsum(probs, dim=-1)
        keep = cumulative - probs < d.top_p  # the smallest set whose mass reaches top_p (at least one)
        probs = torch.where(keep, probs, torch.zeros_like(probs))
    return int(top.indices[torch.multinomial(probs, 1, generator=rng)])


def repeated_ngram_next(tokens: list[int], n: int) -> set[int]:
    """Tokens that would repeat an n-gram already in ``tokens`` (transformers' no_repeat_ngram_size)."""
    if len(tokens) < n:
        return set()
    last = tuple(tokens[len(tokens) - n + 1:])
    return {tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n - 1]) == last}
