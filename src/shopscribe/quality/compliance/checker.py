"""Compliance checking with editable rule packs (YAML data, one file per pack).

A rule matches a regular expression; an ``allow`` pattern that matches around
the hit (the look-alike legal phrase, such as 第一次 or 100%纯棉) clears it.
Packs are found in the packaged ``rules/`` folder and in any folder a user
passes, so adding a pack needs no code. A pack marked ``strict: true`` holds
contested terms (最新, 首发, "latest") that some platforms and regulators reject
and others allow; it is used only when strict checking is asked for, and each
finding carries the pack's reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from shopscribe.errors import ConfigError

PACKAGED_RULES = Path(str(resources.files("shopscribe.quality.compliance") / "rules"))
SEVERITIES = ("high", "medium", "low")
_ALLOW_WINDOW = 40  # characters either side of a hit where a look-alike legal phrase may stand


@dataclass(frozen=True)
class Rule:
    id: str
    pattern: re.Pattern
    severity: str
    explanation: str
    fix: str
    allow: tuple[re.Pattern, ...] = ()
    pack: str = ""


@dataclass(frozen=True)
class Finding:
    rule_id: str
    start: int
    end: int
    text: str
    severity: str
    explanation: str
    fix: str


@dataclass
class RulePack:
    name: str
    locale: str
    rules: list[Rule] = field(default_factory=list)
    strict: bool = False


def load_pack(path: str | Path) -> RulePack:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read rule pack {path}: {exc}") from exc
    if not isinstance(data, dict) or "rules" not in data or "locale" not in data:
        raise ConfigError(f"rule pack {path} needs 'pack', 'locale' and 'rules'")
    pack = RulePack(str(data.get("pack", path.stem)), str(data["locale"]), strict=bool(data.get("strict", False)))
    for i, spec in enumerate(data["rules"]):
        where = f"rule pack {path}, rule #{i + 1} ({spec.get('id', '?')})"
        missing = [k for k in ("id", "pattern", "severity", "explanation", "fix") if k not in spec]
        if missing:
            raise ConfigError(f"{where}: missing {missing}")
        if spec["severity"] not in SEVERITIES:
            raise ConfigError(f"{where}: severity must be one of {SEVERITIES}")
        try:
            pattern = re.compile(spec["pattern"])
            allow = tuple(re.compile(a) for a in spec.get("allow", []))
        except re.error as exc:
            raise ConfigError(f"{where}: invalid regular expression: {exc}") from exc
        pack.rules.append(Rule(spec["id"], pattern, spec["severity"], spec["explanation"], spec["fix"], allow,
                               pack.name))
    return pack


def load_packs(locale: str, extra_dirs: list[Path] | None = None, strict: bool = False) -> list[RulePack]:
    """Every pack for ``locale`` from the packaged rules and ``extra_dirs`` (strict packs only if ``strict``)."""
    packs = []
    for folder in [PACKAGED_RULES, *(extra_dirs or [])]:
        for path in sorted(Path(folder).glob("*.yaml")):
            pack = load_pack(path)
            if pack.locale == locale and (strict or not pack.strict):
                packs.append(pack)
    return packs


class ComplianceChecker:
    """The rule packs of one locale and, when given, the learned check beside them (``learned.py``): a
    sentence it judges a likely violation that no rule names is a finding of its own."""

    def __init__(self, packs: list[RulePack], learned=None, locale: str | None = None):
        self.rules = [rule for pack in packs for rule in pack.rules]
        self.learned = learned
        self.locale = locale or (packs[0].locale if packs else None)
        self._banned: dict[tuple[str, ...], list[str]] = {}

    @classmethod
    def for_locale(cls, locale: str, extra_dirs: list[Path] | None = None, strict: bool = False,
                   learned="auto") -> ComplianceChecker:
        """``learned``: a ``LearnedCompliance``, None (rules alone) or "auto" (the model
        ``SHOPSCRIBE_COMPLIANCE_MODEL`` names, if any)."""
        if learned == "auto":
            from shopscribe.quality.compliance.learned import from_environment

            learned = from_environment()
        return cls(load_packs(locale, extra_dirs, strict), learned, locale)

    def check(self, text: str) -> list[Finding]:
        findings = []
        squeezed, where = squeeze(text)
        for rule in self.rules:
            for m in rule.pattern.finditer(text):
                if self._allowed(rule, text, m.start(), m.end()):
                    continue
                findings.append(Finding(rule.id, m.start(), m.end(), m.group(0), rule.severity,
                                        rule.explanation, rule.fix))
            if squeezed == text:
                continue
            # a term spelled apart to slip past a filter ("b e s t", "N o . 1", "最 好"): matched with the
            # spaces taken out, reported at its place in the text as written
            for m in rule.pattern.finditer(squeezed):
                start, end = where[m.start()], where[m.end() - 1] + 1
                if self._allowed(rule, squeezed, m.start(), m.end()) or any(
                        f.rule_id == rule.id and f.start < end and start < f.end for f in findings):
                    continue
                findings.append(Finding(rule.id, start, end, text[start:end], rule.severity,
                                        rule.explanation, rule.fix))
        if self.learned is not None and self.locale:
            findings += self._learned_findings(text, findings)
        return sorted(findings, key=lambda f: (f.start, f.rule_id))

    def _learned_findings(self, text: str, found: list[Finding]) -> list[Finding]:
        from shopscribe.quality.compliance.learned import LEARNED_RULE

        out = []
        for start, end, p in self.learned.violations(text, self.locale):
            if any(f.start < end and start < f.end for f in found):  # a rule already names what is wrong
                continue
            out.append(Finding(LEARNED_RULE, start, end, text[start:end], "medium",
                               f"The learned compliance check judges this sentence a likely advertising "
                               f"violation (p = {p:.2f}) that no rule names: an unprovable health, result, "
                               f"endorsement or ranking claim, or pressure to buy.",
                               "Rewrite it as a plain, verifiable fact about the product, or have an editor "
                               "check it."))
        return out

    @staticmethod
    def _allowed(rule: Rule, text: str, start: int, end: int) -> bool:
        lo, hi = max(0, start - _ALLOW_WINDOW), min(len(text), end + _ALLOW_WINDOW)
        window = text[lo:hi]
        for allow in rule.allow:
            for m in allow.finditer(window):
                if m.start() + lo <= start and m.end() + lo >= end - 1:  # the allowed phrase covers the hit
                    return True
        return False

    def banned_terms(self, severities: tuple[str, ...] = ("high", "medium")) -> list[str]:
        """Literal alternatives of the rules, for decoding-time prevention (worked out once per checker:
        every decode request asks)."""
        if severities not in self._banned:
            terms = []
            for rule in self.rules:
                if rule.severity in severities:
                    terms += [t for t in _literal_alternatives(rule.pattern.pattern) if t]
            self._banned[severities] = sorted(set(terms))
        return list(self._banned[severities])


_CJK = re.compile(r"[\u4e00-\u9fff]")


def squeeze(text: str) -> tuple[str, list[int]]:
    """``text`` without the spaces that split a word apart — between two Chinese characters, or between
    single letters, digits and dots ("b e s t", "N o . 1") — and, per character kept, its index in ``text``."""
    out, where = [], []
    for i, ch in enumerate(text):
        if ch == " " and 0 < i < len(text) - 1 and _split_apart(text, i):
            continue
        out.append(ch)
        where.append(i)
    return "".join(out), where


def _split_apart(text: str, i: int) -> bool:
    before, after = text[i - 1], text[i + 1]
    if _CJK.match(before) and _CJK.match(after):
        return True

    def single(j: int) -> bool:  # a one-character token at j (a letter, digit or dot between spaces)
        return (text[j].isalnum() or text[j] == ".") and (j == 0 or not text[j - 1].isalnum()) and (
            j == len(text) - 1 or not text[j + 1].isalnum())

    return single(i - 1) and single(i + 1)


def _literal_alternatives(pattern: str) -> list[str]:
    """Plain words of a pattern such as ``(?i)\\b(?:eco[- ]friendly|non[- ]toxic)\\b``.

    ``[- ]`` and ``[- ]?`` expand to their spellings; alternatives with any other
    regex syntax are left to the post-generation check.
    """
    body = re.sub(r"^\(\?i\)", "", pattern)
    body = re.sub(r"^\\b\(\?:(.*)\)\\b$", r"\1", body)
    body = re.sub(r"^\(\?:(.*)\)$", r"\1", body)
    out = []
    for part in _split_top_level(body):
        part = part.replace("\\b", "")
        variants = [part]
        for token, spellings in (("[- ]?", ["-", " ", ""]), ("[- ]", ["-", " "])):
            variants = [v.replace(token, s, 1) for v in variants for s in (spellings if token in v else [""])]
        out += [v for v in variants if v and not re.search(r"[\\\[\](){}?*+.^$|]", v)]
    return out


def _split_top_level(body: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in body:
        depth += ch == "(" or ch == "["
        depth -= ch == ")" or ch == "]"
        if ch == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]
