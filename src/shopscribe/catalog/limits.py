"""Field size limits of a product sent to the service (the HTTP schema and catalog jobs apply the same):
a product is described in a few hundred characters of data, and anything far larger is refused with the
field's path instead of reaching the prompt."""

from __future__ import annotations

from shopscribe.catalog.record import ProductRecord

MAX_ID_CHARS = 200
MAX_TITLE_CHARS = 500  # title, brand, category
MAX_ATTRIBUTES = 100  # attribute keys per product
MAX_ATTRIBUTE_CHARS = 1_000  # one attribute key or value
MAX_ATTRIBUTE_STRING_CHARS = 10_000  # the 颜色#红色*材质#棉 string form
MAX_TEXT_CHARS = 20_000  # description (the given text)
MAX_BULLETS = 50
MAX_BULLET_CHARS = 1_000
MAX_REVIEWS = 500
MAX_REVIEW_CHARS = 5_000


def field_limit_problems(record: ProductRecord) -> list[tuple[str, str]]:
    """(field path, reason) for each field of ``record`` over its limit."""
    problems = []

    def over(path: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            problems.append((path, f"{len(value)} characters; the limit is {limit}"))

    over("id", record.id, MAX_ID_CHARS)
    for name in ("title", "brand", "category"):
        over(name, getattr(record, name), MAX_TITLE_CHARS)
    over("description", record.description, MAX_TEXT_CHARS)
    if len(record.attributes) > MAX_ATTRIBUTES:
        problems.append(("attributes", f"{len(record.attributes)} keys; the limit is {MAX_ATTRIBUTES}"))
    for key, values in record.attributes.items():
        over(f"attributes.{key[:40]}", key, MAX_ATTRIBUTE_CHARS)
        for value in values:
            over(f"attributes.{key[:40]}", value, MAX_ATTRIBUTE_CHARS)
    if len(record.bullet_points) > MAX_BULLETS:
        problems.append(("bullet_points", f"{len(record.bullet_points)} items; the limit is {MAX_BULLETS}"))
    for i, bullet in enumerate(record.bullet_points):
        over(f"bullet_points.{i}", bullet, MAX_BULLET_CHARS)
    if len(record.reviews) > MAX_REVIEWS:
        problems.append(("reviews", f"{len(record.reviews)} reviews; the limit is {MAX_REVIEWS}"))
    for i, review in enumerate(record.reviews):
        over(f"reviews.{i}", review.text, MAX_REVIEW_CHARS)
    return problems
