"""Mask personal data in review text before it is stored, shown or used for training.

Masked: e-mail addresses, URLs, phone numbers (Chinese mobiles and landlines,
international and North-American formats), order numbers (after 订单/order words,
or long digit runs), and names after @. Each kind gets a placeholder such as
``[PHONE]`` so the text stays readable.
"""

from __future__ import annotations

import re

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("EMAIL", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    ("URL", re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("ORDER", re.compile(r"((?:订单编号|订单号码?|订单|单号码?|order\s*(?:no\.?|number|num|id|#)?)(?:为|是)?\s*[:：#]?\s*)"
                         r"(?=[A-Za-z0-9-]*\d)[A-Za-z0-9-]{6,}", re.IGNORECASE)),
    ("PHONE", re.compile(r"(?<![0-9A-Za-z])(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")),
    ("PHONE", re.compile(r"(?<![0-9A-Za-z])(?:\+\d{1,3}[-\s.]?)?(?:\(\d{3}\)\s?|\d{3}[-\s.])\d{3}[-\s.]\d{4}(?!\d)")),
    ("PHONE", re.compile(r"(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?!\d)")),
    ("NAME", re.compile(r"[@＠][\w\u4e00-\u9fff.-]{1,30}")),
    ("NUMBER", re.compile(r"(?<![\d.])\d{11,}(?![\d.])")),  # long digit runs: ids, cards, unformatted phones
]


def mask_pii(text: str) -> tuple[str, dict[str, int]]:
    """The masked text and how many of each kind were masked."""
    counts: dict[str, int] = {}
    for kind, pattern in _PATTERNS:
        text, n = pattern.subn((r"\g<1>" if pattern.groups else "") + f"[{kind}]", text)
        if n:
            counts[kind] = counts.get(kind, 0) + n
    return text, counts
