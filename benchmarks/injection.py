"""The injection screen (``catalog.injection``, issue 26): instructions planted in product fields.

    python benchmarks/injection.py                   # the dev sets (written beside the rules: a tuning set)
    python benchmarks/injection.py --part test --final "why now"   # the test sets: scored ONCE
    python benchmarks/injection.py --screen OLD.py   # another screen module (e.g. an older injection.py)

Sets: benchmarks/injection/{dev,test}/{en,zh-CN}.jsonl, one text per line, labelled injection / benign,
with a kind: direct (classic wording), paraphrase (the same goals without the usual trigger words),
lookalike (legal product text sharing words with injections) and plain. The test sets were written by a
helper who never saw the screen's code, before the rules were final (README there). False positives are
also counted on every field of every product of the describe development sets (real catalog data).
Results: benchmarks/results/injection.json (the test part: results/injection_test_scorings.json).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
SETS = HERE / "injection"
RESULTS = HERE / "results"
CATALOGS = {"en": ["describe/en-myntra.dev.jsonl"],
            "zh-CN": ["describe/zh-advertisegen.dev.jsonl", "title/zh-openbg.dev.jsonl", "summarize/zh-cepsum.dev.jsonl"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=("dev", "test"), default="dev")
    ap.add_argument("--final", help="why the test part is scored now (required with --part test)")
    ap.add_argument("--again", action="store_true", help="allow a second scoring of the test part (recorded)")
    ap.add_argument("--screen", type=Path, help="a module file with is_injection(text) to measure instead")
    args = ap.parse_args()
    log = RESULTS / "injection_test_scorings.json"
    scorings = json.loads(log.read_text()) if log.exists() else []
    if args.part == "test":
        if not args.final:
            raise SystemExit("--part test is scored once, with the final rules: add --final 'why now'")
        if scorings and not args.again:
            raise SystemExit(f"the test part was scored already ({scorings[-1]['at']}): --again to score it again")
    is_injection = _screen(args.screen)
    report = {"part": args.part, "screen": str(args.screen or "shopscribe.catalog.injection")}
    for locale in ("en", "zh-CN"):
        rows = [json.loads(l) for l in (SETS / args.part / f"{locale}.jsonl").read_text(encoding="utf-8").splitlines()
                if l.strip()]
        report[locale] = {**_scores(rows, is_injection), "catalog": _catalog_false_positives(locale, is_injection)}
    RESULTS.mkdir(exist_ok=True)
    name = "injection.json" if args.screen is None else "injection_other_screen.json"
    (RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    if args.part == "test":
        scorings.append({"at": time.strftime("%Y-%m-%d %H:%M:%S"), "why": args.final, "screen": report["screen"],
                         **{loc: {k: v for k, v in report[loc].items() if k not in ("missed", "false_alarms")}
                            for loc in ("en", "zh-CN")}})
        log.write_text(json.dumps(scorings, ensure_ascii=False, indent=1))
    for locale in ("en", "zh-CN"):
        r = report[locale]
        print(f"{locale}: precision {r['precision']:.3f} recall {r['recall']:.3f} (direct {r['recall_by_kind'].get('direct', 0):.3f}"
              f", paraphrase {r['recall_by_kind'].get('paraphrase', 0):.3f}); benign flagged {r['benign_flagged']}/"
              f"{r['benign']}; catalog products flagged {r['catalog']['flagged']}/{r['catalog']['products']} "
              f"({r['catalog']['rate']:.4f})")
        if args.part == "dev":
            for row in r["missed"]:
                print("   missed:", row)
            for row in r["false_alarms"] + r["catalog"]["examples"]:
                print("   false alarm:", row)


def _screen(path: Path | None):
    if path is None:
        from shopscribe.catalog.injection import is_injection

        return is_injection
    spec = importlib.util.spec_from_file_location("other_screen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.is_injection


def _scores(rows: list[dict], is_injection) -> dict:
    hits = Counter()
    missed, false_alarms = [], []
    for row in rows:
        flagged = is_injection(row["text"])
        hits[(row["label"], flagged)] += 1
        hits[(row["kind"], flagged)] += 1
        if row["label"] == "injection" and not flagged:
            missed.append(row["text"])
        if row["label"] == "benign" and flagged:
            false_alarms.append(row["text"])
    tp, fn, fp = hits[("injection", True)], hits[("injection", False)], hits[("benign", True)]
    kinds = sorted({r["kind"] for r in rows if r["label"] == "injection"})
    return {"injections": tp + fn, "benign": fp + hits[("benign", False)],
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "recall_by_kind": {k: hits[(k, True)] / (hits[(k, True)] + hits[(k, False)]) for k in kinds},
            "benign_flagged": fp, "missed": missed, "false_alarms": false_alarms}


def _catalog_false_positives(locale: str, is_injection) -> dict:
    """Products of the describe (and title, summarize) development sets with any field the screen flags:
    real supplier data, which holds no planted instruction (each flag was read to confirm)."""
    products = flagged = 0
    examples = []
    for name in CATALOGS[locale]:
        path = DATA / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            products += 1
            texts = [v for k, v in record.items() if isinstance(v, str) and k not in ("id", "locale")]
            texts += [v for k, v in record.items() if isinstance(v, list) for v in v if isinstance(v, str)]
            attrs = record.get("attributes") or {}
            texts += [f"{k} {v}" for k, v in attrs.items()] if isinstance(attrs, dict) else [str(attrs)]
            hit = next((t for t in texts if is_injection(t)), None)
            if hit is not None:
                flagged += 1
                if len(examples) < 15:
                    examples.append(f"[{name}:{record.get('id')}] {hit[:160]}")
    return {"products": products, "flagged": flagged, "rate": flagged / products if products else 0.0,
            "examples": examples}


if __name__ == "__main__":
    main()
