"""API fuzzing with schemathesis against the OpenAPI schema of a real `shopscribe serve`, once with a valid key
and once without: counts of 5xx responses (must be 0) and of schema violations.

    python benchmarks/api_fuzz.py [--max-examples 25] [--model gemma3-270m]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from _server import make_key, serving

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "api_fuzz.json"


def fuzz(base: str, key: str | None, max_examples: int, report: Path) -> dict:
    cmd = ["schemathesis", "run", f"{base}/openapi.json", "--checks", "all", "--max-examples", str(max_examples),
           "--seed", "1", "--workers", "1", "--report", "junit", "--report-junit-path", str(report),
           "--request-timeout", "300", "--suppress-health-check", "all", "--output-truncate", "true"]
    if key:
        cmd += ["-H", f"Authorization: Bearer {key}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    return summarise(done.stdout + done.stderr, report)


def summarise(text: str, report: Path) -> dict:
    import xml.etree.ElementTree as ET

    cases = failures = 0
    kinds: dict[str, int] = {}
    if report.is_file():
        root = ET.parse(report).getroot()
        for case in root.iter("testcase"):
            cases += 1
            for f in list(case.iter("failure")) + list(case.iter("error")):
                failures += 1
                msg = (f.get("message") or f.text or "").strip().splitlines()
                kind = next((l for l in msg if l.strip()), "failure")[:120]
                kinds[kind] = kinds.get(kind, 0) + 1
    server_errors = sum(n for k, n in kinds.items() if "Server error" in k or "5xx" in k or "500" in k)
    return {"operations": cases, "failing_operations": failures, "server_errors": server_errors,
            "findings": kinds, "tail": text.strip().splitlines()[-25:]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-examples", type=int, default=25)
    ap.add_argument("--model", default="gemma3-270m")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="shopscribe-fuzz-"))
    db = f"sqlite:///{tmp / 'service.db'}"
    key = make_key(db, "fuzz", ["admin"])
    (tmp / "data").mkdir()
    settings = [f"database_url={db}", f"models={{default: '{args.model}'}}", "job_workers=0", "queue_size=4096",
                f"data_dir={tmp / 'data'}", "max_new_tokens=64"]
    out = {"model": args.model, "max_examples": args.max_examples}
    with serving(settings, tmp / "server.log") as (base, proc, _):
        out["with_key"] = fuzz(base, key, args.max_examples, tmp / "with_key.xml")
        out["without_key"] = fuzz(base, None, args.max_examples, tmp / "without_key.xml")
    log = (tmp / "server.log").read_text(errors="replace")
    out["server_log_internal_errors"] = log.count("internal error on")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, ensure_ascii=False, indent=2))
    print(json.dumps({k: (v if not isinstance(v, dict) else {kk: vv for kk, vv in v.items() if kk != "tail"})
                      for k, v in out.items()}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
