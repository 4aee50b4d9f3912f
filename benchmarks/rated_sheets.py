"""The committed blind ratings of Chinese copy (docs/ratings: sheet, key and rating per stem), read as
``RatedText`` rows for the benchmarks that score the guard against what the raters said."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

RATINGS = Path(__file__).resolve().parent.parent / "docs" / "ratings"


@dataclass(frozen=True)
class RatedText:
    sheet: str
    record: object  # shopscribe ProductRecord
    writer: str  # "human" or the system's name in the key
    mark: dict  # the rater's score, flags and note
    text: str


def chinese_stems() -> list[str]:
    """Every sheet with its key and rating whose texts are Chinese."""
    stems = []
    for sheet in sorted(RATINGS.glob("sheet.*.json")):
        stem = sheet.name[len("sheet."):-len(".json")]
        if not all((RATINGS / f"{part}.{stem}.json").is_file() for part in ("key", "rating")):
            continue
        texts = "".join(t for row in json.loads(sheet.read_text(encoding="utf-8")) for t in row["texts"].values())
        if any("\u4e00" <= c <= "\u9fff" for c in texts):
            stems.append(stem)
    return stems


def rated_texts(stem: str) -> list[RatedText]:
    """Every rated text of one sheet, with its product as a record."""
    from shopscribe.catalog.record import ProductRecord

    sheet = json.loads((RATINGS / f"sheet.{stem}.json").read_text(encoding="utf-8"))
    key = json.loads((RATINGS / f"key.{stem}.json").read_text(encoding="utf-8"))
    rating = {r["id"]: r for r in json.loads((RATINGS / f"rating.{stem}.json").read_text(encoding="utf-8"))}
    out = []
    for row in sheet:
        data = row["product_data"]
        record = ProductRecord(id=row["id"], locale="zh-CN", category=data.get("category"),
                               attributes=data.get("attributes", {}), title=data.get("title"))
        for label, text in row["texts"].items():
            mark = rating.get(row["id"], {}).get(label)
            if mark:
                out.append(RatedText(stem, record, key[row["id"]][label], mark, text))
    return out
