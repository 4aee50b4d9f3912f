"""One pipeline, four front ends: the same 20 held-out products of each describe set through
`shopscribe generate`, `POST /v1/copy/describe/batch` and a catalog job of a real `shopscribe serve`, and
`shopscribe batch` (Ray), each with its defaults, on the core loop's fine-tuned models; counts identical
texts and identical guard verdicts against `generate`.

    python benchmarks/pipeline_parity.py                  # after benchmarks/core_loop.py trained the models
    python benchmarks/pipeline_parity.py --only describe-zh

`generate` runs twice: with its defaults (two single-threaded llama.cpp contexts on 2 cores, each decoding
half of the products) and with contexts=1 (one context decoding all 20, as the service's shared loop and a
Ray actor do). Where two front ends part, the report names the product and the first differing character:
llama.cpp's kernels give slightly different logits for a sequence in other company (batch size, KV cells),
so a near-tie of the two best tokens can go either way (tests/integration/test_llama_engine.py).
Work: SHOPSCRIBE_BENCH_WORK (default /tmp/shopscribe-bench); results: benchmarks/results/pipeline_parity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import serving  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("SHOPSCRIBE_BENCH_WORK", "/tmp/shopscribe-bench"))
RESULTS = HERE / "results"
SETS = ("describe-zh", "describe-en")
PRODUCTS = 20
COMPARED = ("text", "length_status", "guard")


def shopscribe(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "shopscribe.cli.app", *args], check=True, stdout=subprocess.DEVNULL)


def by_id(rows) -> dict[str, dict]:
    out = {}
    for r in rows:
        if "length" in r:  # an HTTP result: its length object as the row's fields
            r = {**r, "length_status": r["length"]["status"]}
        out[r["id"]] = {k: r[k] for k in COMPARED}
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_set(name: str) -> dict:
    run = WORK / name / "run"
    work = WORK / name / "parity"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    rows = read_jsonl(run / "data" / "test.jsonl")[:PRODUCTS]
    catalog = work / "products.jsonl"
    catalog.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    seconds, fronts = {}, {}
    started = time.time()
    shopscribe("generate", str(run), "--products", str(catalog), "--out", str(work / "generate.jsonl"))
    seconds["generate"] = round(time.time() - started, 1)
    fronts["generate"] = by_id(read_jsonl(work / "generate.jsonl"))
    # the same command on one llama.cpp context: its products decode in the company the other front ends give
    shopscribe("generate", str(run), "--products", str(catalog), "--out", str(work / "generate_one_context.jsonl"),
               "contexts=1")
    fronts["generate contexts=1"] = by_id(read_jsonl(work / "generate_one_context.jsonl"))
    started = time.time()
    shopscribe("batch", str(run), "--products", str(catalog), "--out", str(work / "batch"))
    seconds["batch"] = round(time.time() - started, 1)
    fronts["batch"] = by_id(r for part in sorted((work / "batch" / "shards").glob("*.jsonl")) for r in read_jsonl(part))
    settings = [f"database_url=sqlite:///{work / 'svc.db'}", f"models={{{name}: '{run}'}}", "auth=false",
                f"max_products_per_call={PRODUCTS}", f"job_batch={PRODUCTS}", "job_poll_s=0.2"]
    with serving(settings, work / "server.log") as (base, _, _):
        started = time.time()
        answer = httpx.post(f"{base}/v1/copy/describe/batch", json={"products": rows}, timeout=600)
        answer.raise_for_status()
        seconds["http"] = round(time.time() - started, 1)
        fronts["http"] = by_id(answer.json()["results"])
        started = time.time()
        job = httpx.post(f"{base}/v1/jobs", json={"task": "describe", "products": rows}, timeout=60).json()
        while httpx.get(f"{base}/v1/jobs/{job['id']}", timeout=30).json()["status"] in ("queued", "running"):
            time.sleep(0.5)
        seconds["job"] = round(time.time() - started, 1)
        results = httpx.get(f"{base}/v1/jobs/{job['id']}/results", timeout=60).text.splitlines()
        fronts["job"] = by_id(json.loads(line) for line in results)
    return {"products": len(rows), "seconds": seconds, **compare(fronts)}


def compare(fronts: dict[str, dict]) -> dict:
    """Each front end against `generate` with its defaults, and against `generate contexts=1`."""
    out: dict = {}
    for reference in ("generate", "generate contexts=1"):
        base = fronts[reference]
        part: dict = {"identical_texts": {}, "identical_verdicts": {}, "differences": {}}
        for name, other in fronts.items():
            if name == reference:
                continue
            part["identical_texts"][name] = sum(base[i]["text"] == other.get(i, {}).get("text") for i in base)
            part["identical_verdicts"][name] = sum(base[i]["guard"] == other.get(i, {}).get("guard") for i in base)
            part["differences"][name] = [_difference(i, base[i], other.get(i)) for i in base
                                         if base[i] != other.get(i)]
        out[f"against {reference}"] = part
    return out


def _difference(pid: str, a: dict, b: dict | None) -> dict:
    if b is None:
        return {"id": pid, "missing": True}
    at = next((k for k, (x, y) in enumerate(zip(a["text"], b["text"])) if x != y), min(len(a["text"]), len(b["text"])))
    return {"id": pid, "at_char": at, "generate": a["text"], "other": b["text"],
            "generate_status": (a["guard"] or {}).get("status"), "other_status": (b["guard"] or {}).get("status")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=SETS, action="append")
    args = parser.parse_args()
    path = RESULTS / "pipeline_parity.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for name in args.only or SETS:
        results[name] = run_set(name)
        r = results[name]
        for reference in ("generate", "generate contexts=1"):
            part = r[f"against {reference}"]
            print(f"{name}: {r['products']} products; against {reference}: identical texts {part['identical_texts']}, "
                  f"identical verdicts {part['identical_verdicts']}", flush=True)
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
