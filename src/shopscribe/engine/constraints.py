"""Decoding-time constraints: banned terms cannot be produced, numbers must come from the data.

Both work on text, not token ids, so every token spelling of a word is caught:
at each step the top-k candidate tokens are appended to the decoded tail of the
output, and a candidate that would complete a banned term (case-insensitive,
NFKC) or start a number the product data does not contain gets -inf. Candidates
outside the top-k get -inf too, so sampling only ever draws a checked token.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import torch
from transformers import LogitsProcessor

_DIGITS = re.compile(r"[0-9]+(?:[.,][0-9]+)*")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


class TextConstraintProcessor(LogitsProcessor):
    """Ban terms and unsupported numbers for a batch whose rows have their own allowed numbers."""

    def __init__(self, tokenizer, prompt_length: int, banned_terms: list[list[str]],
                 allowed_numbers: list[set[str]] | None, top_k: int = 40, stop_ids: list[int] | None = None):
        self.tokenizer = tokenizer
        self.prompt_length = prompt_length
        self.banned = [[_norm(t) for t in terms if t.strip()] for terms in banned_terms]
        self._banned_sets = [set(terms) for terms in self.banned]  # looked up by substring, not scanned
        self._banned_lengths = [sorted({len(t) for t in terms}) for terms in self.banned]
        self.allowed_numbers = allowed_numbers
        self.top_k = top_k
        self.stop_ids = list(stop_ids or [])
        self._pieces: dict[int, str] = {}
        self.tail_chars = max([len(t) for terms in self.banned for t in terms] + [16]) + 8

    def _piece(self, token_id: int) -> str:
        if token_id not in self._pieces:
            self._pieces[token_id] = _norm(self.tokenizer.decode([token_id], skip_special_tokens=True))
        return self._pieces[token_id]

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        rows_per_item = max(input_ids.shape[0] // len(self.banned), 1)
        for row in range(input_ids.shape[0]):
            item = min(row // rows_per_item, len(self.banned) - 1)
            scores[row] = self.apply_row(item, input_ids[row, self.prompt_length:].tolist(), scores[row])
        return scores

    def apply_row(self, item: int, generated: list[int], row_scores: torch.FloatTensor) -> torch.FloatTensor:
        """The checks for one output row: ``item`` indexes the terms and numbers, ``generated`` holds the
        row's tokens so far. Any engine calls this per row and step (transformers through ``__call__``)."""
        tail = _norm(self.tokenizer.decode(generated[-self.tail_chars:], skip_special_tokens=True))
        if self._open_number_unfinished(tail, item):
            self._only_digits(row_scores, tail, item)  # do not end the text inside "19" of "1999"
        return self._checked_row(row_scores, tail, item)

    def _checked_row(self, row_scores: torch.FloatTensor, tail: str, item: int) -> torch.FloatTensor:
        """The top-k tokens that pass the checks keep their scores, every other token gets -inf; if none
        in the vocabulary passes, the text may only end (the guard's verdict then flags it)."""
        ok = self._passing(row_scores, tail, item)
        out = torch.full_like(row_scores, float("-inf"))
        if ok:
            out[ok] = row_scores[ok]
        else:
            out[[i for i in self.stop_ids if i < out.shape[-1]] or [0]] = 0.0
        return out

    def candidates(self, item: int, generated: list[int], row_scores: torch.FloatTensor,
                   best_only: bool = False) -> list[int]:
        """The tokens one row may take next, best first (the finite entries ``apply_row`` would leave):
        for engines that choose among them instead of masking the whole vocabulary. With ``best_only``
        (greedy decoding) checking stops at the first token that passes: the same choice, fewer checks."""
        tail = _norm(self.tokenizer.decode(generated[-self.tail_chars:], skip_special_tokens=True))
        if self._open_number_unfinished(tail, item):
            self._only_digits(row_scores, tail, item)
        return self._passing(row_scores, tail, item, best_only) or [min(self.stop_ids or [0])]

    def _passing(self, row_scores: torch.FloatTensor, tail: str, item: int, best_only: bool = False) -> list[int]:
        """The top-k finite tokens that pass the checks, best first; when all of them fail, the next ones
        are checked (2k, 4k…) until the finite tokens run out."""
        k, vocab = self.top_k, row_scores.shape[-1]
        if best_only:  # usually the best token passes: one argmax instead of a top-k
            best = int(torch.argmax(row_scores))
            if torch.isfinite(row_scores[best]) and not self._is_banned(tail, self._piece(best), item):
                return [best]
        while True:
            top = torch.topk(row_scores, min(k, vocab))
            finite = top.indices[torch.isfinite(top.values)].tolist()
            if best_only:
                ok = next(([i] for i in finite if not self._is_banned(tail, self._piece(i), item)), [])
            else:
                ok = [i for i in finite if not self._is_banned(tail, self._piece(i), item)]
            if ok or len(finite) < min(k, vocab) or k >= vocab:
                return ok
            k *= 2

    def _only_digits(self, row_scores: torch.FloatTensor, tail: str, item: int) -> None:
        """Inside an unfinished number only digit tokens that keep it on an allowed number may follow."""
        keep = [t for t in self._digit_tokens() if not self._is_banned(tail, self._piece(t), item)]
        if not keep:
            return  # no allowed number starts this way: let it end; the guard's verdict flags it
        kept = row_scores[keep].clone()
        row_scores.fill_(float("-inf"))
        row_scores[keep] = kept

    def _digit_tokens(self) -> list[int]:
        return digit_token_ids(self.tokenizer)

    def _open_number_unfinished(self, tail: str, item: int) -> bool:
        if self.allowed_numbers is None:
            return False
        m = re.search(r"([0-9]+(?:[.,][0-9]+)*)[.,]?$", tail)
        return bool(m) and m.group(1).replace(",", "") not in self.allowed_numbers[item]

    def _is_banned(self, tail: str, piece: str, item: int) -> bool:
        if not piece:
            return False
        text = tail + piece
        boundary = len(tail)
        terms = self._banned_sets[item]
        for end in range(boundary + 1, len(text) + 1):  # a banned term ending inside the new piece
            for length in self._banned_lengths[item]:
                if length > end:
                    break
                if text[end - length:end] in terms:
                    return True
        touches_number = any(c.isdigit() for c in piece) or tail[-1:].isdigit() or tail[-2:-1].isdigit()
        if self.allowed_numbers is not None and touches_number:
            return not self._numbers_ok(text, boundary, self.allowed_numbers[item])
        return False

    @staticmethod
    def _numbers_ok(text: str, boundary: int, allowed: set[str]) -> bool:
        """A digit run the new piece closes must be an allowed number; the run still open must start one."""
        for m in _DIGITS.finditer(text):
            if m.end() < boundary and not (m.end() == boundary - 1 and text[m.end()] in ".,"):
                continue  # closed before this piece, already judged ("2." waits for the next character)
            run = m.group(0).replace(",", "")
            trailing_point = m.end() < len(text) and text[m.end()] in ".," and m.end() + 1 == len(text)
            if m.end() == len(text):
                if not any(a.startswith(run) for a in allowed):
                    return False
            elif trailing_point:  # "19." must be an allowed number ending a sentence, or begin an allowed decimal
                if run not in allowed and not any(a.startswith(run + ".") for a in allowed):
                    return False
            elif run not in allowed:
                return False
        return True


@functools.lru_cache(maxsize=8)
def digit_token_ids(tokenizer) -> list[int]:
    """Ids of tokens that are only digits; scanned once per tokenizer, not once per batch."""
    return [i for tok, i in tokenizer.get_vocab().items() if tok.strip("▁Ġ ").isdigit()]


def allowed_number_strings(source: str) -> set[str]:
    """Numbers in the product data as written (and without thousands separators)."""
    out = set()
    for m in _DIGITS.finditer(_norm(source)):
        out.add(m.group(0).replace(",", ""))
    return out
