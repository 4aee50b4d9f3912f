"""Parsers for attribute strings found in real catalogs.

Formats (detected in this order):

* JSON object: ``{"color": "red", "size": ["S", "M"]}``
* OpenBG style: ``颜色分类#:#图片色#;#裤长#:#长裤``
* AdvertiseGen style: ``类型#上衣*材质#牛仔布`` (a repeated key adds a value)
* ``key: value; key: value`` (or ``key=value|key=value``)
"""

from __future__ import annotations

import json
import re

from shopscribe.errors import CatalogError

_KV_PAIR = re.compile(r"\s*([^:=;|]+?)\s*[:=]\s*([^;|]*)")


def _add(out: dict[str, list[str]], key: str, value: str) -> None:
    key, value = key.strip(), value.strip()
    if not key:
        raise CatalogError(f"attribute with empty key (value '{value}')")
    if value and value not in out.setdefault(key, []):
        out[key].append(value)
    out.setdefault(key, [])


def parse_attribute_string(text: str) -> dict[str, list[str]]:
    """Parse one attribute string into ``{key: [values]}``; raise CatalogError on bad syntax."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        return _parse_json(text)
    out: dict[str, list[str]] = {}
    if "#:#" in text:
        for pair in text.split("#;#"):
            if "#:#" not in pair:
                raise CatalogError(f"attribute pair '{pair}' lacks '#:#' between key and value")
            key, value = pair.split("#:#", 1)
            _add(out, key, value)
        return out
    if "#" in text:
        for pair in text.split("*"):
            if "#" not in pair:
                raise CatalogError(f"attribute pair '{pair}' lacks '#' between key and value")
            key, value = pair.split("#", 1)
            _add(out, key, value)
        return out
    for part in re.split(r"[;|]", text):
        if not part.strip():
            continue
        match = _KV_PAIR.fullmatch(part)
        if not match:
            raise CatalogError(f"attribute pair '{part.strip()}' is not 'key: value'")
        _add(out, match.group(1), match.group(2))
    return out


def _parse_json(text: str) -> dict[str, list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"attribute JSON is invalid: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise CatalogError("attribute JSON must be an object")
    out: dict[str, list[str]] = {}
    for key, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            if v is not None:
                _add(out, str(key), str(v))
    return out


def format_attributes(attributes: dict[str, list[str]], locale: str) -> str:
    """Render attributes for a prompt: one ``key: v1, v2`` per line."""
    sep = "、" if locale.startswith("zh") else ", "
    colon = "：" if locale.startswith("zh") else ": "
    return "\n".join(f"{k}{colon}{sep.join(vs)}" for k, vs in attributes.items() if vs)
