"""The one product record every part of ShopScribe uses."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Locale = Literal["en", "zh-CN"]
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


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    text = str(value)
    return [text] if text.strip() else []
