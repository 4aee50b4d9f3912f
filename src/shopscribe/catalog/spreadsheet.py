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


# the columns of an output CSV (generate --out x.csv, job results): one row per product
OUTPUT_FIELDS = ["id", "locale", "text", "length_chars", "length_status", "attempts", "guard_status", "task", "model"]


def output_csv_row(row: dict) -> dict:
    """A generated row as a CSV row: the guard's status flattened, formula-like cells neutralised."""
    return safe_row({**row, "guard_status": (row.get("guard") or {}).get("status", "off")})
