"""Read catalogs from JSONL, CSV and Parquet into validated ``ProductRecord`` s.

Every bad row becomes a ``RowProblem`` naming file, row, field and reason. With
``on_error="fail"`` all problems are raised together; with ``on_error="skip"`` the
bad rows go to a rejects file with their reasons and the good rows are returned.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from shopscribe.catalog.attributes import parse_attribute_string
from shopscribe.catalog.record import LOCALES, ProductRecord
from shopscribe.errors import CatalogError, CatalogValidationError, RowProblem

OnError = Literal["fail", "skip"]
MAX_FIELD_CHARS = 100_000
FIELD_ALIASES = {
    "product_id": "id", "sku": "id", "name": "title", "source": "description",
    "bullets": "bullet_points", "lang": "locale", "language": "locale",
}
LOCALE_ALIASES = {"zh": "zh-CN", "zh_cn": "zh-CN", "zh-cn": "zh-CN", "cn": "zh-CN", "en-us": "en", "en_us": "en",
                  "en-gb": "en"}
_LIST_FIELDS = ("bullet_points", "references", "reviews")


@dataclass
class LoadResult:
    records: list[ProductRecord]
    problems: list[RowProblem] = field(default_factory=list)
    rejects_path: Path | None = None
    rows_read: int = 0


def load_catalog(path: str | Path, *, on_error: OnError = "fail", rejects_path: str | Path | None = None,
                 required_fields: tuple[str, ...] = (), max_field_chars: int = MAX_FIELD_CHARS,
                 default_locale: str | None = None) -> LoadResult:
    """Load and validate a catalog file (``.jsonl``, ``.json``, ``.csv``, ``.parquet``).

    ``required_fields`` are fields every row needs for the task at hand
    (for example ``("attributes",)`` for describe); a row lacking one is a problem.
    """
    path = Path(path)
    rows = read_rows(path)
    records: list[ProductRecord] = []
    problems: list[RowProblem] = []
    bad_rows: dict[int, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    rows_read = 0
    for row_no, raw, row_problems in rows:
        rows_read += 1
        record = None
        if not row_problems:
            record, row_problems = _to_record(str(path), row_no, raw, required_fields, max_field_chars,
                                              default_locale)
        if record is not None and record.id in seen:
            row_problems = [RowProblem(str(path), row_no, "id", f"duplicate id, first seen at row {seen[record.id]}",
                                       record.id)]
        if row_problems:
            problems.extend(row_problems)
            bad_rows[row_no] = raw if isinstance(raw, dict) else {"raw": raw}
            continue
        seen[record.id] = row_no
        records.append(record)
    if problems and on_error == "fail":
        raise CatalogValidationError(problems)
    written = _write_rejects(path, problems, bad_rows, rejects_path) if problems else None
    return LoadResult(records, problems, written, rows_read)


def read_rows(path: str | Path) -> Iterator[tuple[int, Any, list[RowProblem]]]:
    """Raw rows of a .jsonl/.json/.csv/.parquet file: (row number, dict, problems found while reading)."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"catalog file not found: {path}")
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise CatalogError(f"{path}: unknown catalog format '{path.suffix}'; use one of {sorted(_READERS)}")
    return reader(path)


def write_rejects(path: Path, problems: list[RowProblem], bad_rows: dict[int, dict[str, Any]],
                  rejects_path: str | Path | None) -> Path:
    """Write rejected rows with their problems as JSONL (default: ``<file>.rejects.jsonl``)."""
    return _write_rejects(path, problems, bad_rows, rejects_path)


