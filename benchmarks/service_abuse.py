"""What one misbehaving client does to everyone else, on a real `shopscribe serve` of the default model
(llama.cpp), before and after issue 26, side by side in one run: the code of a given commit (default
498999f, the last before issue 26) and the working tree, each serving on its own port and database.

    python benchmarks/service_abuse.py [--before 498999f] [--upload-mb 40]

Scenarios, each against both servers:
1. stall: a client WITHOUT a key streams a chunked multipart upload of --upload-mb MB to /v1/jobs while a
   keyed client asks for titles; reported: the server's CPU seconds spent on the upload, how many bytes it
   read before answering, the answer, and the keyed client's latency during the upload vs alone;
2. oversized: one request whose prompt cannot fit the engine's context, sent at once with four good ones:
   how many of the good ones were written;
3. ownership: key B asks for key A's job (status, results, cancel);
4. work: one request asking for 64 products × 8 candidates × max_chars 5000 (answer within 10 s or not);
5. guard: a generate-only key sends guard=false.
Results: benchmarks/results/service_abuse.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from _server import free_port, start, wait_ready

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "service_abuse.json"
PRODUCT = {"id": "p1", "locale": "en", "title": "Roadster Men Navy Blue Slim Fit Jeans", "brand": "Roadster",
           "attributes": {"gender": "Men", "primary_color": "Blue", "fabric": "Cotton"}}
MAKE_KEYS = """
import json, sys
from shopscribe.storage import open_database
from shopscribe.storage.keys import create_key
db = open_database(sys.argv[1])
print(json.dumps({n: create_key(db, n, s, 1_000_000)[0] for n, s in
                  (("gen", ["generate"]), ("alice", ["jobs"]), ("bob", ["jobs"]))}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default="498999f", help="the commit to compare with")
    ap.add_argument("--upload-mb", type=int, default=40)
    ap.add_argument("--chunk-kb", type=int, default=64, help="size of each chunk the keyless client sends")
    args = ap.parse_args()
    root = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = tmp / "before"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(old), args.before], check=True,
                       capture_output=True)
        try:
            report = {"before": args.before, "upload_mb": args.upload_mb, "chunk_kb": args.chunk_kb,
                      "before_issue_26": run_server(old / "src", tmp / "a", args.upload_mb, args.chunk_kb),
                      "after_issue_26": run_server(root / "src", tmp / "b", args.upload_mb, args.chunk_kb)}
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(old)], capture_output=True)
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = results if "runs" in results else {"runs": {}}
    results["runs"][f"{args.upload_mb}MB in {args.chunk_kb}KB chunks"] = report
    RESULTS.write_text(json.dumps(results, indent=1))
    print(json.dumps(report, indent=1))


def run_server(src: Path, work: Path, upload_mb: int, chunk_kb: int) -> dict:
    work.mkdir()
    url = f"sqlite:///{work / 'svc.db'}"
    env = {**os.environ, "PYTHONPATH": str(src)}
    keys = json.loads(subprocess.run([sys.executable, "-c", MAKE_KEYS, url], env=env, check=True,
                                     capture_output=True, text=True).stdout)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = [f"database_url={url}", "job_workers=0", "log_json=true"]
    os.environ["PYTHONPATH"] = str(src)  # the server process imports the code under test
    try:
        proc = start(settings, port, work / "server.log")
    finally:
        os.environ.pop("PYTHONPATH")
    out = {}
    try:
        out["startup_s"] = round(wait_ready(base, proc), 1)
        out["stall"] = stall(base, proc.pid, keys["gen"], upload_mb, chunk_kb)
        out["oversized"] = oversized(base, keys["gen"])
        out["ownership"] = ownership(base, keys["alice"], keys["bob"])
        out["guard_off_by_generate_key"] = httpx.post(f"{base}/v1/copy/title", headers=auth(keys["gen"]), timeout=120,
                                                      json={"product": PRODUCT, "guard": False}).status_code
        out["work"] = work_request(base, keys["gen"])
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()
    return out


