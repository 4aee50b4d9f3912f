"""Tasks: a prompt template per locale, a target field, a length policy, metrics.

Templates are plain text files (``<task>.<locale>.txt``) beside ``tasks.yaml``.
Placeholders: {title} {brand} {category} {attributes} {description} {bullets}
{tone} {max_chars} {mention}. A line whose placeholders are all empty is left out, so a
product without a brand gets no "Brand:" line. ``{mention}`` lists the attribute values
the copy must mention (see ``tasks.mention``): in training the ones the human copy uses,
at generation all that belong in copy, or the caller's own list.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from shopscribe.catalog.attributes import format_attributes
from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import TaskError
from shopscribe.tasks.mention import wanted_mentions

TEMPLATE_DIR = Path(str(resources.files("shopscribe.tasks") / "templates"))
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_ALLOWED = {"title", "brand", "category", "attributes", "description", "bullets", "tone", "max_chars",
            "insights", "keywords", "audience", "draft", "mention"}
_LIST_SEP = {"en": ", ", "zh-CN": "、"}


@dataclass(frozen=True)
class LengthPolicy:
    """Length limits counted in characters (whitespace included)."""

    max_chars: int
    min_chars: int = 0
    tokens_per_char: float = 1.0

    def max_new_tokens(self) -> int:
        """A generous token budget for ``max_chars`` characters (trimmed afterwards)."""
        return max(16, math.ceil(self.max_chars * self.tokens_per_char * 1.3))


@dataclass
class Task:
    name: str
    target_field: str
    templates: dict[str, str]
    lengths: dict[str, LengthPolicy]
    default_tone: dict[str, str]
    required_fields: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    source_dir: Path = field(default=TEMPLATE_DIR)
    must_keep: tuple[str, ...] = ()  # "brand", "type": kept by the length step (tasks.keep)
    mention_boost: dict[str, float] = field(default_factory=dict)  # per locale (engine.boost)
    prices_in_copy: bool = False  # listing rules keep prices out: the guard then blocks the price's digits

    def length(self, locale: str, max_chars: int | None = None) -> LengthPolicy:
        policy = self._for_locale(self.lengths, locale, "max_chars")
        if max_chars is not None:
            policy = LengthPolicy(max_chars, min(policy.min_chars, max_chars), policy.tokens_per_char)
        return policy

    def uses(self, placeholder: str, locale: str) -> bool:
        """Whether this task's template for ``locale`` has ``{placeholder}``."""
        return placeholder in _PLACEHOLDER.findall(self.templates.get(locale, ""))

    def build_prompt(self, record: ProductRecord, *, tone: str | None = None, max_chars: int | None = None,
                     extra: dict[str, str | None] | None = None, mention: list[str] | None = None) -> str:
        """The prompt for ``record``; ``extra`` fills task-specific placeholders (insights, keywords, draft…);
        ``mention`` replaces the default list of values to mention (every copy attribute but prices)."""
        template = self._for_locale(self.templates, record.locale, "template")
        mention = wanted_mentions(record) if mention is None else mention
        values = {
            "title": record.title if self.target_field != "title" else None,
            "brand": record.brand, "category": record.category,
            "attributes": format_attributes(record.copy_attributes(), record.locale),
            "description": record.description if self.target_field != "description" else None,
            "bullets": "\n".join(f"- {b}" for b in record.bullet_points),
            "tone": tone or self._for_locale(self.default_tone, record.locale, "default_tone"),
            "max_chars": str(self.length(record.locale, max_chars).max_chars),
            "mention": _LIST_SEP.get(record.locale, ", ").join(mention),
            **(extra or {}),
        }
        return render_template(template, values)

    def target(self, record: ProductRecord) -> str | None:
        return record.field_text(self.target_field)

    def references(self, record: ProductRecord) -> list[str]:
        refs = [r for r in record.references if r and r.strip()]
        target = self.target(record)
        if target and target not in refs:
            refs.insert(0, target)
        return refs

    def _for_locale(self, table: dict, locale: str, what: str):
        if locale in table:
            return table[locale]
        raise TaskError(f"task '{self.name}' has no {what} for locale '{locale}' "
                        f"(has {sorted(table)}); add it in {self.source_dir}")


_ALWAYS = ("tone", "max_chars")


def render_template(template: str, values: dict[str, str | None]) -> str:
    lines = []
    for line in template.splitlines():
        names = _PLACEHOLDER.findall(line)
        if names and all(not (values.get(n) or "").strip() for n in names if n not in _ALWAYS) \
                and any(n not in _ALWAYS for n in names):
            continue
        lines.append(_PLACEHOLDER.sub(lambda m: (values.get(m.group(1)) or "").strip(), line))
    return "\n".join(lines).strip()


def load_task(name: str, template_dir: str | Path | None = None) -> Task:
    """Load a task definition and its templates from ``template_dir`` (default: packaged)."""
    folder = Path(template_dir) if template_dir else TEMPLATE_DIR
    spec_file = folder / "tasks.yaml"
    if not spec_file.is_file():
        raise TaskError(f"no tasks.yaml in template folder {folder}")
    specs = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}
    if name not in specs:
        raise TaskError(f"unknown task '{name}'; choose one of {sorted(specs)} (defined in {spec_file})")
    spec = specs[name]
    templates = {}
    for path in sorted(folder.glob(f"{name}.*.txt")):
        locale = path.name[len(name) + 1:-len(".txt")]
        templates[locale] = path.read_text(encoding="utf-8")
        unknown = set(_PLACEHOLDER.findall(templates[locale])) - _ALLOWED
        if unknown:
            raise TaskError(f"template {path} uses unknown placeholder(s) {sorted(unknown)}; "
                            f"allowed: {sorted(_ALLOWED)}")
    if not templates:
        raise TaskError(f"task '{name}' has no templates ({name}.<locale>.txt) in {folder}")
    try:
        lengths = {loc: LengthPolicy(int(spec["max_chars"][loc]), int(spec.get("min_chars", {}).get(loc, 0)),
                                     float(spec.get("tokens_per_char", {}).get(loc, 1.0)))
                   for loc in spec["max_chars"]}
        return Task(name=name, target_field=spec["target_field"], templates=templates, lengths=lengths,
                    default_tone=dict(spec.get("default_tone", {})),
                    required_fields=tuple(spec.get("required_fields", ())),
                    metrics=tuple(spec.get("metrics", ())), source_dir=folder,
                    must_keep=tuple(spec.get("must_keep", ())),
                    mention_boost={k: float(v) for k, v in (spec.get("mention_boost") or {}).items()},
                    prices_in_copy=bool(spec.get("prices_in_copy", False)))
    except (KeyError, TypeError, ValueError) as exc:
        raise TaskError(f"task '{name}' in {spec_file} is malformed: {exc!r}") from exc


def task_names(template_dir: str | Path | None = None) -> list[str]:
    folder = Path(template_dir) if template_dir else TEMPLATE_DIR
    return sorted((yaml.safe_load((folder / "tasks.yaml").read_text(encoding="utf-8")) or {}).keys())


# placeholders a caller fills per product beyond its data (optimize: the draft and the review insights)
_CONTEXT_PLACEHOLDERS = {"draft", "insights"}


def copy_task_names(template_dir: str | Path | None = None) -> list[str]:
    """The tasks that write copy from a product's data alone (the copy routes, jobs and `generate`); a task
    whose template takes a draft or insights (optimize) has a workflow of its own."""
    return [name for name in task_names(template_dir)
            if not any(_CONTEXT_PLACEHOLDERS & set(_PLACEHOLDER.findall(t))
                       for t in load_task(name, template_dir).templates.values())]
