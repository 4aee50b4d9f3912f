"""Generation speed, side by side on the same products and the same fine-tuned core-loop models.

    python benchmarks/throughput.py                      # describe-zh and describe-en, ~1 h on 2 cores
    python benchmarks/throughput.py --only describe-zh
    python benchmarks/throughput.py --table              # print the table from results/throughput.json

Needs the core-loop runs (python benchmarks/core_loop.py --only describe-zh / describe-en) under
SHOPSCRIBE_BENCH_WORK. Every product of each run's held-out test split, guard on, greedy:

(a) transformers  today's path: the transformers engine, batches of 8 products;
(b) llama.cpp raw llama.cpp's batched decoding of the same prompts (same Mention line) with no controls,
                  no repetition penalty and no guard: the reference to beat;
(c) default       the default path (engine=auto: llama.cpp, continuous batching, guard on; two
                  single-threaded contexts on one loaded model, engine.pool; output_vocab=auto, which on
                  a trained run cuts the output layer to the run's vocabulary, engine.vocab);
(c-full) full_vocab (c) with the whole output layer (output_vocab=full; the default before 2026-11-25);
(c') catalog_vocab (c) with the output layer cut to the run's and these products' tokens
                  (output_vocab=catalog);
(c1) one_context  (c-full) on one context with both threads (contexts=1); only with --systems.
Start-up includes building a cut GGUF when it is not cached yet.

Each system runs in its own process (so peak RSS is its own): start-up (model load, export) is timed
apart from generating. Then single-product latency at batch 1 on the first LATENCY_PRODUCTS products.
For (a) and (c) the outputs are scored like `shopscribe evaluate` does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_loop import RESULTS, WORK  # noqa: E402

SETS = ["describe-zh", "describe-en"]
SYSTEMS = {"transformers": "(a) transformers, batch 8", "llama_raw": "(b) llama.cpp raw batched, no controls",
           "default": "(c) default (llama.cpp, guard, output_vocab=auto)",
           "full_vocab": "(c-full) (c) with the whole output layer (output_vocab=full)",
           "catalog_vocab": "(c') (c) + these products' tokens (output_vocab=catalog)",
           "one_context": "(c1) (c-full) on one 2-thread context (contexts=1)"}
DEFAULT_SYSTEMS = ["transformers", "llama_raw", "default", "full_vocab", "catalog_vocab"]
VOCAB = {"default": "auto", "catalog_vocab": "catalog"}
LATENCY_PRODUCTS = 20
THREADS = 2


def run_system(set_name: str, system: str) -> dict:
    """One system on one set, in this process."""
    from shopscribe.catalog import load_catalog
    from shopscribe.generation import CopyModel, GenerateConfig, generate, read_done

    run = WORK / set_name / "run"
    products = run / "data" / "test.jsonl"
    records = load_catalog(products).records
    out = WORK / set_name / "throughput" / f"{system}.jsonl"
    for stale in (out, out.with_name(out.name + ".settings.json")):
        stale.unlink(missing_ok=True)
    started = time.time()
    cfg = GenerateConfig(model=str(run), products=products, out=out, guard=True,
                         engine="transformers" if system == "transformers" else "llama.cpp",
                         batch_size=8 if system == "transformers" else None,
                         output_vocab=VOCAB.get(system, "full"),
                         contexts=1 if system in ("llama_raw", "one_context") else None)
    cfg = cfg.model_copy(update={"num_threads": THREADS})
    model = CopyModel.load(str(run), cfg.engine_args(), catalog=records, log=lambda m: None)
    engine = model.engine
    startup = time.time() - started
    if system == "llama_raw":
        texts, seconds = raw_decode(cfg, model, records)
    else:
        started = time.time()
        generate(cfg, log=lambda m: None, model=model)
        seconds = time.time() - started
        rows = read_done(out)
        texts = {pid: row["text"] for pid, row in rows.items()}
    tokens = engine.stats["generated_tokens"]
    result = {"system": system, "engine": engine.name, "products": len(records), "startup_s": round(startup, 1),
              "generate_s": round(seconds, 1), "products_per_min": round(len(records) / seconds * 60, 1),
              "generated_tokens": tokens, "tokens_per_s": round(tokens / seconds, 1),
              "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)}
    result["latency"] = latency(cfg, model, records[:LATENCY_PRODUCTS])
    if system != "llama_raw":
        result["quality"] = quality(cfg, model, records, texts, read_done(out))
    result["texts"] = texts
    return result


def raw_decode(cfg, model, records) -> tuple[dict[str, str], float]:
    """The same prompts as the guarded path, decoded with no controls at all."""
    from shopscribe.engine.decoding import DecodingArgs
    from shopscribe.generation.generator import clean_output

    generator = model.pipeline(cfg.copy_options())
    budget = generator.decoding.max_new_tokens or max(generator.task.length(r.locale, generator.max_chars)
                                                      .max_new_tokens() for r in records)
    requests = [generator._request(r, budget, [], 1) for r in records]
    for r in requests:
        r.banned, r.allowed_numbers, r.boost = None, None, 0.0
    started = time.time()
    outs = model.engine.decode(requests, DecodingArgs(repetition_penalty=1.0))
    seconds = time.time() - started
    return {r.id: clean_output(o[0]) for r, o in zip(records, outs)}, seconds


def latency(cfg, model, records) -> dict:
    """Seconds to write one product alone (guard on), as a service request would."""
    generator = model.pipeline(cfg.copy_options())
    generator.generate(records[:1])  # warm caches (prefix, pieces)
    times = []
    for r in records:
        started = time.time()
        generator.generate([r])
        times.append(time.time() - started)
    q = statistics.quantiles(times, n=20)
    return {"products": len(times), "p50_s": round(statistics.median(times), 2), "p95_s": round(q[18], 2)}


def quality(cfg, model, records, texts: dict[str, str], rows: dict[str, dict]) -> dict:
    from shopscribe.evaluation.metrics import score_system

    metrics, _ = score_system(model.task(cfg), records, texts, model.task_args(cfg).max_chars)
    flagged = sum((row.get("guard") or {}).get("status") == "flagged" for row in rows.values())
    return {"rougeL": metrics["rougeL"], "attribute_coverage": metrics["attribute_coverage"],
            "unsupported_numbers_per_output": metrics["unsupported_numbers_per_output"],
            "compliance_violations": metrics["compliance_violations"], "flagged_outputs": flagged}


def run_set(set_name: str, systems: list[str]) -> dict:
    results = {}
    for system in systems:
        path = WORK / set_name / "throughput" / f"{system}.result.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, __file__, "--one", set_name, system, "--result", str(path)], check=True,
                       env={**os.environ, "OMP_NUM_THREADS": str(THREADS)})
        results[system] = json.loads(path.read_text(encoding="utf-8"))
        print(f"{set_name} {system}: {results[system]['products_per_min']} products/min", flush=True)
    a, c = results["transformers"]["texts"], results["default"]["texts"]
    same = sum(a[k] == c.get(k) for k in a)
    opening = sum(a[k][:20] == c.get(k, "")[:20] for k in a)
    share = {f"identical_outputs_c_{other}": round(sum(c[k] == results[other]["texts"].get(k) for k in c) / len(c), 3)
             for other in ("full_vocab", "catalog_vocab") if other in results}
    for r in results.values():
        r.pop("texts")
    return {"systems": results, "identical_outputs_a_c": round(same / len(a), 3), **share,
            "same_opening_20_chars_a_c": round(opening / len(a), 3),
            "speedup_c_over_a": round(results["default"]["products_per_min"]
                                      / results["transformers"]["products_per_min"], 2)}


def table(results: dict) -> str:
    lines = ["| set | system | products/min | tokens/s | start-up s | peak RSS GiB | latency p50 / p95 s | ROUGE-L | "
             "coverage | unsupported numbers/output | violations | flagged |", "|" + "---|" * 12]
    for set_name, res in results.items():
        for system, r in res["systems"].items():
            q = r.get("quality") or {}
            fmt = lambda k, nd=3: "" if q.get(k) is None else f"{q[k]:.{nd}f}"  # noqa: E731
            lines.append(f"| {set_name} | {SYSTEMS[system]} | {r['products_per_min']} | {r['tokens_per_s']} | "
                         f"{r['startup_s']} | {r['peak_rss_gib']} | {r['latency']['p50_s']} / {r['latency']['p95_s']} | "
                         f"{fmt('rougeL')} | {fmt('attribute_coverage')} | {fmt('unsupported_numbers_per_output', 2)} | "
                         f"{q.get('compliance_violations', '')} | {q.get('flagged_outputs', '')} |")
        lines.append(f"| {set_name} | (c) / (a) | {res['speedup_c_over_a']}x | | | | | identical outputs (a)=(c) "
                     f"{res['identical_outputs_a_c']}, same 20-char opening {res['same_opening_20_chars_a_c']}; "
                     f"(c)=(c-full) {res.get('identical_outputs_c_full_vocab', '')}, "
                     f"(c)=(c') {res.get('identical_outputs_c_catalog_vocab', '')} | | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--only", choices=SETS, action="append")
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=DEFAULT_SYSTEMS)
    parser.add_argument("--one", nargs=2, metavar=("SET", "SYSTEM"), help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.result.write_text(json.dumps(run_system(*args.one), ensure_ascii=False, indent=2), encoding="utf-8")
        return
    path = RESULTS / "throughput.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if not args.table:
        for set_name in args.only or SETS:
            results[set_name] = run_set(set_name, args.systems)
            path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
