"""Service load benchmark: 1, 4 and 16 concurrent clients send describe requests for held-out products to a
real `shopscribe serve` on localhost for a fixed time each; throughput, latency and errors per level, beside
the batch path's products per minute (benchmarks/results/throughput.json, same model and products).

    SHOPSCRIBE_BENCH_WORK=/work/runs python benchmarks/service_load.py [--seconds 60] [--set describe-zh]
    python benchmarks/service_load.py --table

The model is the core-loop fine-tuned run of the set (`python benchmarks/core_loop.py --only SET` trains it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx

from _server import make_key, peak_rss_gib, serving

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "service_load.json"
WORK = Path(os.environ.get("SHOPSCRIBE_BENCH_WORK", "/tmp/shopscribe-bench"))


def products(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()]


def load_level(base: str, key: str, items: list[dict], clients: int, seconds: float) -> dict:
    """``clients`` threads, each sending one request after another until the time is up."""
    latencies, errors, lock = [], {}, threading.Lock()
    deadline = time.time() + seconds
    counter = iter(range(10**9))

    def client() -> None:
        with httpx.Client(timeout=300, headers={"Authorization": f"Bearer {key}"}) as http:
            while time.time() < deadline:
                product = items[next(counter) % len(items)]
                started = time.time()
                try:
                    r = http.post(f"{base}/v1/copy/describe", json={"product": product})
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    if status == 200:
                        latencies.append(time.time() - started)
                    else:
                        errors[str(status)] = errors.get(str(status), 0) + 1

    started = time.time()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - started  # requests in flight at the deadline finish: count their time too
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [latencies[0]] * 99 if latencies else []
    return {"clients": clients, "seconds": round(wall, 1), "products": len(latencies),
            "products_per_min": round(len(latencies) / wall * 60, 1),
            "latency_p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "latency_p95_s": round(q[94], 2) if q else None, "latency_p99_s": round(q[98], 2) if q else None,
            "errors": errors}


def run(set_name: str, seconds: float, levels: list[int]) -> dict:
    run_dir = WORK / set_name / "run"
    items = products(run_dir)
    tmp = Path(tempfile.mkdtemp(prefix="shopscribe-load-"))
    db = f"sqlite:///{tmp / 'service.db'}"
    key = make_key(db, "load", ["generate"])
    settings = [f"database_url={db}", f"models={{{set_name}: '{run_dir}'}}", "job_workers=0", "queue_size=1024"]
    out = {"set": set_name, "model": str(run_dir), "held_out_products": len(items), "levels": []}
    with serving(settings, tmp / "server.log") as (base, proc, startup):
        out["startup_s"] = round(startup, 1)
        load_level(base, key, items[:2], 1, 5)  # warm-up (the prompt prefix cache, pieces)
        for clients in levels:
            level = load_level(base, key, items, clients, seconds)
            print(json.dumps(level), flush=True)
            out["levels"].append(level)
        out["server_peak_rss_gib"] = peak_rss_gib(proc.pid)
    batch = json.loads((HERE / "results" / "throughput.json").read_text())[set_name]["systems"]["default"]
    out["batch_products_per_min"] = batch["products_per_min"]
    return out


def table(result: dict) -> str:
    lines = ["| clients | products/min | latency p50 / p95 / p99 s | errors |", "|---|---|---|---|"]
    for lv in result["levels"]:
        lines.append(f"| {lv['clients']} | {lv['products_per_min']} | {lv['latency_p50_s']} / {lv['latency_p95_s']} / "
                     f"{lv['latency_p99_s']} | {sum(lv['errors'].values())} {lv['errors'] or ''} |")
    lines.append(f"| batch (`generate`, benchmarks/throughput.py (c)) | {result['batch_products_per_min']} | | |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="describe-zh")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--levels", default="1,4,16")
    ap.add_argument("--table", action="store_true")
    args = ap.parse_args()
    if args.table:
        print(table(json.loads(RESULTS.read_text())))
        return
    result = run(args.set, args.seconds, [int(x) for x in args.levels.split(",")])
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(table(result))


if __name__ == "__main__":
    main()
