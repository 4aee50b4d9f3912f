"""Senseless sentences whatever the data says (issue 25): what a product's part or material can do, and
what the product is worn or paired with.

- storage said of a part that holds nothing: ribbed cuffs, a zip or a slit hem "方便收纳" (only a pocket,
  a compartment or a bag stores anything) — Chinese, garments only;
- the product paired with its own kind: a hoodie "搭配上经典的卫衣", a shirt "搭配上白色衬衫" — Chinese,
  garments only (an accessory may be paired with another of its kind);
- worn, of a product nobody wears: a cushion "透气舒适，夏天穿着", a pillow "comfortable to wear" — both
  locales, for the categories nobody wears (home, kitchen, furniture, electronics, food, beauty); a product
  of no known category is not judged;
- a property the product's material cannot have: a stainless-steel flask whose rim "吸水", a glass jar that
  "breathes" — absorbing water, wicking sweat and breathing are properties of fabrics, paper and wood, not
  of metal, glass, plastic, ceramic or silicone; judged when every material the data names (in a key for
  material, or in the title) is one of those.

``placement`` judges where a part sits and what it can flatter.
"""

from __future__ import annotations

import re

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.placement import GARMENT_GROUPS, Placement
from shopscribe.quality.text_quality import ZH_GARMENT_WORDS

# storage, carrying things: what only a pocket, a compartment or a bag does
STORAGE = re.compile(r"收纳|储物|携带(?:小)?物品|放置(?:小)?物品|装(?:下)?(?:小)?物品|放(?:下)?(?:手机|钥匙)")
HOLDERS = re.compile(r"口袋|衣兜|裤兜|插兜|兜|袋|包|隔层|夹层|内层")
# pairing: "搭配(上)(一件)(经典的白色)卫衣" — what follows the verb within one clause
PAIRING = re.compile(r"(?:搭配|配上|搭上|内搭|外搭|叠穿)(?:上|了|着)?(?:一件|一条|件|条)?(?P<object>[^，。！？；、,.!?;]{0,8})")
# the product as the copy names it in its opening clause ("这款卫衣采用…")
OPENING = re.compile(r"^[^，。！？；,.!?;]*?(?:这|此|一)(?:款|件|条|套)")
# the categories (``FamilySet.categories_of``) of what is not worn, and the words that say it is
NOT_WORN = frozenset({"home", "kitchen", "furniture", "electronics", "food", "beauty"})
WORN_ZH = re.compile(r"穿着|穿起来|穿上|穿搭|上身|试穿|穿出")
WORN_EN = re.compile(r"\b(?:wear|wears|wearing|worn)\b(?![- ](?:resist|and tear|proof))", re.IGNORECASE)
# materials that neither absorb, wick nor breathe, and the properties that say they do
NON_POROUS_ZH = ("不锈钢", "玻璃", "塑料", "陶瓷", "铝合金", "铝", "金属", "硅胶", "钢", "铁", "铜", "钛", "亚克力")
NON_POROUS_EN = ("stainless steel", "steel", "glass", "plastic", "ceramic", "aluminium", "aluminum", "metal",
                 "silicone", "iron", "copper", "titanium", "acrylic", "borosilicate")
POROUS_ZH = re.compile(r"吸水|吸湿|吸汗|透气|排汗")
POROUS_EN = re.compile(r"\b(?:absorb(?:s|ing|ent)?\s+(?:water|moisture|sweat)|wick(?:s|ing)?|breathab(?:le|ility)"
                       r"|breathes)\b", re.IGNORECASE)
MATERIAL_KEY = re.compile(r"材质|材料|面料|成分|material|fabric", re.IGNORECASE)
_PART_AFTER = set("领袖式款风扣摆边角型版")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


def senseless_functions(norm: str, categories: set[str], record: ProductRecord) -> list[Placement]:
    """The senseless sentences (module docstring) in normalised ``norm`` of ``record``, a product of
    ``categories``."""
    zh = record.locale == "zh-CN"
    found = _worn(norm, categories, zh) + _material_cannot(norm, record, zh)
    if zh and GARMENT_GROUPS & categories:
        found += _storage(norm) + _self_pairing(norm)
    return found


def _worn(norm: str, categories: set[str], zh: bool) -> list[Placement]:
    if not categories or not categories <= NOT_WORN:
        return []
    kinds = "/".join(sorted(categories))
    return [Placement(m.start(), m.end(), m.group(0), f"impossible: a {kinds} product is not worn")
            for m in (WORN_ZH if zh else WORN_EN).finditer(norm)]


def _storage(norm: str) -> list[Placement]:
    found = []
    for m in STORAGE.finditer(norm):
        start = max((e.end() for e in _SENTENCE_END.finditer(norm, 0, m.start())), default=0)
        if not HOLDERS.search(norm, start, m.start()):
            found.append(Placement(m.start(), m.end(), m.group(0),
                                   "impossible: no part named before it holds anything (only a pocket stores)"))
    return found


def _self_pairing(norm: str) -> list[Placement]:
    opening = OPENING.match(norm)
    if opening is None:
        return []
    clause = re.match(r"[^，。！？；,.!?;]*", norm[opening.end():]).group(0)
    named = [w for w in ZH_GARMENT_WORDS if w in clause]
    if not named:
        return []
    kind = min(named, key=lambda w: (clause.index(w), -len(w)))  # the first named, the longest there
    found = []
    for m in PAIRING.finditer(norm):
        obj = m.group("object")
        at = obj.find(kind)
        # the kind's word before a part or a manner names that part of it (搭配衬衫领, 衬衫式的下摆)
        if at >= 0 and obj[at + len(kind):][:1] not in _PART_AFTER:
            found.append(Placement(m.start(), m.end(), m.group(0),
                                   f"impossible: the {kind} is paired with a {kind}, its own kind"))
    return found


def _material_cannot(norm: str, record: ProductRecord, zh: bool) -> list[Placement]:
    materials = _materials(record, zh)
    if not materials or materials - set(NON_POROUS_ZH if zh else NON_POROUS_EN):
        return []
    said = ", ".join(sorted(materials))
    return [Placement(m.start(), m.end(), m.group(0), f"impossible: {said} does not {m.group(0)}")
            for m in (POROUS_ZH if zh else POROUS_EN).finditer(norm)]


def _materials(record: ProductRecord, zh: bool) -> set[str]:
    """The materials the data names: the values of its material keys, else the title's known materials;
    each value reduced to the non-porous material it names, or kept whole when it names none."""
    known = NON_POROUS_ZH if zh else NON_POROUS_EN
    values = [v.lower() for k, vs in record.attributes.items() if MATERIAL_KEY.search(k) for v in vs]
    if not values:  # the title's first known material, as a word ("glass" jars, not sun"glass"es)
        title = (record.title or "").lower()
        hit = next((m for m in known if re.search(rf"(?<![a-z]){re.escape(m)}(?![a-z])", title)), None)
        return {hit} if hit else set()
    return {next((m for m in known if m in v), v) for v in values}
