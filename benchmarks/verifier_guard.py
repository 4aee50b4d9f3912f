"""The claim verifier in the guard, on the describe sets: what it costs and what it changes (issue 24).

    SHOPSCRIBE_BENCH_WORK=/work/runs python benchmarks/verifier_guard.py --verifier DIR [--only describe-zh]

Needs the core-loop runs (python benchmarks/core_loop.py --only describe-zh / describe-en). On every product
of each run's held-out test split, the default path of the throughput benchmark's row (c) — llama.cpp,
continuous batching, guard on, output_vocab=auto, 2 threads — runs twice, each in its own process, on the
same model and products:

  rules     the guard with its rules alone (verifier=none)
  verifier  the guard with the learned verifier beside the rules (the stricter verdict per sentence), on
            the products its scope covers (verifier.json `scope`: beyond the categories the rules were
            audited on by default; a copy of the folder with `"scope": "all"` measures it on every product)

Reported per set: products/min of each and the ratio (the guard's added time per product), ROUGE-L and
attribute coverage of each, outputs changed, outputs flagged, and the share of published outputs (guard
status pass) holding a sentence the verifier marks unsupported or contradicted — for the rules-only
outputs judged afterwards by the same verifier. Also the guard's own cost per product in ms, with and
without the verifier, timed on the rules-only outputs. Results: results/verifier_guard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_loop import RESULTS, WORK  # noqa: E402

SETS = ["describe-zh", "describe-en"]
THREADS = 2


def run_system(set_name: str, system: str, verifier: str, limit: int | None = None) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.generation import CopyModel, GenerateConfig, generate, read_done

    run = WORK / set_name / "run"
    products = run / "data" / "test.jsonl"
    records = load_catalog(products).records[:limit]
    if limit:  # the first LIMIT products of the test split, as a catalog of their own
        products = WORK / set_name / "verifier_guard" / "products.jsonl"
        products.parent.mkdir(parents=True, exist_ok=True)
        products.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    scope = json.loads((Path(verifier) / "verifier.json").read_text(encoding="utf-8")).get("scope", "default")
    out = WORK / set_name / "verifier_guard" / (f"{system}.jsonl" if system == "rules" else f"{system}-{scope}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in (out, out.with_name(out.name + ".settings.json")):
        stale.unlink(missing_ok=True)
    cfg = GenerateConfig(model=str(run), products=products, out=out, guard=True, engine="llama.cpp",
                         verifier=verifier if system == "verifier" else "none")
    cfg = cfg.model_copy(update={"num_threads": THREADS})
    started = time.time()
    model = CopyModel.load(str(run), cfg.engine_args(), catalog=records, log=lambda m: None)
    startup = time.time() - started
    started = time.time()
    generate(cfg, log=lambda m: None, model=model)
    seconds = time.time() - started
    rows = read_done(out)
    texts = {pid: row["text"] for pid, row in rows.items()}
    metrics, _ = score_system(model.task(cfg), records, texts, model.task_args(cfg).max_chars)
    return {"system": system, "products": len(records), "startup_s": round(startup, 1),
            "generate_s": round(seconds, 1), "products_per_min": round(len(records) / seconds * 60, 1),
            "rougeL": metrics["rougeL"], "attribute_coverage": metrics["attribute_coverage"],
            "flagged": sum(row["guard"]["status"] == "flagged" for row in rows.values()),
            "rows": {pid: {"text": row["text"], "status": row["guard"]["status"]} for pid, row in rows.items()}}


def judge(set_name: str, verifier_dir: str, rows: dict) -> dict:
    """The guard's cost per product with and without the verifier, and the verifier's verdict on the
    sentences of the rules-only outputs."""
    from shopscribe.catalog import load_catalog
    from shopscribe.generation.pipeline import CopyModel
    from shopscribe.generation.config import CopyOptions
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.quality.verifier import ClaimVerifier

    run = WORK / set_name / "run"
    records = {r.id: r for r in load_catalog(run / "data" / "test.jsonl").records}
    described = CopyModel.describe(str(run))
    task = described.task(CopyOptions())
    from shopscribe.generation.pipeline import run_families

    families = run_families(run)
    rules = PublishingGuard(task, families=families)
    learned = PublishingGuard(task, families=families, verifier=ClaimVerifier.load(verifier_dir))
    timings, flagged_published, published = {"rules": 0.0, "verifier": 0.0}, 0, 0
    for pid, row in rows.items():
        record = records[pid]
        for name, guard in (("rules", rules), ("verifier", learned)):
            started = time.perf_counter()
            verdict = guard.verdict(row["text"], record)
            timings[name] += time.perf_counter() - started
        if row["status"] == "pass":
            published += 1
            flagged_published += any(s["verifier"] != "supported" for s in verdict.sentences)
    n = len(rows)
    return {"guard_ms_per_product": {k: round(v * 1000 / n, 1) for k, v in timings.items()},
            "published_rules_only": published,
            "published_with_a_sentence_the_verifier_rejects_rules_only": round(flagged_published / max(published, 1), 3)}


def run_set(set_name: str, verifier: str, limit: int | None = None) -> dict:
    results = {}
    for system in ("rules", "verifier"):
        path = WORK / set_name / "verifier_guard" / f"{system}.result.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--one", set_name, system, "--verifier", verifier,
                        "--result", str(path)] + (["--products", str(limit)] if limit else []), check=True,
                       env={**os.environ, "OMP_NUM_THREADS": str(THREADS)})
        results[system] = json.loads(path.read_text(encoding="utf-8"))
        print(f"{set_name} {system}: {results[system]['products_per_min']} products/min, "
              f"ROUGE-L {results[system]['rougeL']:.4f}, flagged {results[system]['flagged']}", flush=True)
    before, after = results["rules"]["rows"], results["verifier"]["rows"]
    judged = judge(set_name, verifier, before)
    published_after = [pid for pid, row in after.items() if row["status"] == "pass"]
    summary = {
        "products": len(before),
        "time_per_product_ratio_verifier_over_rules": round(results["rules"]["products_per_min"]
                                                            / results["verifier"]["products_per_min"], 3),
        "rougeL_change": round(results["verifier"]["rougeL"] - results["rules"]["rougeL"], 4),
        "outputs_changed": round(sum(before[k]["text"] != after[k]["text"] for k in before) / len(before), 3),
        "published": {"rules": judged["published_rules_only"], "verifier": len(published_after)},
        # with the verifier on, a published output holds no sentence it rejects (the guard flags or cuts it)
        "published_with_a_sentence_the_verifier_rejects": {
            "rules": judged["published_with_a_sentence_the_verifier_rejects_rules_only"], "verifier": 0.0},
        "guard_ms_per_product": judged["guard_ms_per_product"],
    }
    for r in results.values():
        r.pop("rows")
    return {"systems": results, **summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verifier", required=True, help="a claim verifier folder")
    parser.add_argument("--only", choices=SETS, action="append")
    parser.add_argument("--products", type=int, help="only the first N products of each test split")
    parser.add_argument("--one", nargs=2, metavar=("SET", "SYSTEM"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.result.write_text(json.dumps(run_system(*args.one, args.verifier, args.products), ensure_ascii=False,
                                          indent=1),
                               encoding="utf-8")
        return
    path = RESULTS / "verifier_guard.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    folder = Path(args.verifier).resolve()
    scope = json.loads((folder / "verifier.json").read_text(encoding="utf-8")).get("scope", "beyond-audited-categories")
    for set_name in args.only or SETS:
        key = set_name if scope != "all" else f"{set_name} (scope: all)"
        results[key] = {"verifier": f"{folder} (scope: {scope})", **run_set(set_name, str(folder), args.products)}
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(json.dumps({k: v for k, v in results[key].items() if k != "systems"}, ensure_ascii=False))


if __name__ == "__main__":
    main()
