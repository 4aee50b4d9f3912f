"""Fault runs of catalog jobs on a real `shopscribe serve`: a 500-product describe job on the core-loop
fine-tuned model; SIGKILL the job worker at 100 products, then the whole server (and its worker) at 250;
restart; report products lost and duplicated (from the database and the results stream) and the time to
resume after each kill.

    SHOPSCRIBE_BENCH_WORK=/work/runs python benchmarks/service_faults.py [--set describe-zh] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from _server import free_port, kill_group, make_key, start, wait_ready

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "service_faults.json"
WORK = Path(os.environ.get("SHOPSCRIBE_BENCH_WORK", "/tmp/shopscribe-bench"))


def worker_pids(server_pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(server_pid), "-f", "shopscribe.service.worker"], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def wait_done(http: httpx.Client, base: str, job_id: str, at_least: int, seconds: float = 3600) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = http.get(f"{base}/v1/jobs/{job_id}").json()
        if job["done"] >= at_least or job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.5)
    raise RuntimeError(f"no progress past {at_least}")


def time_to_progress(http: httpx.Client, base: str, job_id: str, done: int) -> float:
    """Seconds until the job writes a product past ``done`` (or ends)."""
    started = time.time()
    wait_done(http, base, job_id, done + 1)
    return round(time.time() - started, 1)


def run(set_name: str, products: int, database_url: str | None) -> dict:
    run_dir = WORK / set_name / "run"
    items = [json.loads(l) for l in (run_dir / "data" / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    catalog = [{**items[i % len(items)], "id": f"{items[i % len(items)]['id']}#{i}"} for i in range(products)]
    tmp = Path(tempfile.mkdtemp(prefix="shopscribe-faults-"))
    db = database_url or f"sqlite:///{tmp / 'service.db'}"
    key = make_key(db, f"faults-{time.time_ns()}", ["jobs"])
    settings = [f"database_url={db}", f"models={{{set_name}: '{run_dir}'}}", "job_workers=1", "job_batch=32"]
    port, log = free_port(), tmp / "server.log"
    base, out = f"http://127.0.0.1:{port}", {"set": set_name, "products": products, "database": db.split(":")[0]}
    http = httpx.Client(timeout=120, headers={"Authorization": f"Bearer {key}"})
    server = start(settings, port, log)
    wait_ready(base, server)
    started = time.time()
    job = http.post(f"{base}/v1/jobs", json={"task": "describe", "products": catalog}).json()
    job_id = job["id"]
    # 1. the worker dies mid-job: the server starts another, which frees the dead one's claims
    at = wait_done(http, base, job_id, 100)["done"]
    victims = worker_pids(server.pid)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    out["worker_kill"] = {"done_at_kill": at, "killed_pids": victims,
                          "resume_s": time_to_progress(http, base, job_id, http.get(f"{base}/v1/jobs/{job_id}")
                                                       .json()["done"])}
    # 2. the whole server (and its worker) dies: start it again
    at = wait_done(http, base, job_id, 250)["done"]
    kill_group(server)
    killed = time.time()
    server = start(settings, port, log)
    wait_ready(base, server)
    out["server_kill"] = {"done_at_kill": at, "restart_ready_s": round(time.time() - killed, 1)}
    out["server_kill"]["resume_s"] = round(time_to_progress(http, base, job_id, at) + out["server_kill"]
                                           ["restart_ready_s"], 1)
    final = wait_done(http, base, job_id, products)
    out["seconds"] = round(time.time() - started, 1)
    rows = [json.loads(l) for l in http.get(f"{base}/v1/jobs/{job_id}/results").text.splitlines()]
    ids = [r["id"] for r in rows]
    out.update(status=final["status"], counted_done=final["done"], result_rows=len(rows),
               lost=len({p["id"] for p in catalog} - set(ids)), duplicated=len(ids) - len(set(ids)),
               flagged=final["flagged"])
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="describe-zh")
    ap.add_argument("--products", type=int, default=500)
    ap.add_argument("--database-url", default=None, help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    result = run(args.set, args.products, args.database_url)
    RESULTS.parent.mkdir(exist_ok=True)
    runs = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    runs[result["database"]] = result
    RESULTS.write_text(json.dumps(runs, ensure_ascii=False, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
