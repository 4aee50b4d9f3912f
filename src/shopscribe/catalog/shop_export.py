"""Approved copy in the files shops import: JSONL and CSV keyed by product id, a Shopify product CSV and a
Google Merchant Center supplemental feed.

- Shopify (product CSV import, "overwrite products with matching handles"): ``Handle`` names the product;
  the written field goes to its column — a description to ``Body (HTML)`` (escaped, one ``<p>`` per
  paragraph), a title to ``Title``, a summary to ``SEO Description``.
- Merchant Center (a supplemental feed, tab-separated): ``id`` plus the written attribute. Text written with
  generative AI goes in ``structured_description`` / ``structured_title`` with the digital source type
  ``trained_algorithmic_media``, as Merchant Center asks for AI-generated titles and descriptions, written
  in a text feed as ``trained_algorithmic_media:"<text>"``.

Every cell a spreadsheet would run as a formula is neutralised (``catalog.spreadsheet``)."""

from __future__ import annotations

import csv
import html
import io
import json
from itertools import chain
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from shopscribe.catalog.spreadsheet import safe_cell

FORMATS = ("jsonl", "csv", "shopify", "merchant")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "shopify": "text/csv",
               "merchant": "text/tab-separated-values"}
EXTENSIONS = {"jsonl": "jsonl", "csv": "csv", "shopify": "shopify.csv", "merchant": "merchant.tsv"}
SHOPIFY_COLUMN = {"describe": "Body (HTML)", "optimize": "Body (HTML)", "title": "Title",
                  "summarize": "SEO Description"}
MERCHANT_COLUMN = {"describe": "structured_description", "optimize": "structured_description",
                   "title": "structured_title", "summarize": "structured_description"}
AI_SOURCE = "trained_algorithmic_media"


@dataclass(frozen=True)
class ApprovedCopy:
    """One approved text: the product, the task that wrote it, the text and who approved it."""

    product_id: str
    task: str
    text: str
    locale: str
    edited: bool
    reviewer: str | None
    model_version: str


def export_lines(rows: Iterable[ApprovedCopy], fmt: str) -> Iterator[str]:
    """The file of ``fmt`` as chunks of text (streamed: a catalog's worth never sits in memory)."""
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {list(FORMATS)}, not '{fmt}'")
    if fmt == "jsonl":
        for r in rows:
            yield json.dumps({"id": r.product_id, "task": r.task, "text": r.text, "locale": r.locale,
                              "edited": r.edited, "reviewer": r.reviewer, "model_version": r.model_version},
                             ensure_ascii=False) + "\n"
        return
    if fmt == "merchant":
        yield from _tsv(_merchant_rows(rows))
        return
    yield from _csv((_plain_rows if fmt == "csv" else _shopify_rows)(rows))


def shopify_body(text: str) -> str:
    """Plain copy as Shopify's Body (HTML): escaped, one paragraph per blank-line- or newline-separated part."""
    parts = [p.strip() for p in text.splitlines() if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts)


def merchant_value(text: str) -> str:
    """A structured_* value of a text feed: the source type, a colon and the text in double quotes."""
    return f'{AI_SOURCE}:"' + " ".join(text.split()).replace('"', "'") + '"'


def _plain_rows(rows):
    yield ["id", "task", "locale", "text", "edited", "reviewer", "model_version"]
    for r in rows:
        yield [r.product_id, r.task, r.locale, r.text, "yes" if r.edited else "no", r.reviewer or "", r.model_version]


def _shopify_rows(rows):
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        yield ["Handle", "Body (HTML)"]
        return
    column = SHOPIFY_COLUMN.get(first.task, "Body (HTML)")
    yield ["Handle", column]
    for r in chain([first], rows):
        yield [r.product_id, shopify_body(r.text) if column == "Body (HTML)" else " ".join(r.text.split())]


def _merchant_rows(rows):
    rows = iter(rows)
    first = next(rows, None)
    column = MERCHANT_COLUMN.get(first.task, "structured_description") if first else "structured_description"
    yield ["id", column]
    if first is not None:
        for r in chain([first], rows):
            yield [r.product_id, merchant_value(r.text)]


def _tsv(rows) -> Iterator[str]:
    """A Merchant Center text feed: tab-separated, one product per line, no CSV quoting (values hold no tab
    or line break: whitespace is collapsed)."""
    for row in rows:
        yield "\t".join(" ".join(str(c).split()) for c in row) + "\n"


def _csv(rows) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for i, row in enumerate(rows):
        writer.writerow(row if i == 0 else [safe_cell(c) for c in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()

