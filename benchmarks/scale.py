"""Catalogs beyond one machine: `shopscribe batch` on Ray against `shopscribe generate`, faults, and the plan.

    python benchmarks/scale.py --part speed      # 256 held-out products: generate vs batch (1 and 2 actors)
    python benchmarks/scale.py --part faults     # 1,000 products: kill an actor, then the driver; rerun
    python benchmarks/scale.py --part overhead   # 20,000 synthetic products through a tiny model: Ray's cost
    python benchmarks/scale.py --part plan       # machines and hours for 1M and 10M products, from the above
    python benchmarks/scale.py --table           # print the tables from results/scale.json

Needs the describe-en core-loop run (python benchmarks/core_loop.py --only describe-en) under
SHOPSCRIBE_BENCH_WORK: its held-out products (never trained on, nor used for early stopping) are the
catalog. Every system runs as the real command in its own process group; peak memory is the largest sum
of the resident memory of that process and all its children (Ray's raylet and actors included), sampled
every 0.2 s. Guard on, greedy, 2 threads in all (1 actor × 2 threads, or 2 actors × 1 thread).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_loop import DATA, RESULTS, WORK  # noqa: E402

from shopscribe.batch.manifest import read_commits  # noqa: E402

SET = "describe-en"
SPEED_PRODUCTS = 256
FAULT_PRODUCTS = 1000
SYNTHETIC_PRODUCTS = 20_000
CORES = 2
RUN = WORK / SET / "run"
BENCH = WORK / "scale"


def held_out(n: int) -> Path:
    """The first ``n`` products the describe-en run never saw: its test split, then catalog products that are
    in none of its splits (the split keeps 600 training examples of several thousand)."""
    from shopscribe.catalog import load_catalog

    seen = {r.id for f in ("train", "dev") for r in load_catalog(RUN / "data" / f"{f}.jsonl").records}
    test = load_catalog(RUN / "data" / "test.jsonl").records
    rest = [r for r in load_catalog(DATA / "describe" / "en-myntra.dev.jsonl").records
            if r.id not in seen and r.id not in {t.id for t in test}]
    records = (test + rest)[:n]
    if len(records) < n:
        raise SystemExit(f"only {len(records)} held-out products, {n} needed")
    path = BENCH / f"held_out_{n}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in records), encoding="utf-8")
    return path


class TreeMemory:
    """Peak of the summed RSS of a process and its descendants."""

    def __init__(self, pid: int):
        import psutil

        self.root, self.peak, self._stop = psutil.Process(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                continue
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak / 2**30, 2)


def run_command(command: list[str], *, until=None) -> dict:
    """Run a command in its own process group; ``until(proc)`` may kill it. Wall time and peak memory."""
    started = time.time()
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "RAY_ADDRESS": ""})
    memory = TreeMemory(proc.pid)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    if until:
        until(proc)
    proc.wait()
    reader.join(timeout=5)
    return {"seconds": round(time.time() - started, 1), "peak_rss_gib": memory.stop(), "returncode": proc.returncode,
            "output_tail": "".join(output)[-1500:]}


def generate_command(products: Path, out: Path, *more: str) -> list[str]:
    return ["shopscribe", "generate", str(RUN), "--products", str(products), "--out", str(out),
            f"num_threads={CORES}", *more]


def batch_command(products: Path, out: Path, actors: int, *more: str) -> list[str]:
    return ["shopscribe", "batch", str(RUN), "--products", str(products), "--out", str(out),
            f"actors_min={actors}", f"actors_max={actors}", f"actor_threads={CORES // actors}", *more]


def fresh(path: Path) -> Path:
    import shutil

    if path.is_dir():
        shutil.rmtree(path)
    for stale in path.parent.glob(path.name + ".*"):  # generate's settings file beside its output
        if stale.is_file():
            stale.unlink()
    path.unlink(missing_ok=True)
    return path


def part_speed() -> dict:
    products = held_out(SPEED_PRODUCTS)
    systems = {
        "generate": generate_command(products, fresh(BENCH / "speed" / "generate.jsonl")),
        "batch_1_actor": batch_command(products, fresh(BENCH / "speed" / "batch1"), 1),
        "batch_2_actors": batch_command(products, fresh(BENCH / "speed" / "batch2"), 2),
    }
    results = {}
    for name, command in systems.items():
        print(f"speed: {name}: {' '.join(command)}", flush=True)
        result = run_command(command)
        if result["returncode"] != 0:
            raise SystemExit(f"{name} failed:\n{result['output_tail']}")
        result["products_per_min"] = round(SPEED_PRODUCTS / result["seconds"] * 60, 1)
        if name.startswith("batch"):
            result.update(shard_timing(Path(command[command.index("--out") + 1]), int(name.split("_")[1])))
        results[name] = result
        print(f"  {result['seconds']} s, {result['products_per_min']} products/min, "
              f"peak {result['peak_rss_gib']} GiB", flush=True)
    base = results["generate"]["products_per_min"]
    for name in ("batch_1_actor", "batch_2_actors"):
        results[name]["vs_generate"] = round(results[name]["products_per_min"] / base, 3)
        actors = int(name.split("_")[1])
        results[name]["fixed_s"] = round(results[name]["seconds"] - results[name]["shard_seconds_sum"] / actors, 1)
    results["generate"]["generating_only"] = generating_rate(products)
    return {"products": SPEED_PRODUCTS, "set": SET, "threads": CORES, "systems": results}


def shard_timing(out: Path, actors: int) -> dict:
    """From the manifest: the actors' own seconds per shard, the machine's rate while generating (the shards'
    seconds shared by its actors) and the job's fixed cost (wall time minus that)."""
    commits = read_commits(out / "commits.jsonl").values()
    compute = sum(e["seconds"] for e in commits)
    products = sum(e["rows"] for e in commits)
    return {"shard_seconds_sum": round(compute, 1), "generating_products_per_min": round(products / (compute / actors)
                                                                                         * 60, 1)}


