"""Score the hand audit of describe outputs (docs/audit/*.jsonl) against the guard's findings.

    python benchmarks/audit.py            # prints the audit table, writes results/audit.json
    python benchmarks/audit.py --build docs/audit/labels.describe-en.after.txt OUTPUTS.jsonl describe-en after \
        RUN/data/test.jsonl

``--build`` joins hand labels (``id|span=label;span=label``, one line per output, empty after the bar
for an output with no invented detail; labels u / c / i) with the generation rows they judge.

Each audit row is one output (guard on) read by hand against its product data:
``{"set", "system", "id", "text", "claims": [{"span", "label"}]}`` where ``label`` is unsupported,
contradicted or impossible (impossible counts as contradicted too). ``text`` is what the model wrote
before the guard cut anything (``guard.before_cut.text``; the published text when nothing was cut), so
the audit sees every claim the model made. An invented detail is a checkable fact the data neither
states nor implies; praise and properties that follow from the data are not.

- published with an invented detail: outputs the guard passes whose published text still holds an
  audited claim;
- guard recall: audited claims the guard named (cut, or listed in its verdict) over all audited claims;
- named or cut away: those, plus claims gone from the published text with a clause the guard cut (an effect
  whose subject the guard cut goes with it);
- checker recall: audited claims the current claim checker names when it re-reads the audited text.
The outputs themselves are in the audited generation files named by ``source`` in each row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
AUDIT = HERE.parent / "docs" / "audit"


def guard_named(row: dict, span: str) -> bool:
    """Whether the guard named the claim at ``span`` of the audited text: among the findings that made it
    cut (before_cut), or in the final verdict on the published text."""
    guard = row.get("guard") or {}
    before = guard.get("before_cut") or {}
    checks = [(before.get("text", ""), before.get("findings", []))]
    checks.append((row.get("published", row["text"]),
                   guard.get("unsupported", []) + guard.get("contradicted", []) + guard.get("violations", [])))
    for text, found in checks:
        start = text.find(span)
        if start >= 0 and any(f["start"] < start + len(span) and start < f["end"] for f in found):
            return True
    return False


def guard_removed(row: dict, span: str) -> bool:
    """Whether the guard named the claim or cut it away with a clause it cut (an effect whose subject it cut,
    "修饰腿部线条" after "裤脚采用拼接的工艺"): the claim is not in the published text."""
    cut = bool(((row.get("guard") or {}).get("before_cut") or {}).get("text"))
    return guard_named(row, span) or (cut and span not in row.get("published", row["text"]))


def remains(row: dict, claim: dict) -> bool:
    return claim["span"] in row.get("published", row["text"])


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
        audited = ((row.get("guard") or {}).get("before_cut") or {}).get("text") or row["text"]
        claims = [{"span": span, "label": names[label]} for span, _, label in
                  (item.rpartition("=") for item in spec.split(";") if item.strip())]
        for c in claims:
            if c["span"] not in audited:
                raise ValueError(f"{labels}: '{c['span']}' is not in the output for {pid}: {audited}")
        lines.append(json.dumps({"set": set_name, "system": system, "id": pid.strip(), "text": audited,
                                 "published": row["text"],
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


def recut(rows: list[dict], data: Path | None) -> dict | None:
    """Today's guard re-applied to the audited written texts (its check and clause cut; not its regeneration,
    which would need the model): how many it would pass, and how many of those still hold an audited claim."""
    if data is None or not data.is_file():
        return None
    from shopscribe.catalog import load_catalog
    from shopscribe.generation.generator import drop_clauses
    from shopscribe.quality.guard import PublishingGuard, must_keep_terms
    from shopscribe.quality.families import learn_families
    from shopscribe.tasks import load_task

    records = {r.id: r for r in load_catalog(data).records}
    guard = PublishingGuard(load_task("describe"), families=learn_families(list(records.values())))
    passed = invented = impossible = 0
    for r in rows:
        record = records[r["id"]]
        verdict = guard.verdict(r["text"], record)
        protected = tuple(t for alts in must_keep_terms(record) for t in alts)
        text, _ = drop_clauses(r["text"], verdict, protected)
        if not text or not guard.verdict(text, record).ok:
            continue
        passed += 1
        invented += any(c["span"] in text for c in r["claims"])
        impossible += any(c["span"] in text and c["label"] == "impossible" for c in r["claims"])
    return {"published": passed, "with_invented": invented / max(passed, 1),
            "with_impossible": impossible / max(passed, 1)}


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
    print("| set | system | outputs audited | written with an invented detail | published (passed) "
          "| published with an invented detail | published with an impossible claim | invented claims written "
          "| guard recall | named or cut away | checker recall (current) | current guard, re-cut: published / with invented / with "
          "impossible |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (set_name, system), rows in sorted(groups.items()):
        claims = [(r, c) for r in rows for c in r["claims"]]
        named = sum(guard_named(r, c["span"]) for r, c in claims)
        removed = sum(guard_removed(r, c["span"]) for r, c in claims)
        published = [r for r in rows if (r.get("guard") or {}).get("status") == "pass" and r.get("published", r["text"])]
        n = len(rows)
        data = rows[0].get("products")
        checker = checker_named(rows, Path(data) if data else None)
        today = recut(rows, Path(data) if data else None)
        npub = max(len(published), 1)
        stats = {"outputs": n, "written_with_invented": sum(bool(r["claims"]) for r in rows) / n,
                 "published": len(published),
                 "with_invented": sum(any(remains(r, c) for c in r["claims"]) for r in published) / npub,
                 "with_impossible": sum(any(remains(r, c) and c["label"] == "impossible" for c in r["claims"])
                                        for r in published) / npub,
                 "claims": len(claims), "named_by_guard": named, "named_by_checker": checker,
                 "checker_recall": checker / len(claims) if claims and checker is not None else None,
                 "guard_recall": named / len(claims) if claims else None,
                 "guard_removed": removed / len(claims) if claims else None,
                 "flagged": sum((r.get("guard") or {}).get("status") == "flagged" for r in rows) / n,
                 "current_guard_recut": today}
        out[f"{set_name}/{system}"] = stats
        recall = f"{stats['guard_recall']:.2f}" if stats["guard_recall"] is not None else "–"
        recall += f" | {stats['guard_removed']:.2f}" if stats["guard_removed"] is not None else " | –"
        checker_recall = f"{stats['checker_recall']:.2f}" if stats["checker_recall"] is not None else "–"
        print(f"| {set_name} | {system} | {n} | {stats['written_with_invented']:.2f} | {len(published)} "
              f"| {stats['with_invented']:.2f} | {stats['with_impossible']:.2f} | {len(claims)} | {recall} "
              f"| {checker_recall} | " + (f"{today['published']} / {today['with_invented']:.2f} / "
                                          f"{today['with_impossible']:.2f} |" if today else "– |"))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "audit.json").write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
