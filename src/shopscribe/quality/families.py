"""Claim families: the vocabulary of product details the claim checker can see.

A family is one kind of detail (neckline, sleeve length, closure, pockets, scent notes,
skin benefits, origin…) with canonical values and their surface forms in every locale.
It comes from two places:

- packaged lists per locale (``quality/families/*.yaml``), merged by family name, so
  "圆领" and "round neck" are the same value of the same family;
- the catalog itself (``learn_families``): for every attribute key, the values the catalog
  uses. A key that a packaged family lists (衣领型, neckline) adds its new values there;
  any other key becomes a family of its own, exclusive when its products hold one value.

Each family says which product categories can have it (``applies_to``): a neckline on
shoes or cufflinks is impossible. Categories come from the head nouns of the title,
the category field and the type attribute (``categories_of``).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from shopscribe.catalog.record import INTERNAL_KEY, ProductRecord
from shopscribe.quality.surfaces import SurfaceMatcher
from shopscribe.quality.text import normalise as norm
from shopscribe.quality.units import CN_QUANTITY

PACKAGED = Path(str(resources.files("shopscribe.quality") / "families"))
# attribute keys that hold opinions (style, occasion) or are handled elsewhere (colour, price, gender)
SKIPPED_KEY = re.compile(r"风格|style|occasion|场景|季节|season|颜色|colou?r|price|价格|gender|性别|brand|品牌|"
                         r"类型|^type$|category|类目|适用|人群|年龄|流行元素|元素|定位|型号|货号|model|sku|"
                         r"^是否|^有无", re.IGNORECASE)
_LATIN_EDGE = re.compile(r"[0-9a-z]")
# attribute keys that name what the product is (款式 "板鞋", 眼部护理单品 "多效修护眼霜")
FOUND_CACHE = 20_000  # texts whose mentions a FamilySet remembers
TYPE_KEY = re.compile(r"类型|^type$|category|类目|品类|^款式$|单品$|^品名$|^商品名称$|^article type$", re.I)


@dataclass
class Family:
    name: str
    kind: str = "part"
    exclusive: bool | str | list[str] = False  # "keyed": only against values held under the family's keys
    keys: list[str] = field(default_factory=list)
    applies_to: list[str] = field(default_factory=list)  # empty: any category
    values: dict[str, list[str]] = field(default_factory=dict)  # canonical -> surfaces (normalised)
    generic: list[str] = field(default_factory=list)
    patterns: list[re.Pattern] = field(default_factory=list)
    ignore: set[str] = field(default_factory=set)
    learned: dict[str, list[str]] = field(default_factory=dict)  # canonical -> attribute keys it came from
    not_before: dict[str, re.Pattern] = field(default_factory=dict)  # canonical -> what may not follow it
    # ("solid" before "wood" is sturdiness, not a pattern)

    def excludes(self, canon: str, other: str) -> bool:
        """Whether a product holding ``other`` cannot also be ``canon``."""
        if canon == other:
            return False
        if self.exclusive is True or self.exclusive == "keyed":
            return True
        return bool(self.exclusive) and (canon in self.exclusive or other in self.exclusive)

    def holds_key(self, key: str) -> bool:
        """The key or, for Chinese keys, a key that contains one of the family's (里料材质 holds 里料)."""
        k = norm(key).strip()
        return any(k == h or (len(h) >= 2 and not h.isascii() and h in k) for h in self.keys)


@dataclass(frozen=True)
class Mention:
    family: str
    canon: str | None  # None: a generic mention of the part ("neckline"), or an origin phrase
    start: int
    end: int
    text: str


