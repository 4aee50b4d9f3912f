"""Mention boosting: nudge the model toward the Mention-line terms it has not written yet.

A fine-tuned model imitates its catalog's copy; where that copy never names an attribute
(Myntra descriptions never say "women"), the model will not either, even when the prompt
asks. ``MentionBoostProcessor`` adds ``bonus`` to the logits of the tokens that start a
requested term still missing from the output (every casing and leading-space spelling
of its first word), until the term is written. The bonus grows with the text
(``bonus * (1 + generated tokens / 16)``): a term still missing grows more urgent as the
copy goes on, as a constrained decoder must meet its constraints before it ends.

Once the text ends with a started spelling of a term — begun at a word start by one of
the term's first tokens ("UN" of "UNISEX", "Gini and " of "Gini and Jony"), not by any
word that happens to be a prefix ("a" of "Assorted") — only the token that continues
that spelling gets the bonus, so a started term is finished rather than left as "UN UNU"
or "high high".

It is a soft constraint: the model still chooses where the term goes, and a term it
cannot place is not forced: once the boosted first token has been emitted ``max_tries``
times without the term following ("Un" of "Unisex" looping as "Ununun…"), that term
gets no more bonus.
"""

from __future__ import annotations

import re

import torch
from transformers import LogitsProcessor

from shopscribe.tasks.mention import mentions

_LATIN = re.compile(r"[0-9A-Za-z]")
RAMP_TOKENS = 16  # bonus x (1 + generated tokens / 16): x2 after 16 tokens (chosen on the en-myntra dev split)


def _casings(term: str) -> set[str]:
    return {term, term.lower(), term.capitalize(), term.upper()}


def first_token_spellings(tokenizer, term: str) -> tuple[set[int], set[int]]:
    """First-token ids of ``term``: those that start a new word (a leading space), and bare ones."""
    spaced, bare = set(), set()
    for v in _casings(term):
        for text in (v, " " + v):
            toks = tokenizer(text, add_special_tokens=False)["input_ids"]
            piece = tokenizer.decode(toks[:1]) if toks else ""
            if piece.strip():  # a bare space token would boost every word
                (spaced if piece[:1].isspace() else bare).add(toks[0])
    return spaced, bare


class MentionBoostProcessor(LogitsProcessor):
    """Per row: + ``bonus[row]`` on the first tokens of the row's terms not yet in its generated text."""

    def __init__(self, tokenizer, prompt_length: int, terms: list[list[str]], bonus: list[float],
                 max_tries: int = 2, ramp_tokens: float = RAMP_TOKENS):
        self.tokenizer = tokenizer
        self.ramp_tokens = ramp_tokens
        self.max_tries = max_tries
        self.prompt_length = prompt_length
        self.terms = terms
        self.bonus = bonus
        self._ids = {t: first_token_spellings(tokenizer, t) for row in terms for t in row}
        self._tried = {t: torch.tensor(sorted(spaced | bare), dtype=torch.long)  # first tokens, to count tries
                       for t, (spaced, bare) in self._ids.items()}

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        rows_per_item = max(input_ids.shape[0] // max(len(self.terms), 1), 1)
        for row in range(input_ids.shape[0]):
            item = min(row // rows_per_item, len(self.terms) - 1)
            self.apply_row(item, input_ids[row, self.prompt_length:], scores[row])
        return scores

    def apply_row(self, item: int, generated: torch.LongTensor, row_scores: torch.FloatTensor) -> None:
        """Boost one output row in place: ``item`` indexes the terms, ``generated`` holds the row's tokens."""
        text = self.tokenizer.decode(generated, skip_special_tokens=True)
        for term in self.terms[item]:
            spaced, bare = self._ids[term]
            if mentions(text, term) or int(torch.isin(generated, self._tried[term]).sum()) >= self.max_tries:
                continue
            ids = self._continuation(generated, text, term)
            if not ids:  # a Latin word may only start a word: no "Gold-un…" glued on the word before
                glued = _LATIN.match(term) is not None and text != "" and not text[-1].isspace()
                ids = spaced if glued else spaced | bare
            ids = [i for i in ids if i < row_scores.shape[-1]]
            row_scores[ids] += self.bonus[item] * (1 + len(generated) / self.ramp_tokens)

    def _continuation(self, generated: torch.LongTensor, text: str, term: str) -> set[int]:
        """The next token of each spelling of ``term`` that the text ends with the start of ("UN" -> "ISEX"),
        when that start is a word start written by one of the term's first tokens."""
        spaced, bare = self._ids[term]
        out = set()
        for spelling in _casings(term):
            for k in range(min(len(spelling) - 1, len(text)), 0, -1):
                before = text[-k - 1] if len(text) > k else " "
                if (text.endswith(spelling[:k]) and not (_LATIN.match(before) and _LATIN.match(spelling[0]))
                        and self._token_at(generated, len(text) - k) in spaced | bare):
                    out.update(self.tokenizer(spelling[k:], add_special_tokens=False)["input_ids"][:1])
                    break
        return out

    def _token_at(self, generated: torch.LongTensor, position: int) -> int | None:
        """The generated token whose text covers character ``position`` (or the space just before it)."""
        for j in range(len(generated) - 1, -1, -1):
            start = len(self.tokenizer.decode(generated[:j], skip_special_tokens=True))
            if start <= position:
                return int(generated[j]) if position - start <= 1 else None
        return None
