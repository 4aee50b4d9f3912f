"""Text quality findings (``quality.text_quality``, issue 25) counted per kind on the human references of
the describe development sets and on any outputs, side by side.

    python benchmarks/text_quality.py                                  # the references only
    python benchmarks/text_quality.py --products RUN/data/test.jsonl \\
        guard_off=out/off.jsonl before=out/before.jsonl after=out/after.jsonl

An output file is JSONL with `id` and `text` (`shopscribe generate` rows). On the references the counts are
an upper bound on false alarms (human copy has its own repetitions and <UNK> tokens; each kind's examples
are printed to be read). Every Chinese text of a blind-rated sheet in docs/ratings is also checked for
`quality:repeat`, split by what the rater said (repetitive or not) and by who wrote it: a tuning set, as the
repetition rules were written while reading it. Results: benchmarks/results/text_quality.json.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
RESULTS = HERE / "results" / "text_quality.json"
REFERENCES = {"describe-zh": "describe/zh-advertisegen.dev.jsonl", "describe-en": "describe/en-myntra.dev.jsonl"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--products", type=Path, help="the products the outputs were written for (JSONL)")
    ap.add_argument("outputs", nargs="*", help="name=path of an outputs JSONL")
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    from shopscribe.catalog import load_catalog

    report = {}
    for name, path in REFERENCES.items():
        if (DATA / path).exists():
            records = load_catalog(DATA / path).records
            report[f"{name} references"] = count([(r, r.description or "") for r in records], args.examples)
    report["rated zh sheets: quality:repeat"] = rated_repeats()
    if args.outputs:
        products = {r.id: r for r in load_catalog(args.products).records}
        for spec in args.outputs:
            name, path = spec.split("=", 1)
            rows = [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
            report[name] = count([(products[r["id"]], r["text"]) for r in rows if r["id"] in products], args.examples)
    RESULTS.parent.mkdir(exist_ok=True)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps({**previous, **report}, ensure_ascii=False, indent=1))
    for name, r in report.items():
        if "texts" not in r:
            print(f"{name}: " + "; ".join(f"{k} {v['found']} of {v['texts']}" for k, v in r.items()))
            continue
        print(f"{name}: {r['texts']} texts, with any finding {r['with_any']} ({r['share_any']:.3f}); " +
              ", ".join(f"{k} {v}" for k, v in sorted(r["texts_with"].items())))
        for kind, examples in r["examples"].items():
            for e in examples:
                print(f"   {kind}: {e}")


def count(pairs: list, examples: int) -> dict:
    from shopscribe.quality.text_quality import text_quality

    with_kind, shown, with_any = Counter(), {}, 0
    for record, text in pairs:
        found = text_quality(text, record)
        with_any += bool(found)
        for kind in {f["kind"] for f in found}:
            with_kind[kind] += 1
            first = next(f for f in found if f["kind"] == kind)
            if len(shown.setdefault(kind, [])) < examples:
                shown[kind].append(f"[{record.id}] {first['text'][:60]} — {first['reason'][:90]}")
    n = len(pairs)
    return {"texts": n, "with_any": with_any, "share_any": with_any / n if n else 0.0,
            "texts_with": dict(with_kind), "examples": shown}


def rated_repeats() -> dict:
    """How many rated Chinese texts ``quality:repeat`` finds, by writer (model or human) and the rater's
    repetitive mark."""
    from rated_sheets import chinese_stems, rated_texts
    from shopscribe.quality.text_quality import text_quality

    groups: dict[str, dict] = {}
    for rated in (r for stem in chinese_stems() for r in rated_texts(stem)):
        writer = "human" if rated.writer == "human" else "model"
        group = f"{writer}, rated {'repetitive' if rated.mark.get('repetitive') else 'not repetitive'}"
        g = groups.setdefault(group, {"texts": 0, "found": 0})
        g["texts"] += 1
        g["found"] += any(f["kind"] == "quality:repeat" for f in text_quality(rated.text, rated.record, describe=True))
    return dict(sorted(groups.items()))


if __name__ == "__main__":
    main()
