"""Data that disagrees with itself: a title that says one colour and a colour attribute that says another
(Myntra: *Parx Men Brown Tapered Fit Solid Regular Trousers* with ``primary_color: Red``).

Copy written from such a product repeats one side of the disagreement and is wrong half the time. At
generation the copy uses neither side: the attribute's value is left out of the prompt and the title's colour
words are taken out of it, so the guard finds any colour the model still writes unsupported; the output row
names the conflict (``guard.data_conflicts``) for the catalog team to fix in the data (issue 25, item 3).

Colours are compared by family, not by word: Myntra's ``primary_color`` is a coarse group (Navy Blue →
Blue, Maroon → Red, Olive → Green), so a navy title and a blue attribute agree; a title with no colour word,
or a multicoloured one, agrees with anything.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from shopscribe.catalog.record import ProductRecord

COLOUR_KEYS = {"primary_color", "primary_colour", "color", "colour", "颜色", "颜色分类"}

# word -> colour families it belongs to (a shade may sit in two: khaki is brown, green and beige)
_EN = {
    "black": {"black"}, "white": {"white"}, "red": {"red"}, "blue": {"blue"}, "green": {"green"},
    "yellow": {"yellow"}, "orange": {"orange"}, "pink": {"pink"}, "purple": {"purple"}, "violet": {"purple"},
    "grey": {"grey"}, "gray": {"grey"}, "brown": {"brown"}, "beige": {"beige", "brown", "white"},
    "navy": {"blue"}, "teal": {"blue", "green"}, "turquoise": {"blue", "green"}, "aqua": {"blue", "green"},
    "olive": {"green"}, "mint": {"green"}, "lime": {"green", "yellow"}, "mustard": {"yellow", "brown"},
    "maroon": {"red", "brown"}, "burgundy": {"red", "purple"}, "wine": {"red", "purple"}, "rust": {"orange", "red", "brown"},
    "peach": {"orange", "pink"}, "coral": {"orange", "pink", "red"}, "salmon": {"pink", "orange"},
    "tan": {"brown", "beige"}, "camel": {"brown", "beige"}, "khaki": {"brown", "green", "beige"},
    "cream": {"white", "beige"}, "ivory": {"white", "beige"}, "off-white": {"white", "beige"},
    "charcoal": {"grey", "black"}, "silver": {"grey", "white"}, "gold": {"yellow", "brown"},
    "golden": {"yellow", "brown"}, "magenta": {"pink", "purple"}, "fuchsia": {"pink", "purple"},
    "lavender": {"purple"}, "mauve": {"purple", "pink"}, "taupe": {"brown", "grey"}, "nude": {"beige", "pink"},
    "copper": {"brown", "orange"}, "bronze": {"brown"}, "steel": {"grey"}, "indigo": {"blue", "purple"},
    "lilac": {"purple"}, "cyan": {"blue"}, "skin": {"beige"}, "rose": {"pink"}, "gunmetal": {"grey"},
}
_MULTI = re.compile(r"multi-?colou?red|multicolou?r|assorted|多色|混色|彩色", re.I)
_ZH = {"黑": {"black"}, "白": {"white"}, "红": {"red"}, "蓝": {"blue"}, "绿": {"green"}, "黄": {"yellow"},
       "橙": {"orange"}, "橘": {"orange"}, "粉": {"pink"}, "紫": {"purple"}, "灰": {"grey"}, "棕": {"brown"},
       "咖": {"brown"}, "驼": {"brown", "beige"}, "米": {"beige", "white"}, "杏": {"beige"}, "卡其": {"brown", "beige"},
       "藏青": {"blue"}, "银": {"grey", "white"}, "金": {"yellow"}}
_EN_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
_MATERIALS = re.compile(r"\bsterling silver\b|\b(?:silver|gold|rose gold|copper|steel)[- ](?:plated|tone)\b|"
                        r"\bstainless steel\b|\bwhite gold\b|\brose-gold-plated\b")  # a metal, not a colour
_SHADE_SUFFIX = re.compile(r"-(?:colou?red|toned)$")  # "Peach-Coloured", "Gold-Toned": the colour itself


@dataclass
class DataConflict:
    field: str  # "attributes.primary_color"
    value: str  # what that field says ("Red")
    title_says: list[str]  # the title's words that disagree ("Brown")
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


def colour_words(text: str, locale: str) -> dict[str, set[str]]:
    """The colour words of ``text`` and their families."""
    if locale.startswith("zh"):
        found = {}
        for word, families in sorted(_ZH.items(), key=lambda kv: -len(kv[0])):
            if word in text and not any(word in longer for longer in found):
                found[word] = families
        return found
    words = [_SHADE_SUFFIX.sub("", w) for w in _EN_WORD.findall(_MATERIALS.sub(" ", text.lower()))]
    return {w: _EN[w] for w in words if w in _EN}


def find_conflicts(record: ProductRecord) -> list[DataConflict]:
    """Colour attributes the title contradicts: the title names colours, none of them in the attribute's
    colour families, and neither side is multicoloured."""
    title = record.title or ""
    if not title or _MULTI.search(title):
        return []
    said = colour_words(title, record.locale)
    if not said:
        return []
    title_families = set().union(*said.values())
    conflicts = []
    for key, values in record.attributes.items():
        if key.lower() not in COLOUR_KEYS:
            continue
        for value in values:
            if _MULTI.search(value):
                continue
            value_words = colour_words(value, record.locale)
            if value_words and not title_families & set().union(*value_words.values()):
                conflicts.append(DataConflict(
                    field=f"attributes.{key}", value=value, title_says=list(said),
                    reason=f"the title says {', '.join(said)}; {key} says {value}: the copy names neither colour"))
    return conflicts


def without_conflicts(record: ProductRecord) -> tuple[ProductRecord, list[DataConflict]]:
    """The record as the model sees it: a conflicting colour attribute left out and the title's colour words
    taken out of the title, with the conflicts found."""
    conflicts = find_conflicts(record)
    if not conflicts:
        return record, []
    attributes = {k: [v for v in vs if not any(c.field == f"attributes.{k}" and c.value == v for c in conflicts)]
                  for k, vs in record.attributes.items()}
    said = {w for c in conflicts for w in c.title_says}
    title = _without_words(record.title or "", said)
    return record.model_copy(update={"attributes": {k: vs for k, vs in attributes.items() if vs},
                                     "title": title or None}), conflicts


def _without_words(title: str, words: set[str]) -> str:
    """``title`` less the colour words (and an "&" / "and" that joined one of them)."""
    if not all(w.isascii() for w in words):
        for word in words:
            title = title.replace(word + "色", "").replace(word, "")
        return title.strip()
    tokens = title.split()
    gone = [_SHADE_SUFFIX.sub("", t.lower().strip(",")) in words for t in tokens]
    connector = [t.lower() in {"&", "and", "/"} for t in tokens]
    keep = [not g and not (c and ((i > 0 and gone[i - 1]) or (i + 1 < len(tokens) and gone[i + 1])))
            for i, (g, c) in enumerate(zip(gone, connector))]
    return " ".join(t for t, k in zip(tokens, keep) if k)
