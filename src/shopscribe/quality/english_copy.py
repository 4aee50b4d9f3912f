"""Checks of English copy written from thin data (issue 25, item 7): what editors flagged in blind ratings of
prose copy, as kinds — a suggestion senseless for the product, "it" for a pair, the wrong audience, the brand
said twice, no suggestion at all. Each finding carries its fix (``quality.text_quality.apply_fixes``): the
suggestion for the product's kind (``tasks.wear``), the data's audience, the repeated words left out.

The finding dicts are ``quality.text_quality``'s (kind, text, start, end, reason, fix, ban)."""

from __future__ import annotations

import random
import re

from shopscribe.catalog.record import ProductRecord
from shopscribe.tasks.wear import SLOT_OF, is_plural, kind_words, product_slot

_SUGGESTION = re.compile(r"(?:pair|wear|team|style|layer|match|add|drape|dress|carry|take|use|keep|spray|apply|"
                         r"shake)\b(?: (?:it|them)\b)?", re.I)
_WEAR = re.compile(r"(?:pair|wear|team|style|layer|match|drape|dress) (?:it|them)\b", re.I)
# slots never worn with another of their kind (a skirt with trousers, sneakers with heels)
_ONE_OF_A_KIND = {"top", "bottom", "onepiece", "footwear"}
# products no outfit is suggested with (a bra with heels, a perfume with jeans)
_NO_OUTFIT = {"innerwear", "fragrance", "home", "nightwear"}
# products that are carried or used, not worn
_NOT_WORN = {"carry", "home"}
_KIDS = {"boys", "girls", "kids", "infant", "infants", "babies", "baby"}
_GROWN_UP = re.compile(r"\b(?:work|office|formal|weddings?|parties|evening out|heels)\b", re.I)
_AUDIENCE = re.compile(r"\bmade for (men|women|boys|girls|kids|adults|everyone|babies)\b", re.I)
_AUDIENCE_OF = {"men": "men", "women": "women", "boys": "boys", "girls": "girls", "kids": "kids",
                "infant": "babies", "infants": "babies", "babies": "babies", "unisex": None}


def english_findings(text: str, record: ProductRecord, describe: bool = False) -> list[dict]:
    """``describe``: the text is the product's description, which should say how to wear or use it."""
    if record.locale != "en":
        return []
    return (_suggestions(text, record, describe) + _audience(text, record) + _brand_twice(text, record)
            + _style_codes(text))


def _suggestions(text: str, record: ProductRecord, describe: bool) -> list[dict]:
    """Each wear-or-use sentence checked against the product's kind; a text with none gets the kind's."""
    slot = product_slot(record)
    plural = _plural_copy(text, record)
    kids = _audience_of(record) in ("boys", "girls", "kids", "babies")
    found, suggested = [], False
    for m in re.finditer(r"[^.!?]+[.!?]?", text):
        sentence = m.group(0)
        start = m.start() + len(sentence) - len(sentence.lstrip())
        verb = _SUGGESTION.match(sentence.lstrip())
        if not verb:
            continue
        suggested = True
        named = [w for w in re.findall(r"[a-z-]+", sentence.lower()) if w in SLOT_OF]
        clash = [w for w in named if slot in _ONE_OF_A_KIND and SLOT_OF[w] == slot]
        reason = None
        if clash:
            reason = f"pairs '{clash[0]}' with a {slot} product"
        elif slot in _NO_OUTFIT and named:
            reason = f"suggests an outfit ({named[0]}) for a {slot} product"
        elif slot in _NOT_WORN and _WEAR.match(sentence.lstrip()):
            reason = f"suggests wearing a product that is carried or used ({slot})"
        elif kids and _GROWN_UP.search(sentence):
            reason = f"suggests '{_GROWN_UP.search(sentence).group(0)}' for a children's product"
        if reason:
            fix = _suggestion_for(record, plural, avoid=_GROWN_UP if kids else None)
            found.append(_finding("quality:pairing", text, start, m.end(), f"a suggestion that {reason}: senseless "
                                  "for this product", fix if fix and fix != sentence.strip() else ""))
        elif " " in verb.group(0) and plural != verb.group(0).lower().endswith("them"):
            a = start + verb.end() - len(verb.group(0).split()[-1])
            word = verb.group(0).split()[-1]
            found.append(_finding("quality:pronoun", text, a, a + len(word),
                                  f"the copy calls the product {'they' if plural else 'it'}: '{'them' if plural else 'it'}'",
                                  "them" if plural else "it"))
    if describe and not suggested and text.strip():
        fix = _suggestion_for(record, plural, avoid=_GROWN_UP if kids else None)
        if fix:
            end = len(text.rstrip())
            stop = "" if text.rstrip()[-1:] in ".!?" else "."
            found.append(_finding("quality:thin", text, end, end, "no suggestion of how to wear or use it: the "
                                  "copy only restates the title", f"{stop} {fix}"))
    return found


