"""Score the hand audit of describe outputs (docs/audit/*.jsonl) against the guard's findings.

    python benchmarks/audit.py            # prints the audit table, writes results/audit.json

Each audit row is one published output (guard on) read by hand against its product data:
``{"set", "system", "id", "text", "claims": [{"span", "label"}]}`` where ``label`` is unsupported,
contradicted or impossible (impossible counts as contradicted too). An invented detail is a checkable
fact the data neither states nor implies; praise and properties that follow from the data are not.
The guard's recall is the share of audited claims in the published text that its verdict names
(an unsupported or contradicted claim, or a compliance finding, overlapping the span).
The outputs themselves are in the audited generation files named by ``source`` in each row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUDIT = HERE.parent / "docs" / "audit"


def guard_spans(row: dict) -> list[tuple[int, int]]:
    guard = row.get("guard") or {}
    found = guard.get("unsupported", []) + guard.get("contradicted", []) + guard.get("violations", [])
    return [(f["start"], f["end"]) for f in found]


def main() -> None:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for path in sorted(AUDIT.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                groups[(row["set"], row["system"])].append(row)
    out = {}
    print("| set | system | outputs audited | with an invented detail | with an impossible claim "
          "| invented claims | named by the guard | guard recall | flagged by the guard |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (set_name, system), rows in sorted(groups.items()):
        claims = [(r, c) for r in rows for c in r["claims"]]
        named = 0
        for r, c in claims:
            start = r["text"].find(c["span"])
            spans = guard_spans(r)
            named += start >= 0 and any(s < start + len(c["span"]) and start < e for s, e in spans)
        n = len(rows)
        stats = {"outputs": n, "with_invented": sum(bool(r["claims"]) for r in rows) / n,
                 "with_impossible": sum(any(c["label"] == "impossible" for c in r["claims"]) for r in rows) / n,
                 "claims": len(claims), "named_by_guard": named,
                 "guard_recall": named / len(claims) if claims else None,
                 "flagged": sum((r.get("guard") or {}).get("status") == "flagged" for r in rows) / n}
        out[f"{set_name}/{system}"] = stats
        recall = f"{stats['guard_recall']:.2f}" if stats["guard_recall"] is not None else "–"
        print(f"| {set_name} | {system} | {n} | {stats['with_invented']:.2f} | {stats['with_impossible']:.2f} "
              f"| {len(claims)} | {named} | {recall} | {stats['flagged']:.2f} |")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "audit.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