class FamilySet:
    """Families plus the product categories; finds detail mentions in normalised text."""

    def __init__(self, families: dict[str, Family], categories: dict[str, list[str]], praise: set[str] | None = None,
                 apparel_hints: list[str] | None = None):
        self.families = families
        self.categories = categories
        self.praise = praise or set()  # opinions and properties that follow from the data: never a detail
        # words that show a product of no known category is a garment (衣, 裤, "wear")
        self.apparel_hints = apparel_hints or []
        self._found: OrderedDict[str, list[Mention]] = OrderedDict()  # text -> its mentions (``find``)
        self._found_lock = threading.Lock()
        self._surface_re: SurfaceMatcher | None = None
        self._surface_of: dict[str, tuple[str, str | None]] = {}

    def compiled(self) -> tuple[SurfaceMatcher, dict[str, tuple[str, str | None]]]:
        """Every surface of every family, longest first (the longest wins where two start together), and
        the (family, canonical value or None) each surface names."""
        if self._surface_re is None:
            table: dict[str, tuple[str, str | None]] = {}
            for fam in self.families.values():
                for canon, surfaces in fam.values.items():
                    for s in surfaces:
                        table.setdefault(s, (fam.name, canon))
                for s in fam.generic:
                    table.setdefault(s, (fam.name, None))
            self._surface_of = table
            self._surface_re = SurfaceMatcher(sorted(table, key=len, reverse=True), _plural_bounded)
        return self._surface_re, self._surface_of

    def __getstate__(self) -> dict:  # pickled (Ray actors, process pools) without its lock and caches
        state = dict(self.__dict__)
        state.update(_found=OrderedDict(), _found_lock=None, _surface_re=None)
        state.pop("_category_re", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._found_lock = threading.Lock()

    def find(self, text: str) -> list[Mention]:
        """Detail mentions in normalised ``text``; the longest surface wins, spans never overlap. Remembered
        per text (the guard checks a product's data and its repaired copy again and again, and attribute
        values repeat across a catalog): the regex of every surface costs milliseconds a call."""
        with self._found_lock:
            found = self._found.get(text)
            if found is not None:
                self._found.move_to_end(text)
        if found is None:
            found = self._find(text)
            with self._found_lock:
                self._found[text] = found
                if len(self._found) > FOUND_CACHE:
                    self._found.popitem(last=False)
        return list(found)

    def _find(self, text: str) -> list[Mention]:
        pattern, surface_of = self.compiled()
        found = [Mention(*surface_of[pattern.surfaces[i]], start, end, matched)
                 for i, start, end, matched in pattern.finditer(text)]
        found = [m for m in found if not ((p := self.families[m.family].not_before.get(m.canon or ""))
                                          and p.match(text, m.end))]
        taken = [(m.start, m.end) for m in found]
        for fam in self.families.values():
            for p in fam.patterns:
                for m in p.finditer(text):
                    if not any(s < m.end() and m.start() < e for s, e in taken):
                        found.append(Mention(fam.name, None, m.start(), m.end(), m.group(0)))
                        taken.append((m.start(), m.end()))
        return sorted(found, key=lambda m: m.start)

    def categories_of(self, record: ProductRecord) -> set[str]:
        """Coarse categories of a product: the head noun of its title (and of the part before "with"),
        its category field and its type attribute."""
        out: set[str] = set()
        fields = [record.category or ""] + [v for k, vs in record.attributes.items()
                                             if TYPE_KEY.search(k) for v in vs]
        words = {norm(f)[s:e] for f in fields for _, s, e in self.category_mentions(norm(f))}
        for f in fields:
            out |= {c for c, _ in self._category_hits(norm(f))}
        for narrower, cats in self._narrower_words(record, words):  # 类型 "裙" + 裙长 "半身裙": a skirt
            out = (out - {c for w in words if w in narrower for c in self._categories_of_word(w)}) | set(cats)
        if not out and record.title:
            title = norm(record.title)
            for part in re.split(r"\bwith\b|\band\b|&|\+|搭配|配", title):
                hits = self._category_hits(part)
                if hits:
                    head = max(h[1] for h in hits)  # the last category word: the head noun
                    out |= {c for c, end in hits if end == head}
        return out

    def _categories_of_word(self, word: str) -> list[str]:
        return [c for c, words in self.categories.items() if word in words]

    def _narrower_words(self, record: ProductRecord, words: set[str]) -> list[tuple[str, list[str]]]:
        """Category words in the other attribute values that narrow a category word of the type fields."""
        out = []
        for key, values in record.attributes.items():
            for v in values:
                nv = norm(v)
                for cats, s, e in self.category_mentions(nv):
                    w = nv[s:e]
                    if any(x != w and x in w for x in words):
                        out.append((w, cats))
        return out

    def looks_like_apparel(self, record: ProductRecord) -> bool:
        """Whether the data of a product of no known category shows a garment (a word of a garment category or
        a hint such as 衣 / "wear" in its title, category or attributes)."""
        text = norm(" ".join([record.title or "", record.category or ""]
                             + [f"{k} {v}" for k, vs in record.attributes.items() for v in vs]))
        garments = [w for c in ("top", "outerwear", "dress", "skirt", "bottom", "bra", "innerwear_bottom")
                    for w in self.categories.get(c, [])]
        return any(re.search(bounded(w, plural=True), text) for w in garments + self.apparel_hints)

    def category_mentions(self, text: str) -> list[tuple[list[str], int, int]]:
        """(categories, start, end) of every category word in normalised ``text``; a word may name several
        categories ("suit": jacket and trousers)."""
        if not hasattr(self, "_category_re"):
            cats_of: dict[str, list[str]] = {}
            for cat, words in self.categories.items():
                for w in words:
                    cats_of.setdefault(w, []).append(cat)
            words = sorted(cats_of, key=len, reverse=True)
            self._category_re = SurfaceMatcher(words, _plural_bounded)
            self._category_names = [cats_of[w] for w in words]
        return [(self._category_names[i], start, end) for i, start, end, _ in self._category_re.finditer(text)]

    def _category_hits(self, text: str) -> list[tuple[str, int]]:
        return [(cat, end) for cats, _, end in self.category_mentions(text) for cat in cats]

    def as_table(self) -> list[dict]:
        """One row per family: kind, keys, categories, values and where each came from."""
        rows = []
        for fam in self.families.values():
            rows.append({"family": fam.name, "kind": fam.kind,
                         "exclusive": fam.exclusive if isinstance(fam.exclusive, (bool, str)) else list(fam.exclusive),
                         "keys": fam.keys, "applies_to": fam.applies_to or ["any"],
                         "values": {c: s for c, s in fam.values.items()},
                         "learned": fam.learned, "generic": fam.generic,
                         "patterns": [p.pattern for p in fam.patterns]})
        return rows


def bounded(surface: str, plural: bool = False) -> str:
    """A surface as a regex: Latin edges must be word edges ("ring" not in "earrings")."""
    body = re.escape(surface)
    if plural and surface[-1:].isalpha() and surface.isascii():
        body += "(?:s|es)?"
    left = r"(?<![0-9a-z])" if _LATIN_EDGE.match(surface[0]) else ""
    right = r"(?![0-9a-z])" if _LATIN_EDGE.match(surface[-1]) else ""
    return left + body + right


def _plural_bounded(surface: str) -> str:
    return bounded(surface, plural=True)


@lru_cache(maxsize=4)
def packaged_families(folder: str = str(PACKAGED)) -> FamilySet:
    """Every packaged locale file merged: families by name, values by canonical name."""
    families: dict[str, Family] = {}
    categories: dict[str, list[str]] = defaultdict(list)
    praise: set[str] = set()
    hints: list[str] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        praise |= {norm(w) for w in data.get("praise") or []}
        hints += [norm(w) for w in data.get("apparel_hints") or []]
        for cat, words in (data.get("categories") or {}).items():
            categories[cat] += [norm(w) for w in words]
        for name, spec in (data.get("families") or {}).items():
            fam = families.setdefault(name, Family(name))
            _merge(fam, spec or {})
    return FamilySet(families, dict(categories), praise, hints)


def _merge(fam: Family, spec: dict) -> None:
    fam.kind = spec.get("kind", fam.kind)
    if "exclusive" in spec:
        fam.exclusive = spec["exclusive"]
    fam.applies_to = spec.get("applies_to", fam.applies_to)
    fam.keys += [norm(k) for k in spec.get("keys", [])]
    fam.generic += [norm(g) for g in spec.get("generic", [])]
    fam.ignore |= {norm(v) for v in spec.get("ignore", [])}
    fam.patterns += [re.compile(p) for p in spec.get("patterns", [])]
    fam.not_before.update({c: re.compile(p) for c, p in (spec.get("not_before") or {}).items()})
    for canon, surfaces in (spec.get("values") or {}).items():
        fam.values.setdefault(canon, [])
        fam.values[canon] += [norm(s) for s in surfaces if norm(s) not in fam.values[canon]]


def learn_families(records: list[ProductRecord], base: FamilySet | None = None) -> FamilySet:
    """The packaged families plus, for every attribute key of the catalog, the values it uses.

    A value already known to any family stays there; a new value of a key that a family lists
    joins that family; the values of any other key form a family named after the key, exclusive
    when at least 95% of the products that have the key hold a single value for it."""
    base = base or packaged_families()
    families = {name: _copy(f) for name, f in base.families.items()}
    known = {s for f in families.values() for ss in f.values.values() for s in ss}
    known |= base.praise | {w for words in base.categories.values() for w in words}  # opinions and product types
    values_by_key: dict[str, dict[str, int]] = defaultdict(dict)
    single: dict[str, list[bool]] = defaultdict(list)
    for record in records:
        for key, vals in record.attributes.items():
            if SKIPPED_KEY.search(key) or INTERNAL_KEY.search(key):
                continue
            good = [norm(v).strip() for v in vals if _is_value(norm(v).strip())]
            for v in good:
                values_by_key[key][v] = values_by_key[key].get(v, 0) + 1
            if good:
                single[key].append(len(good) == 1)
    for key, counts in values_by_key.items():
        fam = next((f for f in families.values() if f.holds_key(key)), None)
        if fam is None:
            exclusive = sum(single[key]) >= 0.95 * len(single[key])
            fam = families.setdefault(f"attr:{key}", Family(f"attr:{key}", kind="attribute", exclusive=exclusive,
                                                             keys=[norm(key)]))
        for v in counts:
            if v in known or v in fam.ignore:
                continue
            fam.values.setdefault(v, [v])
            fam.learned.setdefault(v, []).append(key)
            known.add(v)
    return FamilySet(families, base.categories, base.praise, base.apparel_hints)


def _is_value(v: str) -> bool:
    """A learned value must be a short term: two characters at least (three for Latin), no sentence."""
    if not v or len(v) > 20 or re.search(r"\d", v) or CN_QUANTITY.search(v):
        return False
    return len(v) >= (3 if v.isascii() else 2)


def _copy(f: Family) -> Family:
    return Family(f.name, f.kind, f.exclusive, list(f.keys), list(f.applies_to),
                  {c: list(s) for c, s in f.values.items()}, list(f.generic), list(f.patterns), set(f.ignore),
                  {c: list(k) for c, k in f.learned.items()}, dict(f.not_before))
