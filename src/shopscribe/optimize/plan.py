"""Plan a rewrite: which sentences of the original stay (their claims are supported by
the attributes), which go (and why), what customers praise, the top complaint and the
honest advice the data allows, and the keywords to work in. ``compose`` turns the plan
into a draft that already meets every target; a language model may then polish it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.faithfulness import SENTENCE, SUPPORTED, check_faithfulness
from shopscribe.quality.text import normalise
from shopscribe.reviews.aspects import load_aspects
from shopscribe.tasks.length import trim_to_limit

PRAISE = {"en": "Customers praise its {aspects}.", "zh-CN": "买家称赞它的{aspects}。"}
KEYWORDS = {"en": "Ideal if you are looking for {keywords}.", "zh-CN": "想要{keywords}的你，不妨一试。"}
JOIN = {"en": (", ", " and "), "zh-CN": ("、", "和")}
# advice for the top complaint, only where the reviews say which way (fit: runs small / large)
ADVICE = {
    ("fit", "small"): {"en": "Runs small: consider one size up.", "zh-CN": "版型偏小，建议选大一码。"},
    ("fit", "large"): {"en": "Runs large: consider one size down.", "zh-CN": "版型偏大，建议选小一码。"},
}


@dataclass
class Sentence:
    text: str
    facts: list[str]  # normalised supported claims and attribute values it states
    dropped_because: list[str] = field(default_factory=list)  # unsupported / contradicted claims


@dataclass
class Plan:
    locale: str
    kept: list[Sentence]
    dropped: list[Sentence]
    praise: list[str]  # aspect labels customers praise, best first
    complaint: dict | None  # aspect, label, share_negative, direction, advice (None when the data allows none)
    keywords: list[str]

    @property
    def facts(self) -> list[str]:
        """Supported facts of the original the rewrite must keep."""
        return list(dict.fromkeys(f for s in self.kept for f in s.facts))


def plan_rewrite(record: ProductRecord, insights: dict | None, keywords: list[str],
                 checker: ComplianceChecker | None = None) -> Plan:
    original = record.description or ""
    kept, dropped = [], []
    report = check_faithfulness(original, record, exclude_field="description")
    findings = (checker or ComplianceChecker.for_locale(record.locale)).check(original)
    values = [v for v in dict.fromkeys(record.attribute_values()) if len(normalise(v)) >= 2]
    for s in report.sentences:
        bad = [f"{c.text} ({c.status})" for c in s.claims if c.status != SUPPORTED]
        bad += [f"{f.text} (compliance {f.rule_id})" for f in findings if s.start <= f.start < s.end]
        norm = normalise(s.text)
        facts = [normalise(c.text) for c in s.claims if c.status == SUPPORTED]
        facts += [normalise(v) for v in values if normalise(v) in norm]
        sentence = Sentence(s.text.strip(), list(dict.fromkeys(facts)), bad)
        (dropped if bad else kept).append(sentence)
    praise, complaint = _from_insights(insights, record.locale)
    return Plan(record.locale, kept, dropped, praise, complaint, [k for k in keywords if k.strip()])


def _from_insights(insights: dict | None, locale: str) -> tuple[list[str], dict | None]:
    if not insights:
        return [], None
    aspects = insights.get("aspects", [])
    praised = sorted([a for a in aspects if a["positive"] and a["share_negative"] < 0.5],
                     key=lambda a: -a["positive"])[:2]
    labels = {a.id: a.labels for a in load_aspects()}

    def label(a: dict) -> str:  # insights of another language's reviews are shown in this locale
        return labels.get(a["aspect"], {}).get(locale, a["label"])
    complaints = [a for a in aspects if a["negative"] and a["share_negative"] >= 0.5]
    top = max(complaints, key=lambda a: (a["negative"], a["share_negative"])) if complaints else None
    complaint = None
    if top:
        advice = ADVICE.get((top["aspect"], top.get("direction")), {}).get(locale)
        complaint = {"aspect": top["aspect"], "label": label(top), "share_negative": top["share_negative"],
                     "direction": top.get("direction"), "advice": advice}
    return [label(a) for a in praised], complaint


def compose(plan: Plan, max_chars: int) -> str:
    """Praise first, then the kept sentences, the advice, and a keyword line for keywords not yet in.
    Over the limit, parts go in this order: factless sentences, praise line, keyword line, advice."""
    lead = PRAISE[plan.locale].format(aspects=_join(plan.praise, plan.locale)) if plan.praise else ""
    advice = (plan.complaint or {}).get("advice") or ""
    body = [s for s in plan.kept]
    space = " " if plan.locale == "en" else ""

    def text() -> str:
        kept = space.join(s.text for s in body)
        missing = [k for k in plan.keywords if normalise(k) not in normalise(lead + kept + advice)]
        kw_line = KEYWORDS[plan.locale].format(keywords=_join(missing, plan.locale)) if missing and use_kw else ""
        return space.join(p for p in (lead, kept, advice, kw_line) if p)

    use_kw = True
    for drop in ("factless", "lead", "keywords", "advice"):
        if len(text()) <= max_chars:
            break
        if drop == "factless":
            body = [s for s in body if s.facts]
        elif drop == "lead":
            lead = ""
        elif drop == "keywords":
            use_kw = False
        else:
            advice = ""
    return text() if len(text()) <= max_chars else trim_to_limit(text(), max_chars)


def _join(items: list[str], locale: str) -> str:
    sep, last = JOIN[locale]
    return items[0] if len(items) == 1 else sep.join(items[:-1]) + last + items[-1]


def original_sentences(text: str) -> list[str]:
    return [m.group(0).strip() for m in SENTENCE.finditer(text) if m.group(0).strip()]
