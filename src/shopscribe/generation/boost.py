"""Mention boosting: nudge the model toward the Mention-line terms it has not written yet.

A fine-tuned model imitates its catalog's copy; where that copy never names an attribute
(Myntra descriptions never say "women"), the model will not either, even when the prompt
asks. ``MentionBoostProcessor`` adds ``bonus`` to the logits of the tokens that start a
requested term still missing from the output (every casing and leading-space spelling
of its first word), until the term is written. The bonus grows with the text
(``bonus * (1 + generated tokens / 16)``): a term still missing grows more urgent as the
copy goes on, as a constrained decoder must meet its constraints before it ends.

Once the text ends with a started spelling of a term ("UN" of "UNISEX", at a word
start, two characters or more), the token that continues that spelling gets the bonus
too, so a started term is finished rather than left as "UN UNU".

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
_WORD_STARTED = re.compile(r"(?:^|\s)([0-9A-Za-z]{2,})$")  # a Latin word begun at the end of the text
RAMP_TOKENS = 16  # bonus x (1 + generated tokens / 16): x2 after 16 tokens (chosen on the en-myntra dev split)


def first_token_spellings(tokenizer, term: str) -> tuple[set[int], set[int]]:
    """First-token ids of ``term``: those that start a new word (a leading space), and bare ones."""
    variants = {term, term.lower(), term.capitalize(), term.upper()}
    spaced, bare = set(), set()
    for v in variants:
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

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        rows_per_item = max(input_ids.shape[0] // max(len(self.terms), 1), 1)
        for row in range(input_ids.shape[0]):
            item = min(row // rows_per_item, len(self.terms) - 1)
            generated = input_ids[row, self.prompt_length:]
            text = self.tokenizer.decode(generated, skip_special_tokens=True)
            for term in self.terms[item]:
                spaced, bare = self._ids[term]
                tried = torch.tensor(sorted(spaced | bare), dtype=generated.dtype)
                if mentions(text, term) or int(torch.isin(generated, tried).sum()) >= self.max_tries:
                    continue
                # a Latin word may only start a word: no "Gold-un…" glued on the word before
                glued = _LATIN.match(term) is not None and text != "" and not text[-1].isspace()
                ids = (spaced if glued else spaced | bare) | self._continuation(text, term)
                ids = [i for i in ids if i < scores.shape[-1]]
                scores[row, ids] += self.bonus[item] * (1 + len(generated) / self.ramp_tokens)
        return scores

    def _continuation(self, text: str, term: str) -> set[int]:
        """The next token of a spelling of ``term`` that the text has started ("UN" -> "ISEX")."""
        started = _WORD_STARTED.search(text)
        if started is None:
            return set()
        head = started.group(1)
        out = set()
        for spelling in {term, term.lower(), term.capitalize(), term.upper()}:
            if len(head) < len(spelling) and spelling.startswith(head):
                toks = self.tokenizer(spelling[len(head):], add_special_tokens=False)["input_ids"]
                out.update(toks[:1])
        return out
