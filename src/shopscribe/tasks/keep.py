"""Short copy that keeps what matters: a title (or any short text) cut to its character
limit while it keeps the brand and the product type, without repeated words.

Chinese is segmented into words with jieba, English splits on spaces. Repeated words
are dropped (small models loop: 咖啡机咖啡机咖啡机), the brand is put in front and the
product type at the end when the text lacks them, and words are removed from the end —
never the brand's or the type's — until the text fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord

_TYPE_KEYS = ("衣样式", "裙型", "裤型", "款式", "类型", "品类", "product_type", "product type", "type", "category")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class KeepResult:
    text: str
    added: list[str] = field(default_factory=list)
    repeats_removed: int = 0
    words_cut: int = 0


def type_spellings(record: ProductRecord) -> list[str]:
    """Values naming the product type, most specific key first."""
    return list(dict.fromkeys(v for key in _TYPE_KEYS for v in record.attributes.get(key, []) if v.strip()))


def keep_brand_and_type(text: str, record: ProductRecord, max_chars: int, *, brand: bool = True,
                        product_type: bool = True) -> KeepResult:
    zh = record.locale == "zh-CN"
    text = re.sub(r"(\S)\1{2,}", r"\1", text) if zh else text  # 子子子 -> 子
    words = _segment(text, zh)
    words, repeats = _drop_repeats(words, zh)
    result = KeepResult("", repeats_removed=repeats)
    brands = record.brand_spellings() if brand else []
    if brands and not _contains(words, brands, zh):
        pick = preferred_spelling(brands, zh)
        words = [pick, *([" "] if not zh else []), *words]
        result.added.append(pick)
    types = type_spellings(record) if product_type else []
    if types and not _contains(words, types, zh):
        pick = min(types, key=len)
        words = [*words, *([" "] if not zh and words else []), pick]
        result.added.append(pick)
    protected = _protected(words, [brands, types], zh)
    while len(_join(words)) > max_chars:
        cut = next((i for i in range(len(words) - 1, -1, -1) if i not in protected), None)
        if cut is None:
            break
        words = words[:cut] + words[cut + 1:]
        protected = {i - (i > cut) for i in protected}
        result.words_cut += 1
    result.text = _join(words).strip(" ,，、·-|/")[:max_chars].strip()
    return result


def _segment(text: str, zh: bool) -> list[str]:
    if zh:
        import jieba

        jieba.setLogLevel(60)
        return [w for w in jieba.lcut(text) if w]
    return re.split(r"(\s+)", text.strip())


def _join(words: list[str]) -> str:
    return re.sub(r"\s{2,}", " ", "".join(words)).strip()


def _drop_repeats(words: list[str], zh: bool) -> tuple[list[str], int]:
    seen, out, removed = set(), [], 0
    for w in words:
        key = w.strip().lower().strip(",.;:，。、")
        if key and len(key) >= (2 if zh else 4) and key in seen:
            removed += 1
            if out and not zh and out[-1].isspace():
                out.pop()
            continue
        if key:
            seen.add(key)
        out.append(w)
    return out, removed


def _contains(words: list[str], spellings: list[str], zh: bool) -> bool:
    text = _join(words).lower()
    return any(s.lower() in text for s in spellings)


def preferred_spelling(spellings: list[str], zh: bool) -> str:
    """The shortest single spelling in the text's script ("维他奶" in Chinese copy, "Vitasoy" in English)."""
    singles = [s for s in spellings if "/" not in s] or spellings
    fitting = [s for s in singles if bool(_CJK.search(s)) == zh]
    return min(fitting or singles, key=len)


def _protected(words: list[str], groups: list[list[str]], zh: bool) -> set[int]:
    """Indices of the words that spell the first occurrence of the brand and of the type."""
    text, starts, pos = "".join(words).lower(), [], 0
    for w in words:
        starts.append(pos)
        pos += len(w)
    keep: set[int] = set()
    for spellings in groups:
        hits = [(text.find(s.lower()), len(s)) for s in spellings if s and text.find(s.lower()) >= 0]
        if not hits:
            continue
        begin, length = min(hits)
        keep |= {i for i, (s, w) in enumerate(zip(starts, words)) if s < begin + length and s + len(w) > begin}
    return keep
