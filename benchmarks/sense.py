"""Senseless claims: what the guard's impossibility rules catch of what blind raters called senseless (issue 25).

    python benchmarks/sense.py                  # prints the table, writes results/sense.json

Two measurements, rules only (no model):
- on the committed blind ratings of Chinese copy (docs/ratings/rating.*.json with their sheets and keys), the
  generated texts the raters flagged senseless and those they did not, against whether the claim checker
  finds an impossible claim in them (kinds detail:placement and detail:sense: a part acting on or sitting at
  a zone it cannot reach, an ornament shaping the body, storage without a pocket, a garment paired with its
  own kind, a part said to be a garment or a shoe);
- on every human reference of the AdvertiseGen development data (zh-advertisegen.dev.jsonl), how many the
  rules call impossible: human copy is rarely senseless (raters flagged 3–6 % of it), so this bounds the
  false alarms.

Which sheets were read while the rules were written is in SHEET_ROLE: their scores are tuning scores.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", ROOT.parent / "shared" / "data"))

from rated_sheets import RATINGS, chinese_stems, rated_texts  # noqa: E402

RESULTS = HERE / "results"
KINDS = ("detail:placement", "detail:sense")
# the rules of 2026-12-07 (ornaments, storage, self-pairing, zone verbs, hem placement) were written reading
# the texts and notes of the first two sheets; the third's notes (not its texts) were read first
SHEET_ROLE = {"describe-zh-dev": "tuning (texts and notes read)",
              "engine-isolation": "tuning (texts and notes read)",
              "describe-zh-test": "tuning (notes read, texts not)"}


def impossible(text: str, record) -> list[dict]:
    from shopscribe.quality.faithfulness import check_faithfulness

    return [{"text": c.text, "reason": c.reason} for c in check_faithfulness(text, record).claims
            if c.kind in KINDS and c.impossible]


def on_sheet(name: str) -> dict:
    counts: Counter = Counter()
    for rated in rated_texts(name):
        if rated.writer == "human":
            continue
        label = "senseless" if rated.mark["senseless"] else "not senseless"
        counts[label, "flagged" if impossible(rated.text, rated.record) else "passed"] += 1
    caught, missed = counts["senseless", "flagged"], counts["senseless", "passed"]
    false, clean = counts["not senseless", "flagged"], counts["not senseless", "passed"]
    return {"sheet": name, "role": SHEET_ROLE.get(name, "unread"), "senseless": caught + missed, "caught": caught,
            "recall": round(caught / max(caught + missed, 1), 3), "not_senseless": false + clean,
            "flagged_not_senseless": false}


def on_human_references() -> dict:
    from shopscribe.catalog import load_catalog

    records = load_catalog(DATA / "describe" / "zh-advertisegen.dev.jsonl").records
    texts = flagged = 0
    examples = []
    for record in records:
        for reference in record.references or [record.description]:
            texts += 1
            found = impossible(reference, record)
            if found:
                flagged += 1
                examples.append({"id": record.id, "found": found})
    return {"references": texts, "flagged": flagged, "share": round(flagged / texts, 4), "flagged_examples": examples}


def main() -> None:
    sheets = [on_sheet(name) for name in SHEET_ROLE if (RATINGS / f"rating.{name}.json").is_file()]
    every = [on_sheet(stem) for stem in chinese_stems()]
    total = {k: sum(s[k] for s in every) for k in ("senseless", "caught", "not_senseless", "flagged_not_senseless")}
    human = on_human_references()
    print("| sheet | role | rated senseless | caught | recall | rated not senseless | flagged of those |")
    print("|---|---|---|---|---|---|---|")
    for s in sheets:
        print(f"| {s['sheet']} | {s['role']} | {s['senseless']} | {s['caught']} | {s['recall']:.3f} | "
              f"{s['not_senseless']} | {s['flagged_not_senseless']} |")
    print(f"| all {len(every)} rated Chinese sheets | tuning | {total['senseless']} | {total['caught']} | "
          f"{total['caught'] / max(total['senseless'], 1):.3f} | {total['not_senseless']} | "
          f"{total['flagged_not_senseless']} |")
    print(f"\nhuman references of the development data called impossible: {human['flagged']} of "
          f"{human['references']} ({human['share']:.1%})")
    RESULTS.mkdir(exist_ok=True)
    report = {"sheets": sheets, "all_rated_sheets": total, "human_references": human}
    (RESULTS / "sense.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