def generating_rate(products: Path) -> dict:
    """`generate` without its start-up: the engine loaded first, then the 256 products timed alone."""
    from shopscribe.generation import GenerateConfig, generate

    out = fresh(BENCH / "speed" / "generate_inproc.jsonl")
    cfg = GenerateConfig(model=str(RUN), products=products, out=out, num_threads=CORES)
    from shopscribe.engine import load_engine

    started = time.time()
    engine = load_engine(str(RUN), "llama.cpp", num_threads=CORES, slots=cfg.parallel, log=lambda _: None)
    startup = time.time() - started
    started = time.time()
    generate(cfg, log=lambda _: None, engine=engine)
    seconds = time.time() - started
    engine.close()
    return {"startup_s": round(startup, 1), "seconds": round(seconds, 1),
            "products_per_min": round(SPEED_PRODUCTS / seconds * 60, 1)}


def committed(out: Path) -> int:
    """Shards committed so far (lines of the commit log; a line being written is not counted)."""
    try:
        return (out / "commits.jsonl").read_bytes().count(b"\n")
    except OSError:
        return 0


def actor_pids() -> list[int]:
    """Processes of the ShardWriter actors (Ray names them ray::MapWorker(MapBatches(ShardWriter)))."""
    import psutil

    pids = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        if "ShardWriter" in " ".join(p.info["cmdline"] or []):
            pids.append(p.info["pid"])
    return pids


def part_faults() -> dict:
    from shopscribe.batch.manifest import verify

    products = held_out(FAULT_PRODUCTS)
    out = fresh(BENCH / "faults" / "out")
    shard_size = 50
    shards = math.ceil(FAULT_PRODUCTS / shard_size)
    command = batch_command(products, out, 2, f"shard_size={shard_size}")
    events: dict = {}

    def kill_actor_then_driver(proc) -> None:
        while committed(out) < shards // 4 and proc.poll() is None:
            time.sleep(0.1)
        pids = actor_pids()
        events["actor_killed_at_shards"] = committed(out)
        events["actor_pid"] = pids[0] if pids else None
        if pids:
            os.kill(pids[0], signal.SIGKILL)
        while committed(out) < shards // 2 and proc.poll() is None:
            time.sleep(0.1)
        events["driver_killed_at_shards"] = committed(out)
        os.killpg(proc.pid, signal.SIGKILL)

    print(f"faults: {' '.join(command)}", flush=True)
    first = run_command(command, until=kill_actor_then_driver)
    lingered = time.time()  # Ray ends a dead driver's actors itself: how long they lived on
    while actor_pids() and time.time() - lingered < 120:
        time.sleep(0.2)
    events["actors_lived_on_after_driver_kill_s"] = round(time.time() - lingered, 1)
    events["actors_still_running_after_120_s"] = len(actor_pids())
    rerun = run_command(command)
    if rerun["returncode"] != 0:
        raise SystemExit(f"rerun failed:\n{rerun['output_tail']}")
    checked = verify(out)
    expected = {json.loads(line)["id"] for line in products.read_text(encoding="utf-8").splitlines()}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    result = {
        "products": FAULT_PRODUCTS, "shards": shards, "shard_size": shard_size, "actors": 2, **events,
        "first_run_s": first["seconds"], "rerun_s": rerun["seconds"],
        "shards_committed_before_rerun": events["driver_killed_at_shards"],
        "shards_written_by_rerun": shards - events["driver_killed_at_shards"],
        "lost": len(expected - checked["ids"]), "duplicated": checked["duplicated"],
        "unexpected": len(checked["ids"] - expected), "damaged_shards": checked["damaged_shards"],
        "complete": manifest["complete"]}
    print(json.dumps(result, indent=1), flush=True)
    return result


