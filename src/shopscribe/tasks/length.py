"""Character-length enforcement after generation.

Too long: cut at the last sentence end that fits; failing that, at the last
clause or word boundary; the caller may instead regenerate. Counted in characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopscribe.tasks.task import LengthPolicy

_SENTENCE_END = re.compile(r"[。！？!?；;…]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[，,、：:]\s*|\s+")


@dataclass(frozen=True)
class LengthCheck:
    text: str
    status: str  # "ok", "trimmed", "too_short", "empty"


def fits(text: str, policy: LengthPolicy) -> bool:
    return policy.min_chars <= len(text) <= policy.max_chars


def trim_to_limit(text: str, max_chars: int) -> str:
    """Longest prefix within ``max_chars`` that ends at a sentence, else clause/word, boundary."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    head = text[: max_chars + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() <= max_chars]
    if ends and ends[-1] >= max_chars * 0.4:
        return head[: ends[-1]].strip()
    cuts = [m.start() for m in _CLAUSE_END.finditer(head) if 0 < m.start() <= max_chars]
    if cuts and cuts[-1] >= max_chars * 0.4:
        return head[: cuts[-1]].rstrip("，,、：: ")
    return text[:max_chars].strip()


def enforce_length(text: str, policy: LengthPolicy) -> LengthCheck:
    text = " ".join(text.split()) if "\n" in text else text.strip()
    if not text:
        return LengthCheck("", "empty")
    if len(text) > policy.max_chars:
        return LengthCheck(trim_to_limit(text, policy.max_chars), "trimmed")
    if len(text) < policy.min_chars:
        return LengthCheck(text, "too_short")
    return LengthCheck(text, "ok")
