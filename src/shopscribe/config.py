"""Config base class and YAML + ``key=value`` override loading.

Every command has one pydantic config model (``TrainConfig``, ``GenerateConfig``,
``EvaluateConfig``). The flow is: YAML file -> dict -> dotted overrides -> model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from shopscribe.errors import ConfigError, ShopScribeError

C = TypeVar("C", bound="BaseConfig")


class BaseConfig(BaseModel):
    """Base of every config: unknown keys are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into its key path and a YAML-parsed value."""
    if "=" not in text:
        raise ConfigError(f"override '{text}' is not of the form key=value (e.g. train.epochs=3)")
    key, raw = text.split("=", 1)
    key = key.strip().lstrip("-")
    if not key:
        raise ConfigError(f"override '{text}' has an empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Return ``data`` with every dotted ``key=value`` override applied."""
    for text in overrides:
        path, value = parse_override(text)
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"override '{text}': '{part}' is not a group of keys")
            node = child
        node[path[-1]] = value
    return data


def read_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping at the top level")
    return data


def format_validation_error(exc: ValidationError, source: str) -> str:
    lines = [f"invalid config ({source}):"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "<root>"
        lines.append(f"  {key}: {err['msg']}")
    return "\n".join(lines)


def load_config(cls: type[C], path: str | Path | None = None, overrides: list[str] | None = None,
                base: dict[str, Any] | None = None) -> C:
    """Build ``cls`` from an optional YAML file, a base dict and ``key=value`` overrides."""
    data: dict[str, Any] = dict(base or {})
    if path is not None:
        data = _deep_merge(data, read_yaml(path))
    data = apply_overrides(data, list(overrides or []))
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path or "command line"))) from exc


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for key, value in b.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def dump_config(cfg: BaseModel, path: str | Path) -> None:
    """Write the exact, resolved config next to a run's outputs."""
    Path(path).write_text(yaml.safe_dump(cfg.model_dump(mode="json"), allow_unicode=True, sort_keys=False),
                          encoding="utf-8")


def checked_jsonl(path: Path, what: str, fields: dict[str, tuple[Callable[[Any], bool], str]]
                  ) -> Iterator[tuple[int, dict]]:
    """(row number, row) of a JSONL file whose rows must hold ``fields`` (name -> (test, hint)); a missing file,
    a line that is not JSON or a field that fails its test is an error naming the file, the row and the field
    (``what``: what the file is, for the missing-file error)."""
    path = Path(path)
    if not path.is_file():
        raise ShopScribeError(f"{path}: no such file ({what})")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ShopScribeError(f"{path}, row {n}: not JSON ({exc})") from None
        for key, (ok, hint) in fields.items():
            if not ok(row.get(key)):
                why = "missing" if key not in row else f"invalid value {row[key]!r}"
                raise ShopScribeError(f"{path}, row {n}, field {key}: {why}{hint}")
        yield n, row