def part_overhead() -> dict:
    """Ray's scheduling cost per shard, on a tiny random model so that the model's own cost is small: the same
    20,000 products through `generate` and through `batch` with 40 and 400 shards (1 actor, 2 threads)."""
    model = tiny_model(BENCH / "tiny-model")
    products = synthetic_catalog(BENCH / f"synthetic_{SYNTHETIC_PRODUCTS}.jsonl")
    common = ["engine=transformers", "--task", "title", "guard=false", "decoding.max_new_tokens=2"]
    runs = {}
    for name, command in {
        "generate": ["shopscribe", "generate", str(model), "--products", str(products), "--out",
                     str(fresh(BENCH / "overhead" / "generate.jsonl")), "batch_size=64", *common],
        "batch_40_shards": ["shopscribe", "batch", str(model), "--products", str(products), "--out",
                            str(fresh(BENCH / "overhead" / "b40")), "shard_size=500", "actors_max=1", *common],
        "batch_400_shards": ["shopscribe", "batch", str(model), "--products", str(products), "--out",
                             str(fresh(BENCH / "overhead" / "b400")), "shard_size=50", "actors_max=1", *common],
    }.items():
        print(f"overhead: {name}", flush=True)
        runs[name] = run_command(command)
        if runs[name]["returncode"] != 0:
            raise SystemExit(f"{name} failed:\n{runs[name]['output_tail']}")
        print(f"  {runs[name]['seconds']} s", flush=True)
    # what is not the actors' own work (wall time minus the shards' seconds): Ray's start, the actor's start
    # and model load, and a cost per shard; the two shard counts separate the last from the rest
    for name, folder in (("batch_40_shards", "b40"), ("batch_400_shards", "b400")):
        commits = read_commits(BENCH / "overhead" / folder / "commits.jsonl").values()
        runs[name]["shard_seconds_sum"] = round(sum(e["seconds"] for e in commits), 1)
        runs[name]["not_shard_work_s"] = round(runs[name]["seconds"] - runs[name]["shard_seconds_sum"], 1)
    per_shard = (runs["batch_400_shards"]["not_shard_work_s"] - runs["batch_40_shards"]["not_shard_work_s"]) / 360
    fixed = runs["batch_40_shards"]["not_shard_work_s"] - 40 * per_shard
    return {"products": SYNTHETIC_PRODUCTS, "runs": runs, "per_shard_s": round(per_shard, 4),
            "fixed_s": round(fixed, 1)}


def tiny_model(folder: Path) -> Path:
    """A tiny random Llama with a character tokenizer (as the unit tests build): almost free per token."""
    if (folder / "config.json").is_file():
        return folder
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    sys.path.insert(0, str(HERE.parent))
    from tests.conftest import SAMPLE, build_char_tokenizer

    tokenizer = build_char_tokenizer(SAMPLE.read_text(encoding="utf-8").splitlines())
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                                         max_position_embeddings=1024, pad_token_id=tokenizer.pad_token_id,
                                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def synthetic_catalog(path: Path) -> Path:
    """20,000 products made from the sample catalog's rows with new ids."""
    sys.path.insert(0, str(HERE.parent))
    from tests.conftest import SAMPLE

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(SYNTHETIC_PRODUCTS):
            fh.write(json.dumps({**rows[i % len(rows)], "id": f"syn-{i:06d}"}, ensure_ascii=False) + "\n")
    return path


