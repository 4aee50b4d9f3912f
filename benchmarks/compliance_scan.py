"""Every compliance finding on the development sets' own copy (descriptions, titles, references): real shop
copy, mostly legal, so each finding is either a real violation in the data or a false alarm to read.

    python benchmarks/compliance_scan.py      # results/compliance_scan.json: per rule, the phrases and a sample

Run it before and after a change to the rule packs (git stash) and read what changed.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("SHOPSCRIBE_DATA", HERE.parent.parent / "shared" / "data"))
FILES = {"en": ["describe/en-myntra.dev.jsonl"],
         "zh-CN": ["describe/zh-advertisegen.dev.jsonl", "summarize/zh-cepsum.dev.jsonl", "title/zh-openbg.dev.jsonl"]}


def main() -> None:
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.compliance import ComplianceChecker

    found: dict[str, dict[str, dict]] = defaultdict(dict)
    texts = 0
    for locale, files in FILES.items():
        checker = ComplianceChecker.for_locale(locale, learned=None)  # the rule packs
        for rel in files:
            for record in load_catalog(DATA / rel, on_error="skip").records:
                for text in [record.description, record.title, *(record.references or [])]:
                    if not text:
                        continue
                    texts += 1
                    for f in checker.check(text):
                        entry = found[f.rule_id].setdefault(f.text, {"count": 0, "example": text[:200], "id": record.id})
                        entry["count"] += 1
    out = {"texts": texts, "rules": {rule: dict(sorted(v.items(), key=lambda kv: -kv[1]["count"]))
                                     for rule, v in sorted(found.items())}}
    (HERE / "results" / "compliance_scan.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    for rule, phrases in out["rules"].items():
        print(f"{rule}: {sum(p['count'] for p in phrases.values())} findings, {len(phrases)} phrases: "
              + ", ".join(list(phrases)[:6]))


if __name__ == "__main__":
    main()
