"""Claim verification on products of categories the checker was never written for (issue 24).

    python benchmarks/verifier.py                 # the dev part of the cross-category sets, rules alone
    python benchmarks/verifier.py --verifier DIR --tune   # the dev part; thresholds chosen on it, written to DIR
    python benchmarks/verifier.py --verifier DIR --part test --final "why now"   # the test part: scored ONCE
    python benchmarks/verifier.py --compliance2 "why now"   # compliance rules on the second fresh phrases: ONCE
    python benchmarks/verifier.py --compliance3 "why now"   # ... on the third (written after the rules for the second)

The sets (benchmarks/claims/cross_category/{en,zh-CN}.jsonl, README there) hold one claim per line about a
real product of ../shared/data in 12 (en) and 11 (zh-CN) non-apparel categories, labelled supported /
unsupported / contradicted by raters who saw the product data only — never the checker. A claim is judged
as a whole: the rules' verdict on it is the strictest status among the claims they find in it
(contradicted > unsupported > supported); a sentence in which they find nothing is supported (the rules
fail open there). The test part is kept for the one final scoring: `--part test` refuses to run without
`--final`, and a second final scoring only with `--again` (recorded in results/verifier_test_scorings.json).
Results: benchmarks/results/verifier.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
SETS = HERE / "claims" / "cross_category"
RESULTS = HERE / "results"
SOURCES = {"myntra-": "describe/en-myntra.dev.jsonl", "openbg-": "title/zh-openbg.dev.jsonl",
           "cepsum-": "summarize/zh-cepsum.dev.jsonl"}
LABELS = ("supported", "unsupported", "contradicted")
STRICTNESS = {"supported": 0, "unsupported": 1, "contradicted": 2}


def read_set(locale: str, part: str) -> list[dict]:
    rows = [json.loads(line) for line in (SETS / f"{locale}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [r for r in rows if r["split"] == part]


def load_products(ids: set[str]) -> dict:
    from shopscribe.catalog import load_catalog

    records = {}
    for prefix, rel in SOURCES.items():
        if any(i.startswith(prefix) for i in ids):
            records.update({r.id: r for r in load_catalog(DATA / rel, on_error="skip").records})
    missing = ids - set(records)
    if missing:
        raise SystemExit(f"products not found in {DATA}: {sorted(missing)[:5]}")
    return records


def rules_claims(claim: str, record, families) -> list:
    """The claims the rules find in a whole claim sentence (the product's given text counts as its data)."""
    from shopscribe.quality.faithfulness import check_faithfulness

    return check_faithfulness(claim, record, exclude_field=None, families=families).claims


def score(rows: list[dict], verdicts: list[str]) -> dict:
    confusion = Counter((r["label"], v) for r, v in zip(rows, verdicts))
    recall = {lab: round(confusion[(lab, lab)] / n, 3) if (n := sum(1 for r in rows if r["label"] == lab)) else None
              for lab in LABELS}
    by_category = {}
    for cat in sorted({r["category"] for r in rows}):
        pairs = [(r, v) for r, v in zip(rows, verdicts) if r["category"] == cat]
        by_category[cat] = round(sum(r["label"] == v for r, v in pairs) / len(pairs), 3)
    return {"claims": len(rows), "accuracy": round(sum(r["label"] == v for r, v in zip(rows, verdicts)) / len(rows), 3),
            "recall": recall, "confusion": {f"{a}->{b}": n for (a, b), n in sorted(confusion.items())},
            "by_category": by_category}


def verifier_verdicts(rows: list[dict], products: dict, verifier) -> list:
    """The verifier's verdict on each claim, the claims of one product judged in one pass."""
    by_product: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_product.setdefault(r["product_id"], []).append(i)
    out = [None] * len(rows)
    for pid, idx in by_product.items():
        for i, v in zip(idx, verifier.verify(products[pid], [rows[i]["claim"] for i in idx])):
            out[i] = v
    return out


GRID = (None, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
SUPPORTED_GRID = (None, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)


def tune(verifier) -> dict:
    """Thresholds per locale (ClaimVerifier.decide), chosen on the dev part: the triple with the best
    accuracy of the combined verdict (rules + verifier), ties to the higher lowest class recall. Written
    into the verifier's verifier.json."""
    import itertools

    from shopscribe.quality.families import learn_families
    from shopscribe.quality.guard import combine_verdicts

    chosen, report = {}, {}
    for locale in ("en", "zh-CN"):
        rows = read_set(locale, "dev")
        products = load_products({r["product_id"] for r in rows})
        families = learn_families(list(products.values()))
        found = [rules_claims(r["claim"], products[r["product_id"]], families) for r in rows]
        verifier.thresholds = {}
        learned = verifier_verdicts(rows, products, verifier)
        best = None
        for tu, tc, ts in itertools.product(GRID, GRID, SUPPORTED_GRID):
            t = {k: v for k, v in (("unsupported", tu), ("contradicted", tc), ("supported", ts)) if v is not None}
            verifier.thresholds = {locale: t}
            labels = [combine_verdicts(f, verifier.decide(v.claim, v.probabilities, locale).label, r["claim"])
                      for f, v, r in zip(found, learned, rows)]
            result = score(rows, labels)
            key = (result["accuracy"], min(result["recall"].values()))
            if best is None or key > best[0]:
                best = (key, t)
        chosen[locale] = best[1]
        report[locale] = {"thresholds": best[1], "dev_accuracy": best[0][0], "dev_lowest_recall": best[0][1]}
    verifier.thresholds = chosen
    meta = verifier.folder / "verifier.json"
    info = json.loads(meta.read_text(encoding="utf-8"))
    info["thresholds"] = chosen
    info["thresholds_tuned_on"] = "benchmarks/claims/cross_category dev parts (benchmarks/verifier.py --tune)"
    meta.write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def run(locale: str, part: str, verifier=None) -> dict:
    from shopscribe.quality.families import learn_families
    from shopscribe.quality.guard import combine_verdicts

    rows = read_set(locale, part)
    products = load_products({r["product_id"] for r in rows})
    families = learn_families(list(products.values()))
    started = time.perf_counter()
    found = [rules_claims(r["claim"], products[r["product_id"]], families) for r in rows]
    verdicts = [max((c.status for c in f), key=STRICTNESS.get, default="supported") for f in found]
    ms = (time.perf_counter() - started) * 1000 / len(rows)
    result = {"rules": {**score(rows, verdicts), "ms_per_claim": round(ms, 2)}}
    systems = {"rules": verdicts}
    if verifier is not None:
        started = time.perf_counter()
        learned = verifier_verdicts(rows, products, verifier)
        ms = (time.perf_counter() - started) * 1000 / len(rows)
        systems["verifier"] = [v.label for v in learned]
        systems["combined"] = [combine_verdicts(f, v.label, r["claim"]) for f, v, r in zip(found, learned, rows)]
        systems["stricter"] = [combine_verdicts(f, v.label) for f, v in zip(found, learned)]
        result["verifier"] = {**score(rows, systems["verifier"]), "ms_per_claim": round(ms, 2)}
        result["combined"] = score(rows, systems["combined"])
        result["stricter"] = score(rows, systems["stricter"])
    if part == "dev":  # errors are for reading on the dev part only; the test part is never read for tuning
        for name, got in systems.items():
            result[name]["errors"] = [{"product_id": r["product_id"], "claim": r["claim"], "label": r["label"],
                                       name: v} for r, v in zip(rows, got) if r["label"] != v]
    return result


def existing_sets(locale: str) -> tuple[list[dict], dict]:
    """(a) the labelled sets the rules were built beside, as whole sentences: tests/data/claims_{locale}.jsonl
    (sample catalog products) and claims/{locale}.txt + .test.txt (describe data: the description is what
    is written, not data). A sentence's label is the strictest of its labelled claims; none: supported."""
    import sys

    sys.path.insert(0, str(HERE))
    from claim_families import load_products as load_describe, read_sentences
    from shopscribe.catalog import load_catalog

    root = HERE.parent
    rows = [json.loads(line) for line in (root / "tests" / "data" / f"claims_{locale}.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    rows += read_sentences(HERE / "claims" / f"{locale}.txt") + read_sentences(HERE / "claims" / f"{locale}.test.txt")
    products = {r.id: r for r in load_catalog(root / "src" / "shopscribe" / "resources" / "sample_catalog.jsonl").records}
    products.update(load_describe({r["product_id"] for r in rows}))
    out = [{"product_id": r["product_id"], "claim": r["sentence"], "category": r["product_id"].split("-")[0],
            "label": max(r["claims"].values(), key=STRICTNESS.get, default="supported"),
            "exclude": "description" if r["product_id"].startswith(("myntra-", "adgen-")) else None} for r in rows]
    return out, products


def run_existing(locale: str, verifier) -> dict:
    from shopscribe.quality.families import learn_families
    from shopscribe.quality.faithfulness import check_faithfulness
    from shopscribe.quality.guard import combine_verdicts

    rows, products = existing_sets(locale)
    families = learn_families([products[r["product_id"]] for r in rows])
    found = [check_faithfulness(r["claim"], products[r["product_id"]], exclude_field=r["exclude"],
                                families=families).claims for r in rows]
    systems = {"rules": [combine_verdicts(f, None) for f in found]}
    if verifier is not None:
        learned = [verifier.verify(products[r["product_id"]], [r["claim"]], exclude_field=r["exclude"])[0]
                   for r in rows]
        systems["verifier"] = [v.label for v in learned]
        systems["combined"] = [combine_verdicts(f, v.label, r["claim"]) for f, v, r in zip(found, learned, rows)]
        # what the guard does: the verifier only beyond the categories the rules were audited on (its scope)
        judged = [verifier.judges(families.categories_of(products[r["product_id"]])) for r in rows]
        systems["guard"] = [c if j else f for c, f, j in zip(systems["combined"], systems["rules"], judged)]
    return {name: {k: v for k, v in score(rows, got).items() if k != "by_category"} for name, got in systems.items()}


def compliance(locale: str, name: str = "compliance") -> dict:
    """Precision and recall of the compliance rules on fresh phrases (``name``: compliance, scored with the test
    part once; compliance2 and compliance3, each written after the rules that followed the scoring before it
    and scored once)."""
    from shopscribe.quality.compliance import ComplianceChecker

    checker = ComplianceChecker.for_locale(locale, learned=None)  # the rules; the learned check since has these
    rows = [json.loads(line) for line in (SETS / f"{name}_{locale}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    flagged = [bool(checker.check(r["text"])) for r in rows]
    tp = sum(f and r["violation"] for f, r in zip(flagged, rows))
    fp = sum(f and not r["violation"] for f, r in zip(flagged, rows))
    fn = sum(not f and r["violation"] for f, r in zip(flagged, rows))
    return {"phrases": len(rows), "precision": round(tp / max(tp + fp, 1), 3), "recall": round(tp / max(tp + fn, 1), 3),
            "misses": [{"text": r["text"], "violation": r["violation"]} for f, r in zip(flagged, rows)
                       if f != r["violation"]]}


def score_fresh_compliance(name: str, note: str, again: bool) -> None:
    record_final(note, again, part=name)
    path = RESULTS / "verifier.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for locale in ("en", "zh-CN"):
        c = results.setdefault(locale, {})[name] = compliance(locale, name)
        print(f"{locale} {name}: precision {c['precision']} recall {c['recall']} "
              f"on {c['phrases']} phrases")
        for miss in c["misses"]:
            print(f"  {'missed' if miss['violation'] else 'false alarm'}: {miss['text']}")
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


def record_final(note: str, again: bool, part: str = "test") -> None:
    log = RESULTS / "verifier_test_scorings.json"
    history = json.loads(log.read_text(encoding="utf-8")) if log.is_file() else []
    history_of_part = [h for h in history if h.get("part", "test") == part]
    if history_of_part and not again:
        raise SystemExit(f"the {part} part was scored already ({history_of_part[-1]}); pass --again to score it once more, "
                         "and say so wherever the number is reported")
    history.append({"time": time.strftime("%Y-%m-%d %H:%M"), "note": note, "part": part})
    log.write_text(json.dumps(history, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("dev", "test", "existing"), default="dev",
                        help="existing: (a) the labelled sets the rules were built beside")
    parser.add_argument("--final", metavar="NOTE", help="score the test part (once): why now")
    parser.add_argument("--again", action="store_true")
    parser.add_argument("--verifier", type=Path, help="a claim verifier folder (shopscribe verifier train)")
    parser.add_argument("--tune", action="store_true", help="choose the verifier's thresholds on the dev part "
                                                             "and write them into its verifier.json first")
    parser.add_argument("--compliance2", metavar="NOTE", help="score the compliance rules on the second fresh "
                        "phrase sets (once; recorded beside the test part's scorings) and nothing else")
    parser.add_argument("--export-existing", type=Path, metavar="FILE",
                        help="write the (a) labelled sets as claim rows (product_id, claim, label, exclude) for "
                             "`shopscribe verifier train --labelled` and stop")
    parser.add_argument("--compliance3", metavar="NOTE", help="the same for the third fresh phrase sets")
    args = parser.parse_args()
    if args.export_existing:
        with args.export_existing.open("w", encoding="utf-8") as f:
            for locale in ("en", "zh-CN"):
                for r in existing_sets(locale)[0]:
                    f.write(json.dumps({k: r[k] for k in ("product_id", "claim", "label", "exclude")},
                                       ensure_ascii=False) + "\n")
        return print(f"wrote {args.export_existing}")
    if args.compliance2 or args.compliance3:
        return score_fresh_compliance("compliance2" if args.compliance2 else "compliance3",
                                      args.compliance2 or args.compliance3, args.again)
    if args.part == "test":
        if not args.final:
            raise SystemExit("the test part is scored once, with the final rules and verifier: pass --final NOTE")
        record_final(args.final, args.again)
    path = RESULTS / "verifier.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    earlier_folder = results.get("verifier_folder")
    verifier = None
    if args.verifier:
        from shopscribe.quality.verifier import ClaimVerifier

        verifier = ClaimVerifier.load(args.verifier)
        if args.tune:
            if args.part != "dev":
                raise SystemExit("--tune reads the dev part only")
            results["tuning"] = tune(verifier)
            print(f"tuned on dev: {results['tuning']}")
        results["verifier_folder"] = str(args.verifier)
        results["verifier_info"] = {k: verifier.info.get(k) for k in ("products", "claims", "history", "thresholds")}
    for locale in ("en", "zh-CN"):
        mine = results.setdefault(locale, {})
        if args.part == "test" and "test" in mine:  # a later scoring keeps the earlier one beside it
            mine.setdefault("earlier_test_scorings", []).append({"verifier_folder": earlier_folder, **mine["test"]})
        mine[args.part] = (run_existing(locale, verifier) if args.part == "existing"
                           else run(locale, args.part, verifier))
        if args.part == "test" and "compliance" not in mine:  # set 1 is scored once (the rules since know it)
            results[locale]["compliance"] = compliance(locale)
            c = results[locale]["compliance"]
            print(f"{locale} compliance: precision {c['precision']} recall {c['recall']} on {c['phrases']} phrases")
        for name, r in results[locale][args.part].items():
            print(f"{locale} {args.part} {name}: accuracy {r['accuracy']} on {r['claims']} claims, recall {r['recall']}"
                  + (f", {r['ms_per_claim']} ms/claim" if "ms_per_claim" in r else ""))
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