def part_plan(results: dict) -> dict:
    """Machines and hours for 1M and 10M products at 2, 8 and 32 cores per machine.

    Measured inputs: the 2-core machine's rate while generating (2 actors × 1 thread, the faster split here),
    the job's fixed cost (Ray, actors, model load) and Ray's cost per shard (the synthetic run). Assumed, not
    measurable on this 2-core machine: a machine with more cores runs proportionally more actors at the same
    rate per core (one actor per 2 cores; memory per actor as measured, so 16 actors need about 16 × the
    measured actor memory)."""
    speed, overhead = results["speed"]["systems"], results["overhead"]
    best = speed["batch_2_actors"]
    per_core = best["generating_products_per_min"] / CORES
    fixed_h = best["fixed_s"] / 3600
    shard_size = 128
    rows = []
    for products in (1_000_000, 10_000_000):
        for cores in (2, 8, 32):
            machine_rate = per_core * cores
            actors = cores // 2
            shard_cost_h = products / shard_size * overhead["per_shard_s"] / actors / 3600  # per machine-hour
            machine_hours = products / machine_rate / 60 + shard_cost_h
            rows.append({"products": products, "cores_per_machine": cores,
                         "products_per_min_per_machine": round(machine_rate, 1),
                         "machine_hours": round(machine_hours, 1),
                         "machines_for_24h": math.ceil(machine_hours / (24 - fixed_h)),
                         "hours_on_10_machines": round(machine_hours / 10 + fixed_h, 1)})
    return {"inputs": {"products_per_min_per_core": round(per_core, 1), "fixed_s": best["fixed_s"],
                       "per_shard_overhead_s": overhead["per_shard_s"], "shard_size": shard_size,
                       "peak_gib_2_actors": best["peak_rss_gib"]}, "rows": rows}


def table(results: dict) -> str:
    lines = []
    speed = results.get("speed")
    if speed:
        lines += [f"Speed: {speed['products']} held-out {speed['set']} products, {speed['threads']} cores, guard on",
                  "| system | wall s | products/min | peak RSS GiB (all processes) | vs generate |",
                  "|---|---|---|---|---|"]
        for name, r in speed["systems"].items():
            lines.append(f"| {name} | {r['seconds']} | {r['products_per_min']} | {r['peak_rss_gib']} | "
                         f"{r.get('vs_generate', 1.0)} |")
        g = speed["systems"]["generate"].get("generating_only")
        if g:
            lines.append(f"(generate without start-up: {g['products_per_min']} products/min; "
                         f"start-up {g['startup_s']} s)")
    faults = results.get("faults")
    if faults:
        lines += ["", "Faults: " + json.dumps({k: v for k, v in faults.items()}, ensure_ascii=False)]
    overhead = results.get("overhead")
    if overhead:
        lines += ["", f"Overhead: {overhead['products']} synthetic products, tiny model: "
                      + ", ".join(f"{k} {v['seconds']} s" for k, v in overhead["runs"].items())
                  + f"; per shard {overhead['per_shard_s']} s, fixed {overhead['fixed_s']} s"]
    plan = results.get("plan")
    if plan:
        lines += ["", "Plan: " + json.dumps(plan["inputs"]),
                  "| products | cores/machine | products/min/machine | machine-hours | machines for 24 h "
                  "| hours on 10 machines |", "|---|---|---|---|---|---|"]
        for r in plan["rows"]:
            lines.append(f"| {r['products']:,} | {r['cores_per_machine']} | "
                         f"{r['products_per_min_per_machine']} | {r['machine_hours']:,} | {r['machines_for_24h']} | "
                         f"{r['hours_on_10_machines']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=["speed", "faults", "overhead", "plan"], action="append")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args()
    path = RESULTS / "scale.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if not args.table:
        for part in args.part or ["speed", "faults", "overhead", "plan"]:
            results[part] = part_plan(results) if part == "plan" else globals()[f"part_{part}"]()
            results[part]["measured_at"] = time.strftime("%Y-%m-%d %H:%M")
            path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(results))


if __name__ == "__main__":
    main()