def _audience(text: str, record: ProductRecord) -> list[dict]:
    """"made for men" where the data says Unisex or Women: the data's audience."""
    values = [v.lower() for v in record.attributes.get("gender", [])]
    if len(values) != 1 or values[0] not in _AUDIENCE_OF:
        return []
    wanted = _AUDIENCE_OF[values[0]]
    out = []
    for m in _AUDIENCE.finditer(text):
        said = m.group(1).lower()
        if said == wanted or (wanted is None and said == "everyone"):
            continue
        fix = f"made for {wanted}" if wanted else "made for everyday use"
        out.append(_finding("quality:audience", text, m.start(), m.end(),
                            f"the data says {record.attributes['gender'][0]}, the copy '{m.group(0)}'", fix))
    return out


def _brand_twice(text: str, record: ProductRecord) -> list[dict]:
    """The brand named at the start and again as "from Brand" in the same sentence: said once."""
    brand = (record.brand or "").strip()
    if not brand:
        return []
    first = re.match(r"[^.!?]+", text)
    if not first:
        return []
    sentence = first.group(0)
    named = [m for m in re.finditer(re.escape(brand), sentence, re.I)]
    later = [m for m in named[1:] if sentence[:m.start()].rstrip().lower().endswith("from")]
    if not later:
        return []
    m = later[0]
    a = sentence[:m.start()].rstrip().lower().rfind("from")
    a = len(sentence[:a].rstrip())
    return [_finding("quality:repeat", text, a, m.end(), f"the brand '{brand}' is named twice in one sentence", "")]


_CODE = re.compile(r"\s?\b(?=[A-Za-z0-9-]*\d{3})(?=[A-Za-z0-9-]*[A-Za-z]{2})[A-Za-z0-9-]{6,}\b")


def _style_codes(text: str) -> list[dict]:
    """A supplier's style code copied from the title (XYTRNK2PCKN230, NL2596SL02): no shopper reads it."""
    return [_finding("quality:debris", text, m.start(), m.end(), f"a style code '{m.group(0).strip()}' in the copy", "")
            for m in _CODE.finditer(text)]


def _suggestion_for(record: ProductRecord, plural: bool, avoid: re.Pattern | None = None) -> str | None:
    found = kind_words(record)
    if not found:
        return None
    lines = [line for line in found[1] if not (avoid and avoid.search(line))]
    if not lines:
        return None
    line = random.Random(record.id).choice(lines)
    return re.sub(r"^(\w+) (it|them)\b", lambda m: f"{m.group(1)} {'them' if plural else 'it'}", line)


def _plural_copy(text: str, record: ProductRecord) -> bool:
    """Whether the copy speaks of the product as they: its own opening ("These… are"), else the title."""
    opening = re.match(r"[^.!?]*", text.lstrip()).group(0)
    if re.search(r"\bthese\b", opening, re.I) or re.search(r"\bare made for\b", opening):
        return True
    if re.match(r"this\b", opening, re.I) or re.search(r"\bis made for\b", opening):
        return False
    return is_plural((record.title or "").split())


def _audience_of(record: ProductRecord) -> str | None:
    values = [v.lower() for v in record.attributes.get("gender", [])]
    if values and values[0] in _AUDIENCE_OF:
        return _AUDIENCE_OF[values[0]]
    words = set(re.findall(r"[a-z]+", (record.title or "").lower()))
    return next((_AUDIENCE_OF[w] for w in _KIDS if w in words and w in _AUDIENCE_OF), None)


def _finding(kind: str, text: str, start: int, end: int, reason: str, fix: str | None = None) -> dict:
    return {"kind": kind, "text": text[start:end], "start": start, "end": end, "reason": reason, "fix": fix,
            "ban": []}
