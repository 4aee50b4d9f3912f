"""Quantities with units: '1.7 L', '５０００毫安', '18-24周岁', '9/16"', '28 cm'.

Each quantity is normalised to a dimension and a value in that dimension's base
unit, so 1.7 L == 1700 ml and 2斤 == 1 kg compare equal.
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
    "w": ("power", 1), "瓦": ("power", 1), "kw": ("power", 1000), "v": ("voltage", 1), "伏": ("voltage", 1),
    "%": ("percent", 1), "percent": ("percent", 1),
    "岁": ("age", 12), "周岁": ("age", 12), "years old": ("age", 12), "year old": ("age", 12),
    "months": ("age", 1), "month": ("age", 1), "个月": ("age", 1), "years": ("age", 12),
    "hours": ("time", 60), "hour": ("time", 60), "小时": ("time", 60), "h": ("time", 60),
    "minutes": ("time", 1), "min": ("time", 1), "分钟": ("time", 1), "days": ("time", 1440),
    "day": ("time", 1440), "天": ("time", 1440),
    "gb": ("storage", 1), "tb": ("storage", 1024), "hz": ("frequency", 1), "mhz": ("frequency", 1e6),
    "gsm": ("density", 1), "atm": ("pressure", 1), "lm": ("light", 1), "流明": ("light", 1),
    "pairs": ("count", 1), "pieces": ("count", 1), "pcs": ("count", 1), "件": ("count", 1), "双": ("count", 1),
    "朵": ("count", 1), "个": ("count", 1), "层": ("count", 1), "档": ("count", 1), "键": ("count", 1),
    "tiers": ("count", 1), "levels": ("count", 1), "people": ("count", 1), "person": ("count", 1),
    "人": ("count", 1), "元": ("money", 1), "inr": ("money", 1), "rs": ("money", 1),
}
_UNIT_RE = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_NUM = r"\d+(?:\.\d+)?"
QUANTITY = re.compile(
    rf"(?P<value>(?:\d+-)?\d+/\d+|{_NUM}(?:\s*(?:-|~|–|至|到|to)\s*{_NUM})?)"
    rf"(?:\s*(?:x|×|\*)\s*{_NUM})*"
    rf"\s*(?P<unit>{_UNIT_RE})?(?![a-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    dimension: str  # 'number' when there is no unit
    low: float
    high: float

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


def find_quantities(text: str) -> list[Quantity]:
    """Quantities in NFKC-normalised, lower-cased ``text`` (positions refer to it)."""
    out = []
    for m in QUANTITY.finditer(text):
        raw, unit = m.group("value"), (m.group("unit") or "").lower()
        if "/" in raw:
            low = high = _parse_number(raw)
        else:
            parts = re.split(r"\s*(?:-|~|–|至|到|to)\s*", raw)
            low, high = float(parts[0]), float(parts[-1])
        dimension, factor = UNITS.get(unit, ("number", 1.0))
        if dimension == "number" and unit:
            continue
        out.append(Quantity(m.start(), m.end(), m.group(0).strip(), dimension, low * factor, high * factor))
    return out
