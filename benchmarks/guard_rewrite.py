"""Cut or write right: the guard's two repairs of a claim it cannot publish, side by side in one run.

The same trained run writes copy (guard on, greedy) for the same products twice: ``guard_repair=cut``
(the clause holding the claim is cut) and ``guard_repair=rewrite`` (the output is written again from the
sentence holding it, the claim banned; taken when clean and no worse, else cut). Reported per repair:
outputs with a cut, outputs rewritten, flagged, text-quality findings left, ROUGE-L, attribute coverage,
claim rates, mean characters, decodes per product and seconds; the products whose copy differs are
written beside their data to ``rewrite_examples.<set>.jsonl`` in the work folder, to be read.

    python benchmarks/guard_rewrite.py --run RUN --products PRODUCTS.jsonl --name zh [--limit 40]
    python benchmarks/guard_rewrite.py --table
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from common import run_products_cli
from core_loop import WORK

REPAIRS = ("cut", "rewrite")


def run(run_dir: Path, products: Path, name: str, limit: int | None) -> dict:
    from shopscribe.appendlog import read_done
    from shopscribe.catalog.loaders import load_catalog, write_jsonl
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.generation.config import GenerateConfig
    from shopscribe.generation.generate import generate
    from shopscribe.models.loading import read_run_info
    from shopscribe.tasks import load_task

    records = load_catalog(products).records[:limit]
    work = WORK / f"guard-rewrite-{name}"
    work.mkdir(parents=True, exist_ok=True)
    write_jsonl(records, work / "products.jsonl")
    task = load_task(read_run_info(run_dir)["task"], run_dir / "templates")
    out, rows = {}, {}
    for repair in REPAIRS:
        path = work / f"{repair}.jsonl"
        path.unlink(missing_ok=True)
        started = time.time()
        generate(GenerateConfig(model=str(run_dir), products=work / "products.jsonl", out=path, guard=True,
                                guard_repair=repair))
        seconds = time.time() - started
        rows[repair] = read_done(path)
        metrics, _ = score_system(task, records, {r.id: rows[repair][r.id]["text"] for r in records})
        guards = [rows[repair][r.id].get("guard") or {} for r in records]
        n = len(records)
        out[repair] = {
            "products": n, "seconds": round(seconds, 1),
            "decodes_per_product": sum(rows[repair][r.id]["attempts"] for r in records) / n,
            "outputs_cut": sum(bool(g.get("dropped_clauses")) for g in guards) / n,
            "outputs_rewritten": sum(bool(g.get("rewritten")) for g in guards) / n,
            "flagged": sum(g.get("status") == "flagged" for g in guards) / n,
            "quality_findings_left": sum(len(g.get("quality") or []) for g in guards),
            **{k: metrics.get(k) for k in ("rougeL", "attribute_coverage", "outputs_with_invented_detail",
                                           "unsupported_claim_rate", "contradiction_rate", "length_compliance",
                                           "mean_chars")}}
    with open(work.parent / f"rewrite_examples.{name}.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            cut, new = rows["cut"][r.id], rows["rewrite"][r.id]
            if cut["text"] != new["text"]:
                f.write(json.dumps({"id": r.id, "attributes": r.attributes, "title": r.title, "cut": cut["text"],
                                    "rewrite": new["text"], "before": (new.get("guard") or {}).get("rewritten")},
                                   ensure_ascii=False) + "\n")
    return {"run": str(run_dir), "products": str(products), **out}


def table(results: dict) -> str:
    keys = ["outputs_cut", "outputs_rewritten", "flagged", "quality_findings_left", "rougeL", "attribute_coverage",
            "outputs_with_invented_detail", "mean_chars", "decodes_per_product", "seconds"]
    lines = ["| set | repair | " + " | ".join(keys) + " |", "|---|---|" + "---|" * len(keys)]
    for name, res in results.items():
        for repair in REPAIRS:
            s = res[repair]
            cells = [f"{s[k]:.3f}" if isinstance(s[k], float) else str(s[k]) for k in keys]
            lines.append(f"| {name} | {repair} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    run_products_cli(__doc__, "guard_rewrite", run, table)