def auth(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


def title_latency(base: str, key: str, n: int = 3) -> list[float]:
    times = []
    for i in range(n):
        started = time.monotonic()
        r = httpx.post(f"{base}/v1/copy/title", headers=auth(key), json={"product": {**PRODUCT, "id": f"t{i}"}},
                       timeout=300)
        r.raise_for_status()
        times.append(round(time.monotonic() - started, 2))
    return times


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stall(base: str, pid: int, key: str, upload_mb: int, chunk_kb: int) -> dict:
    alone = title_latency(base, key)
    host, port = base.removeprefix("http://").split(":")
    result: dict = {}

    def attack():
        cpu0, started, sent = cpu_s(pid), time.monotonic(), 0
        chunk = b"x" * (chunk_kb * 1024)
        with socket.create_connection((host, int(port)), timeout=600) as s:
            s.sendall(b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
            head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="c.jsonl"\r\n\r\n'
            s.sendall(f"{len(head):x}\r\n".encode() + head + b"\r\n")
            try:
                while sent < upload_mb * 2**20:
                    s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    sent += len(chunk)
                s.sendall(b"0\r\n\r\n")
            except OSError:  # the server answered and closed the connection
                pass
            s.settimeout(600)
            answer = s.recv(200).decode(errors="replace").split("\r\n")[0]
        result.update(answer=answer, bytes_sent_before_answer=sent, seconds=round(time.monotonic() - started, 2),
                      server_cpu_s=round(cpu_s(pid) - cpu0, 2))

    thread = threading.Thread(target=attack)
    thread.start()
    time.sleep(0.2)
    during = title_latency(base, key)
    thread.join()
    return {"keyless_upload": result, "title_latency_alone_s": alone, "title_latency_during_s": during}


def oversized(base: str, key: str) -> dict:
    big = {**PRODUCT, "id": "big", "attributes": {f"detail {i}": "soft brushed cotton " * 45 for i in range(100)}}
    products = [{**PRODUCT, "id": "a"}, big, {**PRODUCT, "id": "b"}, {**PRODUCT, "id": "c"}, {**PRODUCT, "id": "d"}]

    def call(product):
        try:
            return httpx.post(f"{base}/v1/copy/title", headers=auth(key), json={"product": product},
                              timeout=300).status_code
        except httpx.HTTPError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(call, products))
    return {"codes": dict(zip(("a", "big", "b", "c", "d"), codes)),
            "good_written": sum(1 for c in codes[:1] + codes[2:] if c == 200)}


def ownership(base: str, alice: str, bob: str) -> dict:
    job = httpx.post(f"{base}/v1/jobs", headers=auth(alice), json={"task": "title", "products": [PRODUCT]},
                     timeout=60).json()["id"]
    return {"bob_lists_alice_job": job in [j["id"] for j in httpx.get(f"{base}/v1/jobs", headers=auth(bob)).json()],
            "bob_reads_status": httpx.get(f"{base}/v1/jobs/{job}", headers=auth(bob)).status_code,
            "bob_reads_results": httpx.get(f"{base}/v1/jobs/{job}/results", headers=auth(bob)).status_code,
            "bob_cancels": httpx.post(f"{base}/v1/jobs/{job}/cancel", headers=auth(bob)).status_code}


def work_request(base: str, key: str) -> dict:
    body = {"products": [{**PRODUCT, "id": f"w{i}"} for i in range(64)], "candidates": 8, "max_chars": 5000}
    started = time.monotonic()
    try:
        code = httpx.post(f"{base}/v1/copy/describe/batch", headers=auth(key), json=body, timeout=10).status_code
    except httpx.TimeoutException:
        code = "accepted: still decoding after 10 s"
    return {"answer": code, "seconds": round(time.monotonic() - started, 2)}


if __name__ == "__main__":
    main()
