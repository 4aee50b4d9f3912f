"""Tokenisation and number extraction that work for Chinese and English."""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:[.'][a-z0-9]+)*", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """Each CJK character is a token; Latin words and numbers are tokens; punctuation is dropped.

    rouge-score's default tokenizer drops every non-ASCII character, so Chinese
    text would score 0; this keeps it.
    """
    return _TOKEN.findall(normalise(text))


class MixedTokenizer:
    """rouge-score tokenizer interface (``tokenize(text) -> list[str]``)."""

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text)


def numbers(text: str) -> list[str]:
    """Numbers in ``text`` as canonical strings: '1,000' -> '1000', '５０' -> '50', '2.50' -> '2.5'."""
    out = []
    for raw in _NUMBER.findall(normalise(text)):
        value = raw.replace(",", "")
        if value.count(".") > 1:
            out.extend(part for part in value.split(".") if part)
            continue
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.append(value.lstrip("0") or "0")
    return out
