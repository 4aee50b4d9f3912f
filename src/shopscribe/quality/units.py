"""Quantities with units: '1.7 L', '５０００毫安', '18-24周岁', '9/16"', '15.6-inch', '五分钟', 'two years'.

One normaliser for both languages: each quantity gets a dimension and a value in that
dimension's base unit, so 1.7 L == 1700 ml, 2斤 == 1 kg, 2000 watts == 2000 W == 2000瓦,
15.6-inch == 15.6 英寸. Chinese numerals (五分钟, 三年质保, 两只装, 十二个月) and English number
words before a unit (five minutes, two years) or counting a thing (four USB ports) are numbers too. A four-digit number written
as a year (2019年, "since 1999", "in 2020") has the dimension ``year``. "G" after a number
is grams or, where the product data states storage, gigabytes (``Quantity.alternatives``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# unit surface form (lower case) -> (dimension, factor to the base unit)
UNITS: dict[str, tuple[str, float]] = {
    "ml": ("volume", 1), "毫升": ("volume", 1), "l": ("volume", 1000), "升": ("volume", 1000),
    "litre": ("volume", 1000), "liter": ("volume", 1000), "litres": ("volume", 1000), "liters": ("volume", 1000),
    "g": ("mass", 1), "克": ("mass", 1), "kg": ("mass", 1000), "公斤": ("mass", 1000), "千克": ("mass", 1000),
    "斤": ("mass", 500), "lb": ("mass", 453.6), "lbs": ("mass", 453.6), "oz": ("mass", 28.35),
    "mm": ("length", 0.1), "毫米": ("length", 0.1), "cm": ("length", 1), "厘米": ("length", 1),
    "m": ("length", 100), "米": ("length", 100), "inch": ("length", 2.54), "inches": ("length", 2.54),
    '"': ("length", 2.54), "英寸": ("length", 2.54), "寸": ("length", 2.54),
    "ft": ("length", 30.48), "feet": ("length", 30.48),
    "mah": ("charge", 1), "毫安": ("charge", 1), "毫安时": ("charge", 1),
    "w": ("power", 1), "瓦": ("power", 1), "瓦特": ("power", 1), "watt": ("power", 1), "watts": ("power", 1),
    "kw": ("power", 1000), "千瓦": ("power", 1000), "volts": ("voltage", 1), "volt": ("voltage", 1), "v": ("voltage", 1), "伏": ("voltage", 1),
    "%": ("percent", 1), "percent": ("percent", 1),
    "岁": ("age", 12), "周岁": ("age", 12), "years old": ("age", 12), "year old": ("age", 12),
    "months": ("age", 1), "month": ("age", 1), "个月": ("age", 1), "years": ("age", 12), "year": ("age", 12),
    "年": ("age", 12), "周": ("time", 10080), "weeks": ("time", 10080), "week": ("time", 10080),
    "seconds": ("time", 1 / 60), "秒": ("time", 1 / 60), "mins": ("time", 1), "hrs": ("time", 60),
    "hours": ("time", 60), "hour": ("time", 60), "小时": ("time", 60), "h": ("time", 60),
    "minutes": ("time", 1), "min": ("time", 1), "分钟": ("time", 1), "days": ("time", 1440),
    "day": ("time", 1440), "天": ("time", 1440),
    "gb": ("storage", 1), "tb": ("storage", 1024), "t": ("storage", 1024), "mb": ("storage", 1 / 1024), "hz": ("frequency", 1), "mhz": ("frequency", 1e6),
    "平米": ("area", 1), "平方米": ("area", 1), "m2": ("area", 1), "sq ft": ("area", 0.0929), "sqm": ("area", 1),
    "gsm": ("density", 1), "atm": ("pressure", 1), "lm": ("light", 1), "流明": ("light", 1),
    "pairs": ("count", 1), "pieces": ("count", 1), "pcs": ("count", 1), "件": ("count", 1), "双": ("count", 1),
    "朵": ("count", 1), "个": ("count", 1), "层": ("count", 1), "档": ("count", 1), "键": ("count", 1),
    "tiers": ("count", 1), "levels": ("count", 1), "people": ("count", 1), "person": ("count", 1),
    "人": ("count", 1), "元": ("money", 1), "inr": ("money", 1), "rs": ("money", 1),
    "只": ("count", 1), "支": ("count", 1), "瓶": ("count", 1), "片": ("count", 1), "盒": ("count", 1),
    "袋": ("count", 1), "套": ("count", 1), "条": ("count", 1), "张": ("count", 1), "把": ("count", 1),
    "pack": ("count", 1), "pairs of": ("count", 1), "pair": ("count", 1), "piece": ("count", 1), "倍": ("ratio", 1),
}
# Chinese numerals and English number words; a count of one is an article ("一款", "one"), not a claim
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_UNITS = ("分钟|小时|个月|年|天|周|秒|只|支|双|层|档|瓶|片|盒|袋|套|件|个|条|张|把|人|倍|斤|公斤|千克|克|升|毫升|"
             "米|厘米|毫米|寸|英寸|千瓦|瓦|伏|毫安时|毫安|流明|色")
CN_QUANTITY = re.compile(rf"(?P<value>[零〇一二两三四五六七八九十百千万]+半?|半)(?P<unit>{_CN_UNITS})")
_EN_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
             "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
             "sixty": 60, "hundred": 100, "one": 1, "a": 1, "an": 1}
EN_QUANTITY = re.compile(r"(?<![a-z])(?P<value>" + "|".join(w for w in _EN_WORDS if len(w) > 2) +
                         r")[- ](?P<unit>minutes?|hours?|years?|months?|days?|weeks?|seconds?|pairs?|pieces?|"
                         r"litres?|liters?|inches|inch|feet|watts?|people|persons?)(?![a-z])")
# a number word counting a thing ("four USB ports", "three zip pockets"): a number like "4 ports" is
# (one to two words, the last a plural noun; "four seasons" is an idiom, not a count)
EN_COUNT = re.compile(r"(?<![a-z-])(?P<value>" + "|".join(w for w in _EN_WORDS if len(w) > 3 or w in ("two", "six", "ten"))
                      + r") (?:[a-z]+[- ])?(?P<unit>(?!seasons\b)[a-z]{2,}s)(?![a-z])")
_HALF_UNITS = r"hours?|minutes?|years?|months?|days?|weeks?|litres?|liters?"
_HALF_VALUE = r"an?|one|two|three|four|five|six|seven|eight|nine|ten|\d+"
EN_HALF = re.compile(rf"(?<![a-z0-9])(?:(?P<v1>{_HALF_VALUE}) (?P<u1>{_HALF_UNITS}) and a half"
                     rf"|(?P<v2>{_HALF_VALUE}) and a half (?P<u2>{_HALF_UNITS})|half an? (?P<u3>{_HALF_UNITS}))(?![a-z])")
YEAR = re.compile(r"(?:(?<=since )|(?<=inception in )|(?<=founded in )|(?<=established in )|(?<=est\. )|(?<=始于))"
                  r"(?P<value>\d{4})(?!\d)|(?:(?<=in )|(?<=year )|(?<=founded )|(?<=established ))"
                  r"(?P<value3>1[89]\d\d|20\d\d)(?!\d)|(?P<value2>1[89]\d\d|20\d\d)(?=年(?!质保|保修|保质))")
_UNIT_RE = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"
# thousands separators ("2,000mAh", "1,500 ml") are read only before a unit: "sizes 36,38" stays two numbers
_THOUSANDS = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?=\s*-?\s*(?:{_UNIT_RE})(?![a-z]))"
QUANTITY = re.compile(
    rf"(?P<value>(?:\d+-)?\d+/\d+|{_THOUSANDS}|{_NUM}(?:\s*(?:-|~|–|至|到|to)\s*{_NUM})?)"
    rf"(?:\s*(?:x|×|\*)\s*{_NUM})*"
    rf"(?:\s*-?\s*(?P<unit>{_UNIT_RE}))?(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    dimension: str  # 'number' when there is no unit
    low: float
    high: float
    unit: str = ""

    def alternatives(self) -> list[Quantity]:
        """Other readings of an ambiguous unit: '512g' may be grams or gigabytes of storage."""
        if self.unit == "g":
            return [Quantity(self.start, self.end, self.text, "storage", self.low, self.high, "gb")]
        return []

    def matches(self, other: Quantity, tolerance: float = 0.01) -> bool:
        if self.dimension != other.dimension:
            return False
        return _close(self.low, other.low, tolerance) and _close(self.high, other.high, tolerance)

    def within(self, other: Quantity) -> bool:
        """A single value inside another quantity's range (e.g. '20岁' within '18-24周岁')."""
        return self.dimension == other.dimension and other.low - 1e-9 <= self.low <= self.high <= other.high + 1e-9


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def _parse_number(text: str) -> float:
    if "/" in text:
        whole, _, frac = text.rpartition("-") if "-" in text else ("0", "", text)
        num, den = frac.split("/")
        return float(whole or 0) + float(num) / float(den)
    return float(text)


