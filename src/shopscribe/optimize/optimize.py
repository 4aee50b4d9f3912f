"""`shopscribe optimize`: rewrite existing descriptions with review insights.

Per product: plan the rewrite (keep supported sentences, drop unsupported claims,
praise first, honest advice for the top complaint, keywords), compose a draft that
meets every target, and — when a model is given — let the model polish the draft
under the publishing guard. The polished text is used only if it passes every check
the draft passes (facts kept, nothing unsupported, keywords, length, compliance);
otherwise the draft is published and the row says why. Output: JSONL (resumable) and
an HTML page with before / after and the insights behind each change.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.record import ProductRecord
from shopscribe.config import BaseConfig
from shopscribe.errors import ConfigError
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.generation.config import CopyOptions, EngineArgs
from shopscribe.generation.pipeline import CopyModel
from shopscribe.appendlog import read_done
from shopscribe.optimize.checks import RewriteCheck, check_rewrite
from shopscribe.optimize.plan import Plan, compose, plan_rewrite
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.evaluation.report import html_page
from shopscribe.tasks.args import TaskArgs
from shopscribe.tasks.task import load_task


class OptimizeConfig(BaseConfig):
    """`shopscribe optimize --products FILE --out FILE [key=value ...]`"""

    products: Path = Field(description="Catalog with the descriptions to improve (and their attributes).")
    out: Path = Field(description="Output JSONL; an HTML before/after page is written beside it.")
    insights: Path | None = Field(None, description="insights.json from `shopscribe insights`.")
    insights_by: Literal["product", "category", "group"] = Field(
        "product", description="Match products to insight groups by product id, by category, or use one group.")
    insights_group: str | None = Field(None, description="The group every product uses with insights_by=group.")
    model: str | None = Field(None, description="Model that polishes the draft (run folder, packaged name…); "
                                                "none = publish the checked draft.")
    keywords: list[str] = Field(default_factory=list, description="Keywords to work into every rewrite "
                                                                  "(a product's own 'keywords' field adds more).")
    tone: str | None = Field(None, description="Tone/style (default: the optimize task's).")
    audience: str | None = Field(None, description="Who the copy is for, e.g. 'busy parents'.")
    max_chars: int | None = Field(None, gt=0, description="Length limit in characters (default: the task's).")
    decoding: DecodingArgs = Field(default_factory=DecodingArgs)
    engine: Literal["auto", "llama.cpp", "transformers"] = Field("auto", description="Decoding backend for the "
                                                                 "polishing model (see `shopscribe generate`).")
    batch_size: int = Field(8, gt=0)
    limit: int | None = Field(None, gt=0)
    on_error: Literal["fail", "skip"] = "fail"
    rule_dirs: list[Path] = Field(default_factory=list)


@dataclass
class OptimizeResult:
    out: Path
    html: Path
    total: int
    written: int
    skipped_done: int
    metrics: dict


def optimize(cfg: OptimizeConfig, log: Callable[[str], None] = print,
             on_batch: Callable[[int, int], None] | None = None) -> OptimizeResult:
    task = load_task("optimize")
    loaded = load_catalog(cfg.products, on_error=cfg.on_error, required_fields=task.required_fields,
                          rejects_path=cfg.out.with_name(cfg.out.stem + ".rejects.jsonl"))
    records = loaded.records[: cfg.limit] if cfg.limit else loaded.records
    groups = load_insight_groups(cfg)
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    done = read_done(cfg.out)
    todo = [r for r in records if r.id not in done]
    log(f"{len(records)} products: {len(done)} already done, {len(todo)} to rewrite"
        + (f"; insights for {sum(insights_for(r, cfg, groups) is not None for r in records)}" if groups else ""))
    checkers = {loc: ComplianceChecker.for_locale(loc, cfg.rule_dirs) for loc in ("en", "zh-CN")}
    polisher = _polisher(cfg, task) if cfg.model and todo else None
    with cfg.out.open("a", encoding="utf-8") as fh:
        for start in range(0, len(todo), cfg.batch_size):
            batch = todo[start: start + cfg.batch_size]
            rows = rewrite_batch(batch, cfg, task, groups, checkers, polisher)
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            if on_batch:
                on_batch(min(start + cfg.batch_size, len(todo)), len(todo))
    rows = read_done(cfg.out)
    ordered = [rows[r.id] for r in records]
    page = cfg.out.with_suffix(".html")
    page.write_text(before_after_html(ordered, records), encoding="utf-8")
    return OptimizeResult(cfg.out, page, len(records), len(todo), len(done), summarise_checks(ordered))


def rewrite_batch(batch: list[ProductRecord], cfg: OptimizeConfig, task, groups, checkers, polisher) -> list[dict]:
    plans, drafts = [], []
    for r in batch:
        policy = task.length(r.locale, cfg.max_chars)
        plan = plan_rewrite(r, insights_for(r, cfg, groups), cfg.keywords + _own_keywords(r), checkers[r.locale])
        plans.append(plan)
        drafts.append(compose(plan, policy.max_chars))
    polished = polisher(batch, plans, drafts) if polisher else [None] * len(batch)
    rows = []
    for r, plan, draft, candidate in zip(batch, plans, drafts, polished):
        draft_check = check_rewrite(draft, r, plan, task, checkers[r.locale], cfg.max_chars)
        text, check, source, note = draft, draft_check, "draft", None
        if candidate is not None:
            cand_check = check_rewrite(candidate, r, plan, task, checkers[r.locale], cfg.max_chars)
            if _at_least_as_good(cand_check, draft_check):
                text, check, source = candidate, cand_check, "model"
            else:
                note = f"model rewrite rejected: {_why(cand_check)}"
        rows.append({"id": r.id, "locale": r.locale, "text": text, "source": source, "before": r.description,
                     "changes": {"kept_sentences": len(plan.kept),
                                 "dropped": [{"sentence": s.text, "because": s.dropped_because} for s in plan.dropped],
                                 "praise": plan.praise, "complaint": plan.complaint, "keywords": plan.keywords},
                     "checks": check.as_dict(), "model_note": note})
    return rows


def _at_least_as_good(candidate: RewriteCheck, draft: RewriteCheck) -> bool:
    if candidate.passed:
        return True
    return (not draft.passed and candidate.fact_retention >= draft.fact_retention and candidate.length_ok
            and not candidate.unsupported_numbers and not candidate.violations and not candidate.unsupported_claims)


def _why(check: RewriteCheck) -> str:
    reasons = []
    if check.missing_facts:
        reasons.append(f"lost facts {check.missing_facts[:3]}")
    if check.unsupported_claims or check.unsupported_numbers:
        reasons.append(f"unsupported {(check.unsupported_claims + check.unsupported_numbers)[:3]}")
    if check.keywords_missing:
        reasons.append(f"missing keywords {check.keywords_missing}")
    if not check.length_ok:
        reasons.append("length")
    if check.violations:
        reasons.append(f"violations {check.violations[:2]}")
    return "; ".join(reasons) or "not better than the draft"


def _polisher(cfg: OptimizeConfig, task):
    model = CopyModel.load(cfg.model, EngineArgs(engine=cfg.engine, output_vocab="full"),
                           strategy=cfg.decoding.strategy)
    return polisher_for(model, cfg)


def polish_options(cfg: OptimizeConfig) -> CopyOptions:
    """The copy pipeline's options for the model's polish of a draft (the optimize task, guard on)."""
    task = TaskArgs(name="optimize", **{k: v for k, v in (("tone", cfg.tone), ("max_chars", cfg.max_chars)) if v})
    return CopyOptions(task=task, decoding=cfg.decoding, keywords=cfg.keywords, rule_dirs=cfg.rule_dirs)


def polisher_for(model: CopyModel, cfg: OptimizeConfig):
    """The model's polish of checked drafts, through the copy pipeline of a model already loaded (the
    service shares its own)."""
    context: dict[str, dict] = {}
    pipeline = model.pipeline(polish_options(cfg), prompt_extra=lambda r: context[r.id])

    def polish(batch: list[ProductRecord], plans: list[Plan], drafts: list[str]) -> list[str]:
        for r, plan, draft in zip(batch, plans, drafts):
            context[r.id] = {"draft": draft, "keywords": ", ".join(plan.keywords), "audience": cfg.audience,
                             "insights": _insight_line(plan)}
        return [g.text for g in pipeline.generate(batch)]

    return polish


def _insight_line(plan: Plan) -> str:
    parts = [f"praised: {', '.join(plan.praise)}"] if plan.praise else []
    if plan.complaint:
        parts.append(f"top complaint: {plan.complaint['label']}")
    return "; ".join(parts)


def load_insight_groups(cfg: OptimizeConfig) -> dict[str, dict]:
    if cfg.insights is None:
        return {}
    if not cfg.insights.is_file():
        raise ConfigError(f"insights file not found: {cfg.insights} (write one with `shopscribe insights`)")
    groups = {g["group"]: g for g in json.loads(cfg.insights.read_text(encoding="utf-8"))["groups"]}
    if cfg.insights_by == "group" and cfg.insights_group not in groups:
        raise ConfigError(f"insights_group {cfg.insights_group!r} is not in {cfg.insights} "
                          f"(groups: {sorted(groups)[:10]})")
    return groups


def insights_for(record: ProductRecord, cfg: OptimizeConfig, groups: dict[str, dict]) -> dict | None:
    if cfg.insights_by == "group":
        return groups.get(cfg.insights_group)
    key = record.id if cfg.insights_by == "product" else record.category
    return groups.get(key) if key else None


def _own_keywords(record: ProductRecord) -> list[str]:
    value = record.extra.get("keywords")
    if isinstance(value, str):
        return [k.strip() for k in value.replace("，", ",").split(",") if k.strip()]
    return [str(k) for k in value] if isinstance(value, list) else []


def summarise_checks(rows: list[dict]) -> dict:
    n = max(len(rows), 1)
    checks = [r["checks"] for r in rows]
    with_kw = [c for r, c in zip(rows, checks) if r["changes"]["keywords"]]
    return {
        "products": len(rows),
        "fact_retention": sum(c["fact_retention"] for c in checks) / n,
        "outputs_keeping_all_facts": sum(not c["missing_facts"] for c in checks) / n,
        "outputs_with_unsupported_number": sum(bool(c["unsupported_numbers"]) for c in checks) / n,
        "outputs_with_unsupported_claim": sum(bool(c["unsupported_claims"]) for c in checks) / n,
        "keyword_inclusion": (sum(not c["keywords_missing"] for c in with_kw) / len(with_kw)) if with_kw else None,
        "length_compliance": sum(c["length_ok"] for c in checks) / n,
        "compliance_violations": sum(len(c["violations"]) for c in checks),
        "readability": sum(c["readability"] for c in checks) / n,
        "passed_all_checks": sum(c["passed"] for c in checks) / n,
        "model_rewrites_used": sum(r["source"] == "model" for r in rows) / n,
        "dropped_sentences": sum(len(r["changes"]["dropped"]) for r in rows),
        "with_praise_lead": sum(bool(r["changes"]["praise"]) for r in rows) / n,
        "with_complaint_advice": sum(bool((r["changes"]["complaint"] or {}).get("advice")) for r in rows) / n,
    }


def before_after_html(rows: list[dict], records: list[ProductRecord]) -> str:
    blocks = []
    for row, record in zip(rows, records):
        ch = row["changes"]
        notes = []
        if ch["praise"]:
            notes.append(f"Led with what customers praise: {', '.join(ch['praise'])}")
        if ch["complaint"]:
            c = ch["complaint"]
            notes.append(f"Top complaint: {c['label']} ({c['share_negative']:.0%} negative)"
                         + (f" → advice: {c['advice']}" if c.get("advice") else " → no data-backed advice, left out"))
        for d in ch["dropped"]:
            notes.append(f"Dropped “{d['sentence']}”: not supported by the product data — {', '.join(d['because'])}")
        if ch["keywords"]:
            notes.append(f"Keywords: {', '.join(ch['keywords'])}")
        if row.get("model_note"):
            notes.append(row["model_note"])
        c = row["checks"]
        verdict = (f"facts kept {c['fact_retention']:.0%} · unsupported {len(c['unsupported_claims']) + len(c['unsupported_numbers'])}"
                   f" · keywords missing {len(c['keywords_missing'])} · length {'ok' if c['length_ok'] else 'over'}"
                   f" · violations {len(c['violations'])} · source: {row['source']}")
        blocks.append(
            f"<h3>{html.escape(record.title or record.id)}</h3><table class='ex'><tr><th>before</th><th>after</th>"
            f"<th>why</th></tr><tr><td>{html.escape(row['before'] or '')}</td><td>{html.escape(row['text'])}</td>"
            f"<td><ul>{''.join(f'<li>{html.escape(n)}</li>' for n in notes)}</ul></td></tr></table>"
            f"<p class='input'>{html.escape(verdict)}</p>")
    return html_page("ShopScribe optimize — before and after", "".join(blocks))