def _write_rejects(path: Path, problems: list[RowProblem], bad_rows: dict[int, dict[str, Any]],
                   rejects_path: str | Path | None) -> Path:
    out = Path(rejects_path) if rejects_path else path.with_name(path.stem + ".rejects.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    by_row: dict[int, list[RowProblem]] = {}
    for p in problems:
        by_row.setdefault(p.row, []).append(p)
    with out.open("w", encoding="utf-8") as fh:
        for row_no, row_problems in sorted(by_row.items()):
            fh.write(json.dumps({
                "file": str(path), "row": row_no, "id": row_problems[0].product_id,
                "problems": [{"field": p.field, "reason": p.reason} for p in row_problems],
                "data": _truncate_for_rejects(bad_rows.get(row_no, {})),
            }, ensure_ascii=False, default=str) + "\n")
    return out


def _truncate_for_rejects(value: Any, limit: int = 2000) -> Any:
    """Keep the rejected row, but make it valid UTF-8 and cut giant fields so the file stays readable."""
    if isinstance(value, dict):
        return {_truncate_for_rejects(k, limit): _truncate_for_rejects(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_truncate_for_rejects(v, limit) for v in value]
    if isinstance(value, str):
        text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return text if len(text) <= limit else text[:limit] + f"... [{len(text)} chars]"
    return value


# --- readers: yield (row number, raw dict, problems found while reading) ---------

def _read_jsonl(path: Path) -> Iterator[tuple[int, Any, list[RowProblem]]]:
    with path.open("rb") as fh:
        for row_no, line in enumerate(fh, start=1):
            text = line.decode("utf-8", "surrogateescape").strip()
            if not text:
                continue
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                yield row_no, text, [RowProblem(str(path), row_no, "<row>", f"not valid JSON: {exc.msg}")]
                continue
            if not isinstance(raw, dict):
                yield row_no, raw, [RowProblem(str(path), row_no, "<row>", "a row must be a JSON object")]
                continue
            yield row_no, raw, _encoding_problems(str(path), row_no, raw)


def _read_json(path: Path) -> Iterator[tuple[int, Any, list[RowProblem]]]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"{path}: not a valid UTF-8 JSON array: {exc}") from exc
    if not isinstance(data, list):
        raise CatalogError(f"{path}: a .json catalog must hold a list of objects; use .jsonl for one per line")
    for row_no, raw in enumerate(data, start=1):
        problems = [] if isinstance(raw, dict) else [RowProblem(str(path), row_no, "<row>", "not a JSON object")]
        yield row_no, raw, problems


def _read_csv(path: Path) -> Iterator[tuple[int, Any, list[RowProblem]]]:
    text = path.read_bytes().decode("utf-8-sig", "surrogateescape")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for raw in reader:
        row_no = reader.line_num - 1  # header is line 1; report data rows from 1
        raw = {k: v for k, v in raw.items() if k is not None and v not in (None, "")}
        yield row_no, raw, _encoding_problems(str(path), row_no, raw)


def _read_parquet(path: Path) -> Iterator[tuple[int, Any, list[RowProblem]]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise CatalogError(f"{path}: cannot read Parquet file: {exc}") from exc
    for row_no, raw in enumerate(table.to_pylist(), start=1):
        raw = {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in raw.items() if v is not None}
        yield row_no, raw, []


_READERS: dict[str, Callable[[Path], Iterator[tuple[int, Any, list[RowProblem]]]]] = {
    ".jsonl": _read_jsonl, ".ndjson": _read_jsonl, ".json": _read_json, ".csv": _read_csv,
    ".parquet": _read_parquet, ".pq": _read_parquet,
}


def _encoding_problems(file: str, row_no: int, raw: dict[str, Any]) -> list[RowProblem]:
    problems = []
    for key, value in raw.items():
        for text in _strings(value):
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                bad = text.encode("utf-8", "surrogateescape")[exc.start:exc.start + 1]
                problems.append(RowProblem(file, row_no, str(key),
                                           f"wrong encoding: byte 0x{bad.hex()} at character {exc.start} is not UTF-8 "
                                           "(re-save the file as UTF-8)", _raw_id(raw)))
                break
    return problems


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _raw_id(raw: dict[str, Any]) -> str | None:
    for key in ("id", "product_id", "sku"):
        if raw.get(key) not in (None, ""):
            return str(raw[key])
    return None


# --- raw dict -> ProductRecord ------------------------------------------------------

def _to_record(file: str, row_no: int, raw: dict[str, Any], required: tuple[str, ...], max_chars: int,
               default_locale: str | None) -> tuple[ProductRecord | None, list[RowProblem]]:
    rid = _raw_id(raw)

    def problem(field_name: str, reason: str) -> RowProblem:
        return RowProblem(file, row_no, field_name, reason, rid)

    problems = [problem(k, f"field is {len(v):,} characters, over the limit of {max_chars:,}")
                for k, v in raw.items() if isinstance(v, str) and len(v) > max_chars]
    if problems:
        return None, problems
    data, extra = _normalise_keys(raw)
    problems += _normalise_values(data, problem, default_locale)
    if problems:
        return None, problems
    for name in required:
        if not any(_has_value(data.get(alt)) for alt in name.split("|")):
            either = " or ".join(name.split("|"))
            problems.append(problem(name.replace("|", "/"), f"{either} is required by this task but missing or empty"))
    if problems:
        return None, problems
    data["extra"] = extra
    try:
        return ProductRecord.model_validate(data), []
    except ValidationError as exc:
        return None, [problem(".".join(str(p) for p in e["loc"]) or "<row>", e["msg"]) for e in exc.errors()]


def _normalise_keys(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    known = set(ProductRecord.model_fields) - {"extra"}
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        name = FIELD_ALIASES.get(key, key)
        if name in known and name not in data:
            data[name] = value
        else:
            extra[key] = value
    return data, extra


def _normalise_values(data: dict[str, Any], problem: Callable[[str, str], RowProblem],
                      default_locale: str | None) -> list[RowProblem]:
    problems = []
    if not _has_value(data.get("id")):
        problems.append(problem("id", "missing product id"))
    else:
        data["id"] = str(data["id"]).strip()
    locale = str(data.get("locale") or default_locale or "en").strip()
    locale = LOCALE_ALIASES.get(locale.lower(), locale)
    if locale not in LOCALES:
        problems.append(problem("locale", f"unknown locale '{locale}'; use one of {list(LOCALES)}"))
    data["locale"] = locale
    attrs = data.get("attributes")
    if isinstance(attrs, str):
        try:
            data["attributes"] = parse_attribute_string(attrs)
        except CatalogError as exc:
            problems.append(problem("attributes", str(exc)))
    elif attrs is not None and not isinstance(attrs, dict):
        problems.append(problem("attributes", f"must be an object or attribute string, got {type(attrs).__name__}"))
    if isinstance(data.get("attributes"), dict):
        # a key with no value says nothing about the product: it is left out (the row stays);
        # a row whose attributes are all empty fails the task's required-field check below
        data["attributes"] = {k: v for k, v in data["attributes"].items() if _has_value(v)}
    for name in _LIST_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            data[name] = _split_list_string(value)
    if isinstance(data.get("reviews"), list):
        data["reviews"] = [{"text": r} if isinstance(r, str) else r for r in data["reviews"]]
    for name in ("title", "brand", "category", "description", "summary", "short_title"):
        if name in data and data[name] is not None and not isinstance(data[name], str):
            data[name] = str(data[name])
    return problems


def _split_list_string(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
            if isinstance(value, list):
                return value
        except json.JSONDecodeError:
            pass
    return [part.strip() for part in text.split("\n") if part.strip()]


def _has_value(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict, tuple)):
        return any(_has_value(v) for v in (value.values() if isinstance(value, dict) else value))
    return True


def write_jsonl(records: list[ProductRecord], path: str | Path) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(record.model_dump_json(exclude_defaults=True) + "\n")


def record_from_dict(raw: Any, *, source: str = "request", row: int = 1, required_fields: tuple[str, ...] = (),
                     max_field_chars: int = MAX_FIELD_CHARS,
                     default_locale: str | None = None) -> tuple[ProductRecord | None, list[RowProblem]]:
    """One product from a dict in any shape the loaders accept (attributes as an object or an attribute
    string, field aliases): the record, or the problems naming each field."""
    if not isinstance(raw, dict):
        return None, [RowProblem(source, row, "<row>", f"expected an object, got {type(raw).__name__}", None)]
    return _to_record(source, row, raw, required_fields, max_field_chars, default_locale)
