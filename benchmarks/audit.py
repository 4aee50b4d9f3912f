"""Score the hand audit of describe outputs (docs/audit/*.jsonl) against the guard's findings.

    python benchmarks/audit.py            # prints the audit table, writes results/audit.json
    python benchmarks/audit.py --build docs/audit/labels.describe-en.after.txt OUTPUTS.jsonl describe-en after \
        RUN/data/test.jsonl

``--build`` joins hand labels (``id|span=label;span=label``, one line per output, empty after the bar
for an output with no invented detail; labels u / c / i) with the generation rows they judge.

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


def build(labels: Path, outputs: Path, set_name: str, system: str, products: Path) -> Path:
    names = {"u": "unsupported", "c": "contradicted", "i": "impossible"}
    rows = {r["id"]: r for r in map(json.loads, outputs.read_text(encoding="utf-8").splitlines())}
    out = AUDIT / f"{set_name}.{system}.jsonl"
    lines = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pid, _, spec = line.partition("|")
        row = rows[pid.strip()]
        claims = [{"span": span, "label": names[label]} for span, _, label in
                  (item.rpartition("=") for item in spec.split(";") if item.strip())]
        for c in claims:
            if c["span"] not in row["text"]:
                raise ValueError(f"{labels}: '{c['span']}' is not in the output for {pid}: {row['text']}")
        lines.append(json.dumps({"set": set_name, "system": system, "id": pid.strip(), "text": row["text"],
                                 "guard": row.get("guard"), "claims": claims, "source": str(outputs),
                                 "products": str(products)},
                                ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def checker_named(rows: list[dict], data: Path | None) -> int | None:
    """How many audited claims the current claim checker names (unsupported or contradicted), re-checking the
    texts against the products of ``data`` (the run's test split), with families learned from them."""
    if data is None or not data.is_file():
        return None
    from shopscribe.catalog import load_catalog
    from shopscribe.quality.faithfulness import check_faithfulness
    from shopscribe.quality.families import learn_families

    records = {r.id: r for r in load_catalog(data).records}
    families = learn_families(list(records.values()))
    named = 0
    for r in rows:
        found = [(c.start, c.end) for c in check_faithfulness(r["text"], records[r["id"]], families=families).claims
                 if c.status in ("unsupported", "contradicted")]
        for c in r["claims"]:
            start = r["text"].find(c["span"])
            named += any(s < start + len(c["span"]) and start < e for s, e in found)
    return named


def main() -> None:
    import sys

    if len(sys.argv) > 1 and sys.argv[1] == "--build":
        print(build(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5], Path(sys.argv[6])))
        return
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for path in sorted(AUDIT.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                groups[(row["set"], row["system"])].append(row)
    out = {}
    print("| set | system | outputs audited | with an invented detail | with an impossible claim "
          "| invented claims | named by the guard | guard recall | checker recall (current) | flagged by the guard |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (set_name, system), rows in sorted(groups.items()):
        claims = [(r, c) for r in rows for c in r["claims"]]
        named = 0
        for r, c in claims:
            start = r["text"].find(c["span"])
            spans = guard_spans(r)
            named += start >= 0 and any(s < start + len(c["span"]) and start < e for s, e in spans)
        n = len(rows)
        data = rows[0].get("products")
        checker = checker_named(rows, Path(data) if data else None)
        stats = {"outputs": n, "with_invented": sum(bool(r["claims"]) for r in rows) / n,
                 "with_impossible": sum(any(c["label"] == "impossible" for c in r["claims"]) for r in rows) / n,
                 "claims": len(claims), "named_by_guard": named, "named_by_checker": checker,
                 "checker_recall": checker / len(claims) if claims and checker is not None else None,
                 "guard_recall": named / len(claims) if claims else None,
                 "flagged": sum((r.get("guard") or {}).get("status") == "flagged" for r in rows) / n}
        out[f"{set_name}/{system}"] = stats
        recall = f"{stats['guard_recall']:.2f}" if stats["guard_recall"] is not None else "–"
        checker_recall = f"{stats['checker_recall']:.2f}" if stats["checker_recall"] is not None else "–"
        print(f"| {set_name} | {system} | {n} | {stats['with_invented']:.2f} | {stats['with_impossible']:.2f} "
              f"| {len(claims)} | {named} | {recall} | {checker_recall} | {stats['flagged']:.2f} |")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "audit.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
