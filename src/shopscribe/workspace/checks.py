"""A text as a reviewer sees it: the guard's verdict on it, every claim (supported ones too) with the
product attribute that backs or contradicts it, compliance findings with their fix, text-quality findings,
and the length against its limit — and the text cut into highlighted segments."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.faithfulness import SUPPORTED, check_faithfulness
from shopscribe.quality.guard import PublishingGuard
from shopscribe.tasks.length import enforce_length

# when findings overlap, the segment shows the most serious
RANK = {"contradicted": 5, "unsupported": 4, "violation": 3, "quality": 2, "supported": 1}


@dataclass
class Checked:
    status: str  # the guard's: pass | flagged
    claims: list[dict]  # kind, text, start, end, status, evidence, reason, attribute
    violations: list[dict]  # rule_id, text, start, end, severity, fix
    quality: list[dict]  # kind, text, start, end, reason
    missing_terms: list[str]
    length: dict  # chars, limit, min, status
    segments: list[dict] = field(default_factory=list)  # text, status, notes (for highlighting)

    def as_dict(self) -> dict:
        return asdict(self)


def check_text(text: str, record: ProductRecord, guard: PublishingGuard, max_chars: int | None = None) -> Checked:
    """The guard's verdict on ``text`` with everything a reviewer needs to see why."""
    verdict = guard.verdict(text, record)
    found = check_faithfulness(text, record, exclude_field=guard.task.target_field, families=guard.families).claims
    supported = [dict(c.__dict__) for c in found if c.status == SUPPORTED]
    claims = sorted(supported + verdict.contradicted + verdict.unsupported, key=lambda c: (c["start"], c["end"]))
    for claim in claims:
        claim["attribute"] = bearing_attribute(claim, record, guard)
    policy = guard.task.length(record.locale, max_chars)
    length = {"chars": len(text), "limit": policy.max_chars, "min": policy.min_chars,
              "status": enforce_length(text, policy).status if text.strip() else "empty"}
    checked = Checked(verdict.status, claims, verdict.violations, verdict.quality, verdict.missing_terms, length)
    checked.segments = segments(text, checked)
    return checked


def bearing_attribute(claim: dict, record: ProductRecord, guard: PublishingGuard) -> str | None:
    """The attribute (key) that backs or contradicts ``claim``: the one whose value alone gives the claim
    the same verdict it has against the whole product. None for a claim no attribute bears on."""
    if claim["status"] not in ("supported", "contradicted") or claim.get("kind") == "verifier":
        return None
    for key, values in record.copy_attributes().items():
        alone = ProductRecord(id=record.id, locale=record.locale, attributes={key: values})
        verdicts = check_faithfulness(claim["text"], alone, families=guard.families).claims
        if any(c.status == claim["status"] for c in verdicts):
            return key
    for name in ("title", "brand", "category"):
        value = getattr(record, name)
        if value and claim["status"] == "supported" and claim["text"].lower() in value.lower():
            return name
    return None


def segments(text: str, checked: Checked) -> list[dict]:
    """``text`` cut where findings begin and end; each piece carries the most serious finding over it and
    the notes of all of them."""
    marks: list[tuple[int, int, str, str]] = []
    for c in checked.claims:
        note = f"{c['status']}: {c['kind']}" + (f" — {c['reason']}" if c.get("reason") else "")
        note += f" (attribute: {c['attribute']})" if c.get("attribute") else ""
        marks.append((c["start"], c["end"], c["status"], note))
    for v in checked.violations:
        marks.append((v["start"], v["end"], "violation", f"rule {v['rule_id']}" +
                      (f" — suggested: {v['fix']}" if v.get("fix") is not None else "")))
    for q in checked.quality:
        marks.append((q["start"], q["end"], "quality", f"{q['kind']}: {q['reason']}"))
    cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b or a < 0 or b > len(text):
            continue
        over = [m for m in marks if m[0] <= a and b <= m[1]]
        status = max((m[2] for m in over), key=RANK.get, default=None)
        out.append({"text": text[a:b], "status": status, "notes": [m[3] for m in over]})
    return out
