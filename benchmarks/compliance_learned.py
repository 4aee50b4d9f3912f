"""The learned compliance check beside the rule packs (issue 24): trained on the labelled phrases of sets 1–3
and the test sets plus catalog sentences taken as legal, scored once on a fourth fresh set nobody tuned on.

    python benchmarks/compliance_learned.py --final "why now"   # train, then score set 4 once
    python benchmarks/compliance_learned.py --table
    python benchmarks/compliance_learned.py --outputs copy.jsonl ... --locale en   # on generated copy (no set 4)
    python benchmarks/compliance_learned.py --sheets   # the packaged head on the rating sheets' texts (docs/ratings)

Reported per locale: precision and recall of rules alone, the learned check alone and both (a phrase is a
violation when either finds one), on set 4 (`benchmarks/claims/cross_category/compliance4_*.jsonl`); the
share of held-out catalog sentences (real shops' copy, not used in training) each flags; the time per
sentence. Results: benchmarks/results/compliance_learned.json; the model is written to
$SHOPSCRIBE_BENCH_WORK/compliance-learned.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
WORK = Path(os.environ.get("SHOPSCRIBE_BENCH_WORK", "/tmp/shopscribe-bench"))
SETS = HERE / "claims" / "cross_category"
TESTS = HERE.parent / "tests" / "data"
RESULTS = HERE / "results"
LOCALES = ("en", "zh-CN")
CATALOGS = ["describe/en-myntra.dev.jsonl", "describe/zh-advertisegen.dev.jsonl", "title/zh-openbg.dev.jsonl",
            "summarize/zh-cepsum.dev.jsonl"]
TRAIN_SETS = [SETS / f"{name}_{loc}.jsonl" for name in ("compliance", "compliance2", "compliance3") for loc in LOCALES] + [
    TESTS / f"compliance_{loc}.jsonl" for loc in LOCALES] + [TESTS / f"compliance_heldout_{loc}.jsonl" for loc in LOCALES]


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def prf(flags: list[bool], rows: list[dict]) -> dict:
    tp = sum(f and r["violation"] for f, r in zip(flags, rows))
    fp = sum(f and not r["violation"] for f, r in zip(flags, rows))
    fn = sum(not f and r["violation"] for f, r in zip(flags, rows))
    return {"precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3),
            "accuracy": round(sum(f == r["violation"] for f, r in zip(flags, rows)) / len(rows), 3)}


def held_out_catalog(trained_on: set[str], per_locale: int = 1000) -> dict[str, list[str]]:
    """Catalog sentences the model was not trained on (any rule finding kept: they are measured too)."""
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.compliance.learned import sentence_spans

    found: dict[str, set[str]] = {loc: set() for loc in LOCALES}
    for rel in CATALOGS:
        for r in load_catalog(DATA / rel, on_error="skip").records:
            for text in [r.description, r.title, *(r.references or [])]:
                for a, b in sentence_spans(text or ""):
                    if 6 <= b - a <= 200 and text[a:b] not in trained_on:
                        found[r.locale].add(text[a:b])
    rng = random.Random(1)
    return {loc: rng.sample(sorted(s), k=min(per_locale, len(s))) for loc, s in found.items()}


def run(note: str, again: bool) -> dict:
    from shopscribe.quality.compliance import ComplianceChecker
    from shopscribe.training.compliance import ComplianceTrainConfig, train_compliance

    log = RESULTS / "verifier_test_scorings.json"
    history = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else []
    if any(h.get("part") == "compliance4" for h in history) and not again:
        raise SystemExit("set 4 was scored already; pass --again to score it once more, and say so wherever "
                         "the number is reported")
    started = time.time()
    cfg = ComplianceTrainConfig(labelled=TRAIN_SETS, catalogs=[DATA / c for c in CATALOGS], out=WORK / "compliance-learned")
    model = train_compliance(cfg)
    train_s = round(time.time() - started, 1)
    from shopscribe.training.compliance import legal_sentences

    trained_on = {r["text"] for r in legal_sentences(cfg.catalogs, cfg.legal_per_locale, cfg.seed)}
    catalog = held_out_catalog(trained_on)
    history.append({"time": time.strftime("%Y-%m-%d %H:%M"), "note": note, "part": "compliance4"})
    log.write_text(json.dumps(history, ensure_ascii=False, indent=1), encoding="utf-8")
    out = {"trained": {"seconds": train_s, "examples": model.info["examples"], "threshold": model.thresholds,
                       "files": [str(p.relative_to(HERE.parent)) for p in TRAIN_SETS]}}
    for loc in LOCALES:
        rules = ComplianceChecker.for_locale(loc, learned=None)
        both = ComplianceChecker.for_locale(loc, learned=model)
        rows = read(SETS / f"compliance4_{loc}.jsonl")
        t0 = time.time()
        learned = [bool(model.violations(r["text"], loc)) for r in rows]
        ms = (time.time() - t0) * 1000 / len(rows)
        by_rules = [bool(rules.check(r["text"])) for r in rows]
        combined = [bool(both.check(r["text"])) for r in rows]
        sentences = catalog[loc]
        out[loc] = {
            "set4": {"phrases": len(rows), "rules": prf(by_rules, rows), "learned": prf(learned, rows),
                     "rules + learned": prf(combined, rows),
                     "misses": [r["text"] for f, r in zip(combined, rows) if r["violation"] and not f],
                     "false_alarms": [r["text"] for f, r in zip(combined, rows) if f and not r["violation"]]},
            "catalog_held_out": {"sentences": len(sentences),
                                 "flagged_by_rules": round(sum(bool(rules.check(s)) for s in sentences) / len(sentences), 4),
                                 "flagged_by_learned": round(sum(bool(model.violations(s, loc)) for s in sentences)
                                                             / len(sentences), 4),
                                 "learned_examples": [s for s in sentences if model.violations(s, loc)][:15]},
            "learned_ms_per_phrase": round(ms, 1),
        }
    return out


def on_outputs(files: list[Path], locale: str) -> dict:
    """The trained model on generated copy (rows with ``text``; ``guard.before_cut`` when a cut was made):
    the share of outputs it finds a violation in that the rules do not, and the checker's time per output
    with and without it."""
    from shopscribe.quality.compliance import ComplianceChecker
    from shopscribe.quality.compliance.learned import LEARNED_RULE, LearnedCompliance

    model = LearnedCompliance.load(WORK / "compliance-learned")
    rules, both = ComplianceChecker.for_locale(locale, learned=None), ComplianceChecker.for_locale(locale, learned=model)
    texts = []
    for f in files:
        for row in read(f):
            before = ((row.get("guard") or {}).get("before_cut") or {}).get("text")
            texts.append(before or row.get("text") or "")
    texts = [t for t in texts if t.strip()]
    t0 = time.time()
    for t in texts:
        rules.check(t)
    t1 = time.time()
    found = [[f for f in both.check(t) if f.rule_id == LEARNED_RULE] for t in texts]
    t2 = time.time()
    return {"outputs": len(texts), "files": [str(f) for f in files],
            "with_learned_finding": round(sum(bool(f) for f in found) / len(texts), 4),
            "ms_per_output_rules": round((t1 - t0) * 1000 / len(texts), 1),
            "ms_per_output_rules_and_learned": round((t2 - t1) * 1000 / len(texts), 1),
            "examples": [{"text": t, "flagged": [x.text for x in f]} for t, f in zip(texts, found) if f][:20]}


def table(res: dict) -> str:
    lines = ["| locale | system | precision | recall | held-out catalog sentences flagged |", "|---|---|---|---|---|"]
    for loc in LOCALES:
        r = res[loc]
        for name in ("rules", "learned", "rules + learned"):
            flagged = {"rules": r["catalog_held_out"]["flagged_by_rules"],
                       "learned": r["catalog_held_out"]["flagged_by_learned"]}.get(name, "")
            flagged = f"{flagged:.1%}" if flagged != "" else "–"
            lines.append(f"| {loc} | {name} | {r['set4'][name]['precision']:.3f} | {r['set4'][name]['recall']:.3f} | {flagged} |")
    return "\n".join(lines)


def on_sheets() -> dict:
    """The checker every library user gets (rules + the packaged head) on each text of the blind-rating sheets
    in docs/ratings: generated and human, per sheet, with every sentence the head flags."""
    import re

    from shopscribe.quality.compliance import ComplianceChecker
    from shopscribe.quality.compliance.learned import LEARNED_RULE, from_environment

    model = from_environment()
    checkers = {loc: ComplianceChecker.for_locale(loc, learned=model) for loc in LOCALES}
    ratings = HERE.parent / "docs" / "ratings"
    out = {"head": os.environ.get("SHOPSCRIBE_COMPLIANCE_MODEL") or "packaged", "sheets": {}}
    for sheet in sorted(ratings.glob("sheet.*.json")):
        name = sheet.name[len("sheet."):-len(".json")]
        key = json.loads((ratings / f"key.{name}.json").read_text(encoding="utf-8"))
        counts = {"generated": 0, "generated_flagged": 0, "human": 0, "human_flagged": 0, "flagged": []}
        for item in json.loads(sheet.read_text(encoding="utf-8")):
            for letter, text in item["texts"].items():
                who = "human" if key[item["id"]][letter] == "human" else "generated"
                loc = "zh-CN" if re.search(r"[\u4e00-\u9fff]", text) else "en"
                found = [f for f in checkers[loc].check(text) if f.rule_id == LEARNED_RULE]
                counts[who] += 1
                counts[f"{who}_flagged"] += bool(found)
                counts["flagged"] += [{"id": item["id"], "system": key[item["id"]][letter], "sentence": f.text}
                                      for f in found]
        out["sheets"][name] = counts
        print(f"{name}: generated {counts['generated_flagged']}/{counts['generated']} flagged, "
              f"human {counts['human_flagged']}/{counts['human']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--final", metavar="NOTE", help="train and score set 4 (once): why now")
    parser.add_argument("--again", action="store_true")
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--outputs", type=Path, nargs="+", help="generated copy (JSONL) to run the trained model on")
    parser.add_argument("--locale", default="en")
    parser.add_argument("--sheets", action="store_true", help="the packaged head on the rating sheets' texts")
    args = parser.parse_args()
    path = RESULTS / "compliance_learned.json"
    if args.sheets:
        res = json.loads(path.read_text(encoding="utf-8"))
        res["packaged_on_rating_sheets"] = {"when": time.strftime("%Y-%m-%d %H:%M"), **on_sheets()}
        path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    if args.outputs:
        res = json.loads(path.read_text(encoding="utf-8"))
        res.setdefault("on_outputs", {})[args.locale] = on_outputs(args.outputs, args.locale)
        path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
        print(json.dumps({k: v for k, v in res["on_outputs"][args.locale].items() if k != "examples"}, indent=1))
        return
    if args.table:
        print(table(json.loads(path.read_text(encoding="utf-8"))))
        return
    if not args.final:
        raise SystemExit("set 4 is scored once, with the final model: pass --final NOTE")
    res = run(args.final, args.again)
    path.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(res))


if __name__ == "__main__":
    main()
