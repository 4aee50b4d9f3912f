"""The one product record every part of ShopScribe uses."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Locale = Literal["en", "zh-CN"]
BRAND_KEYS = ("brand", "品牌", "品牌名称", "Brand")
INTERNAL_KEY = re.compile(r"warehouse|\bbin\b|_bin|supplier|vendor|internal|stock|inventory|barcode|\bean\b|\bupc\b|"
                          r"仓位|仓库|库位|库存|供应商|内部|条码|条形码", re.IGNORECASE)
NO_BRAND = {"other", "others", "其他", "其它", "无", "无品牌", "none", "n/a", "na", "generic", "-"}
LOCALES: tuple[str, ...] = ("en", "zh-CN")


class Review(BaseModel):
    """One customer review of a product."""

    model_config = ConfigDict(extra="allow")

    text: str
    rating: float | None = None
    title: str | None = None
    label: str | None = None


class ProductRecord(BaseModel):
    """A catalog product.

    ``attributes`` maps a key to one or more values (``{"图案": ["卡通", "印花"]}``).
    ``summary`` and ``short_title`` are targets some tasks learn to write;
    ``references`` holds extra human-written references for the task's target field.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Unique product id within the catalog.")
    locale: Locale = Field("en", description="Language of the copy: 'en' or 'zh-CN'.")
    title: str | None = None
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, list[str]] = Field(default_factory=dict)
    description: str | None = None
    bullet_points: list[str] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    summary: str | None = None
    short_title: str | None = None
    references: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict, description="Unrecognised source fields, kept verbatim.")

    @field_validator("attributes", mode="before")
    @classmethod
    def _values_to_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): _as_list(v) for k, v in value.items()}
        return value

    def field_text(self, name: str) -> str | None:
        """The text of a target field such as 'description', 'title', 'summary'."""
        value = getattr(self, name, None)
        if isinstance(value, list):
            return "\n".join(value) if value else None
        return value

    def attribute_values(self) -> list[str]:
        return [v for values in self.attributes.values() for v in values]

    def copy_attributes(self) -> dict[str, list[str]]:
        """Attributes that describe the product: internal fields (warehouse bins, supplier codes,
        stock, barcodes, internal notes) are left out of prompts and of what copy may state."""
        return {k: vs for k, vs in self.attributes.items() if not INTERNAL_KEY.search(k)}

    def brand_spellings(self) -> list[str]:
        """The brand, from ``brand`` or a brand attribute, with its spellings ("Vitasoy/维他奶" gives both);
        placeholders such as "other" / "其他" are no brand."""
        raw = self.brand or next((vs[0] for k in BRAND_KEYS for vs in [self.attributes.get(k, [])] if vs), None)
        if not raw or raw.strip().lower() in NO_BRAND:
            return []
        parts = [p.strip() for p in raw.split("/") if p.strip() and p.strip().lower() not in NO_BRAND]
        return list(dict.fromkeys([*parts, raw.strip()] if len(parts) > 1 else parts))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    text = str(value)
    return [text] if text.strip() else []
