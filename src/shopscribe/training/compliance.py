"""`shopscribe compliance train`: the learned compliance check (``quality.compliance.learned``) from labelled
phrases and real catalog copy.

Labelled phrases: JSONL rows with ``text``, ``locale`` and ``violation`` (true/false), such as the fresh
phrase sets of benchmarks/claims/cross_category. Legal copy: sentences of the catalogs' descriptions,
references and titles, sampled per locale — real shops' copy, taken as legal — less every sentence a rule
pack flags (those may be real violations). A bad row is an error naming the file, the row and the field.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from pydantic import Field

from shopscribe.config import BaseConfig, checked_jsonl

LOCALES = ("en", "zh-CN")


class ComplianceTrainConfig(BaseConfig):
    """`shopscribe compliance train --labelled FILE ... [--catalog FILE ...] --out DIR [key=value ...]`"""

    labelled: list[Path] = Field(description="JSONL files of labelled phrases (text, locale, violation).")
    catalogs: list[Path] = Field(default_factory=list, description="Catalogs whose copy is taken as legal.")
    out: Path = Field(description="Folder for the model.")
    legal_per_locale: int = Field(1500, ge=0, description="Catalog sentences sampled per locale.")
    encoder: str = Field("e5", description="Sentence encoder (shopscribe.embeddings): e5, use or e5+use.")
    threshold: float = Field(0.5, gt=0, lt=1, description="Lowest P(violation) from which a sentence is a finding.")
    prose_copy: int = Field(500, ge=0, description="Sentences of English prose targets (training.prose: what a "
                            "prose run learns to write from a spec-string catalog, suggestions included) added to "
                            "the legal copy; 0: none.")
    max_false_alarms: float = Field(0.01, ge=0, lt=1, description="The threshold is raised until at most this "
                                    "share of the catalog sentences would be flagged (cross-validated).")
    seed: int = 0


def read_labelled(paths: list[Path]) -> list[dict]:
    fields = {"text": (lambda v: isinstance(v, str) and v.strip(), ""),
              "locale": (lambda v: v in LOCALES, f" (one of {', '.join(LOCALES)})"),
              "violation": (lambda v: isinstance(v, bool), " (true or false)")}
    return [{"text": row["text"], "locale": row["locale"], "violation": row["violation"]}
            for path in paths for _, row in checked_jsonl(path, "--labelled", fields)]


def legal_sentences(catalogs: list[Path], per_locale: int, seed: int = 0) -> list[dict]:
    """Up to ``per_locale`` sentences of the catalogs' own copy per locale that no rule pack flags."""
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.compliance import ComplianceChecker
    from shopscribe.quality.compliance.learned import sentence_spans

    found: dict[str, set[str]] = {loc: set() for loc in LOCALES}
    for path in catalogs:
        for record in load_catalog(path, on_error="fail").records:
            for text in [record.description, record.title, *(record.references or [])]:
                for a, b in sentence_spans(text or ""):
                    if 6 <= b - a <= 200 and record.locale in found:
                        found[record.locale].add(text[a:b])
    rng = random.Random(seed)
    out = []
    for locale, sentences in found.items():
        checker = ComplianceChecker.for_locale(locale, learned=None)
        pool = sorted(sentences)
        rng.shuffle(pool)
        kept = [s for s in pool[: per_locale * 2] if not checker.check(s)][:per_locale]
        out += [{"text": s, "locale": locale} for s in kept]
    return out


def prose_sentences(catalogs: list[Path], limit: int, seed: int = 0) -> list[dict]:
    """Up to ``limit`` sentences of the prose targets written from the English spec-string catalogs among
    ``catalogs`` (training.prose), after every suggestion sentence: the copy a prose run is trained to write —
    what the product is, its details, how to wear or use it. The check runs on every sentence the model
    writes; these must pass."""
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.compliance import ComplianceChecker
    from shopscribe.quality.compliance.learned import sentence_spans
    from shopscribe.training.prose import prose_targets, spec_string_share

    found: set[str] = set()
    for path in catalogs:
        records = [r for r in load_catalog(path, on_error="fail").records if r.locale == "en"]
        if not records or spec_string_share(records) < 0.5:
            continue
        for record in prose_targets(records, seed=seed)[0]:
            text = record.description or ""
            found.update(text[a:b] for a, b in sentence_spans(text) if 6 <= b - a <= 200)
    checker = ComplianceChecker.for_locale("en", learned=None)
    pool = sorted(found)
    random.Random(seed).shuffle(pool)
    return [{"text": s, "locale": "en"} for s in [*suggestion_sentences(), *pool[: limit * 2]]
            if not checker.check(s)][:limit]


def suggestion_sentences() -> list[str]:
    """Every way-to-wear-or-use suggestion of tasks.wear, for one product and for a pair ("it" / "them"):
    they state no fact about the product, and a prose run writes one in almost every description."""
    from shopscribe.tasks.wear import suggestion_sentences as every

    return every()


def train_compliance(cfg: ComplianceTrainConfig, log: Callable[[str], None] = print):
    from shopscribe.quality.compliance.learned import fit_learned_compliance

    labelled = read_labelled(cfg.labelled)
    legal = legal_sentences(cfg.catalogs, cfg.legal_per_locale, cfg.seed) if cfg.catalogs else []
    prose = prose_sentences(cfg.catalogs, cfg.prose_copy, cfg.seed) if cfg.catalogs and cfg.prose_copy else []
    log(f"{len(labelled)} labelled phrases, {len(legal)} catalog sentences and {len(prose)} prose-target "
        f"sentences taken as legal")
    legal += prose
    model = fit_learned_compliance(labelled, legal, cfg.encoder, cfg.threshold, cfg.max_false_alarms, cfg.seed)
    model.info["labelled_files"] = [str(p) for p in cfg.labelled]
    model.info["catalogs"] = [str(p) for p in cfg.catalogs]
    model.save(cfg.out)
    log(f"learned compliance check -> {cfg.out} ({model.info['examples']})")
    return model