def parse_chinese_number(text: str) -> float:
    """十二 -> 12, 两 -> 2, 三百五十 -> 350, 一万 -> 10000, 三个半 -> 3.5 ('半' alone is 0.5)."""
    half = 0.5 if text.endswith("半") else 0.0
    text = text.rstrip("半")
    if not text:
        return half
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch] if digit is None else digit * 10 + _CN_DIGITS[ch]
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _CN_SCALES[ch]
            digit = None
    return total + section + (digit or 0) + half


def _worded(text: str, taken: list[tuple[int, int]]) -> list[Quantity]:
    """Chinese numerals, English number words and years; a count of one is an article, not a claim."""
    out = []
    for m in CN_QUANTITY.finditer(text):
        value, unit = parse_chinese_number(m.group("value")), m.group("unit")
        dimension, factor = UNITS.get(unit, ("count", 1.0)) if unit != "色" else ("count", 1.0)
        if dimension == "count" and value == 1:
            continue
        out.append(Quantity(m.start(), m.end(), m.group(0), dimension, value * factor, value * factor, unit))
    for m in EN_QUANTITY.finditer(text):
        unit = m.group("unit")
        dimension, factor = UNITS.get(unit, UNITS.get(unit + "s", ("count", 1.0)))
        value = _EN_WORDS[m.group("value")]
        out.append(Quantity(m.start(), m.end(), m.group(0), dimension, value * factor, value * factor, unit))
    out += _halves(text, out)
    counted = [(q.start, q.end) for q in out]
    for m in EN_COUNT.finditer(text):
        value = _EN_WORDS[m.group("value")]
        if not any(s < m.end() and m.start() < e for s, e in counted):
            out.append(Quantity(m.start(), m.end(), m.group(0), "number", value, value, "counted"))
    for m in YEAR.finditer(text):
        group = next(g for g in ("value", "value3", "value2") if m.group(g))
        value, span = float(m.group(group)), m.span(group)
        out.append(Quantity(span[0], span[1], text[span[0]:span[1]], "year", value, value, "year"))
    return [q for q in out if not any(s < q.end and q.start < e for s, e in taken)]


