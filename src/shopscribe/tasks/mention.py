"""Which attribute values a text mentions, and which a prompt asks it to mention.

A task with ``mention: attributes`` adds a "Mention: …" line to its prompt (the
``{mention}`` placeholder). In training the line lists the values the human copy
actually uses, so the model learns that a listed value is one it must write; at
generation it lists every value that belongs in copy (or the user's own list). This is
content-plan conditioning: it lets a catalog whose human copy skips attributes (Myntra
descriptions name the colour and rarely the gender) still get copy that covers them.

Commercial fields (price, MRP, discount) stay in the prompt as facts but are not asked
for: marketplaces' listing rules keep prices out of descriptions, where they go stale.
"""

from __future__ import annotations

import re
import unicodedata

from shopscribe.catalog.record import ProductRecord

COMMERCIAL_KEY = re.compile(r"price|\bmrp\b|_mrp|discount|\bcost\b|_cost|价格|售价|原价|优惠|折扣", re.IGNORECASE)
_WORD = re.compile(r"[0-9a-z]", re.IGNORECASE)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def mentions(text: str, value: str) -> bool:
    """Whether ``text`` contains ``value`` (NFKC, case-insensitive). A value starting or ending with a
    Latin letter or digit must stand as a whole word there: "men" is not in "women", "5" not in "15"."""
    value = _norm(value).strip()
    if not value:
        return False
    if not (_WORD.match(value[0]) or _WORD.match(value[-1])):
        return value in _norm(text)
    left = r"(?<![0-9a-z])" if _WORD.match(value[0]) else ""
    right = r"(?![0-9a-z])" if _WORD.match(value[-1]) else ""
    return re.search(left + re.escape(value) + right, _norm(text)) is not None


def wanted_mentions(record: ProductRecord) -> list[str]:
    """What generated copy should mention by default: each copy attribute's values, commercial ones left out."""
    values = [v.strip() for k, vs in record.copy_attributes().items() if not COMMERCIAL_KEY.search(k) for v in vs]
    return list(dict.fromkeys(v for v in values if v))


def realised_mentions(record: ProductRecord, text: str) -> list[str]:
    """The wanted values that ``text`` (the human copy, in training) actually mentions, in attribute order."""
    return [v for v in wanted_mentions(record) if mentions(text, v)]
