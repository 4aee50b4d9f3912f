"""Catalog data: the product record, loaders, attribute parsers and splitting."""

from shopscribe.catalog.attributes import format_attributes, parse_attribute_string
from shopscribe.catalog.loaders import LoadResult, load_catalog, write_jsonl
from shopscribe.catalog.record import LOCALES, ProductRecord, Review
from shopscribe.catalog.split import normalise_text, split_records

__all__ = ["LOCALES", "LoadResult", "ProductRecord", "Review", "format_attributes", "load_catalog",
           "normalise_text", "parse_attribute_string", "split_records", "write_jsonl"]
