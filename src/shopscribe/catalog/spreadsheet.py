"""CSV cells a spreadsheet would run as a formula are neutralised: product text comes from suppliers."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A string that starts like a formula gets a leading apostrophe (OWASP's CSV-injection advice);
    numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: dict) -> dict:
    return {k: safe_cell(v) for k, v in row.items()}