def _halves(text: str, found: list[Quantity]) -> list[Quantity]:
    """"an hour and a half" = 90 minutes, "two and a half years", "half an hour" (replacing what the word
    patterns read inside them)."""
    out = []
    for m in EN_HALF.finditer(text):
        word = m.group("v1") or m.group("v2")
        unit = m.group("u1") or m.group("u2") or m.group("u3")
        whole = 0.0 if word is None else float(word) if word.isdigit() else _EN_WORDS[word]
        dimension, factor = UNITS.get(unit, UNITS.get(unit + "s", ("count", 1.0)))
        value = (whole + 0.5) * factor
        found[:] = [q for q in found if not (m.start() <= q.start and q.end <= m.end())]
        out.append(Quantity(m.start(), m.end(), m.group(0), dimension, value, value, unit))
    return out


def find_quantities(text: str) -> list[Quantity]:
    """Quantities in NFKC-normalised, lower-cased ``text`` (positions refer to it)."""
    years = [q for q in _worded(text, []) if q.dimension == "year"]
    out = []
    for m in QUANTITY.finditer(text):
        raw, unit = m.group("value"), (m.group("unit") or "").lower()
        if "/" in raw:
            low = high = _parse_number(raw)
        else:
            parts = re.split(r"\s*(?:-|~|–|至|到|to)\s*", raw.replace(",", ""))
            low, high = float(parts[0]), float(parts[-1])
        dimension, factor = UNITS.get(unit, ("number", 1.0))
        if dimension == "number" and unit:
            continue
        if any(y.start == m.start() for y in years) and dimension in ("number", "age"):
            continue  # 2019年 / since 1999: a year, not a count of years
        out.append(Quantity(m.start(), m.end(), m.group(0).strip(), dimension, low * factor, high * factor, unit))
        if unit == "g" and re.match(r"\s*/\s*ml\b", text[m.end():]):  # "800g/mL": a seller's either-or
            vdim, vfactor = UNITS["ml"]
            out.append(Quantity(m.start(), m.end(), m.group(0).strip(), vdim, low * vfactor, high * vfactor, "ml"))
    out += [q for q in _worded(text, [(q.start, q.end) for q in out])]
    shared = _shared_unit(text, out)
    out = [q for q in out if not (q.dimension == "number" and any(q.start == x.start for x in shared))] + shared
    return sorted(out, key=lambda q: q.start)


SHARED_UNIT = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*\+\s*(?=\d+(?:\.\d+)?\s*(gb|tb|mb)\b)")


def _shared_unit(text: str, found: list[Quantity]) -> list[Quantity]:
    """"12+256GB": the unit written once stands for both numbers (memory + storage)."""
    out = []
    for m in SHARED_UNIT.finditer(text):
        if any(q.start <= m.start(1) < q.end and q.dimension != "number" for q in found):
            continue
        dimension, factor = UNITS[m.group(2)]
        value = float(m.group(1))
        out.append(Quantity(m.start(1), m.end(1), m.group(1) + m.group(2), dimension, value * factor, value * factor,
                            m.group(2)))
    return out
