"""`shopscribe batch` on a tiny model and a local Ray: every product written exactly once, across reruns, a
killed actor and a killed driver; settings that differ refused; bad rows and a missing Ray named."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shopscribe.batch import BatchConfig, run_batch
from shopscribe.batch.manifest import read_commits, verify
from shopscribe.errors import CatalogError, GenerationError, ShopScribeError
from tests.conftest import SAMPLE

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def catalog(folder: Path, n: int) -> Path:
    """``n`` products from the sample catalog with their own ids, over a JSONL and a CSV file."""
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    products = [{**rows[i % len(rows)], "id": f"p{i:03d}"} for i in range(n)]
    folder.mkdir(parents=True, exist_ok=True)
    half = n // 2
    (folder / "a.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in products[:half]),
                                    encoding="utf-8")
    with (folder / "b.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "locale", "title", "brand"])
        writer.writeheader()
        for p in products[half:]:
            writer.writerow({"id": p["id"], "locale": p["locale"], "title": p.get("title") or p.get("category"),
                             "brand": p.get("brand", "")})
    return folder


def config(model: Path, products: Path, out: Path, *more: tuple[str, object]) -> BatchConfig:
    settings = {"engine": "transformers", "task": {"name": "title"}, "shard_size": 4, **dict(more)}
    return BatchConfig(model=str(model), products=products, out=out, **settings)


def test_every_product_once_and_a_rerun_skips_committed_shards(tiny_model_dir, tmp_path, local_ray):
    products = catalog(tmp_path / "catalog", 18)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (products / "a.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "bad", "locale": "xx", "title": "Shirt"}) + "\n")
    out = tmp_path / "out"
    first = run_batch(config(tiny_model_dir, products, out), log=lambda _: None)
    assert first.complete and first.products == 18 and first.rejected == 1
    assert first.shards_written == first.shards == 5 and first.rows_written == 18
    checked = verify(out)
    assert checked["products"] == 18 and checked["duplicated"] == 0 and checked["damaged_shards"] == 0
    assert checked["ids"] == {f"p{i:03d}" for i in range(18)}
    rejects = [json.loads(line) for line in (out / "rejects" / "a.jsonl.rejects.jsonl").read_text().splitlines()]
    assert rejects[0]["id"] == "bad" and rejects[0]["problems"][0]["field"] == "locale"
    table = pa.concat_tables(pq.read_table(p) for p in sorted((out / "shards").glob("*.parquet")))
    assert table.num_rows == 18 and set(table.column("guard_status").to_pylist()) <= {"pass", "flagged"}
    again = run_batch(config(tiny_model_dir, products, out, ("metrics_port", port)), log=lambda _: None)
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    assert "shopscribe_batch_products_total 18.0" in metrics and "shopscribe_batch_products_done 18.0" in metrics
    assert f"shopscribe_batch_products_flagged {float(first.flagged)}" in metrics
    assert again.shards_written == 0 and again.shards_skipped == 5 and again.complete
    with pytest.raises(GenerationError, match="other settings .*task"):
        run_batch(config(tiny_model_dir, products, out, ("task", {"name": "title", "max_chars": 30})),
                  log=lambda _: None)


def test_an_id_in_two_files_and_a_missing_ray_are_named(tiny_model_dir, tmp_path, monkeypatch):
    products = catalog(tmp_path / "catalog", 6)
    (products / "c.jsonl").write_text(json.dumps({"id": "p000", "locale": "en", "title": "Cap"}) + "\n")
    with pytest.raises(CatalogError, match="p000.*also in .*a.jsonl"):
        run_batch(config(tiny_model_dir, products, tmp_path / "out"), log=lambda _: None)
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ShopScribeError, match=r"pip install 'shopscribe\[ray\]'"):
        run_batch(config(tiny_model_dir, products, tmp_path / "out2"), log=lambda _: None)


def committed(out: Path) -> int:
    return len(read_commits(out / "commits.jsonl")) if (out / "commits.jsonl").is_file() else 0


def test_a_killed_actor_loses_and_duplicates_nothing(tiny_model_dir, tmp_path, local_ray):
    import psutil

    products, out = catalog(tmp_path / "catalog", 40), tmp_path / "out"
    killed: list[int] = []

    def kill_an_actor_midway() -> None:
        deadline = time.time() + 120
        while committed(out) < 2 and time.time() < deadline:
            time.sleep(0.05)
        for proc in psutil.process_iter(["pid", "cmdline"]):  # Ray titles it ray::MapWorker(...ShardWriter)
            if "ShardWriter" in " ".join(proc.info["cmdline"] or []):
                proc.kill()
                killed.append(proc.info["pid"])
                return

    killer = threading.Thread(target=kill_an_actor_midway)
    killer.start()
    result = run_batch(config(tiny_model_dir, products, out, ("shard_size", 2)), log=lambda _: None)
    killer.join()
    assert killed, "no actor was found to kill"
    assert result.complete and result.shards_written == result.shards and result.shards > 2 + 1
    checked = verify(out)
    assert checked["ids"] == {f"p{i:03d}" for i in range(40)} and checked["duplicated"] == 0


def test_a_killed_driver_is_resumed_by_the_same_command(tiny_model_dir, tmp_path, local_ray):
    products, out = catalog(tmp_path / "catalog", 40), tmp_path / "out"
    command = [sys.executable, "-m", "shopscribe.cli.app", "batch", str(tiny_model_dir), "--products", str(products),
               "--out", str(out), "--task", "title", "engine=transformers", "shard_size=2"]
    driver = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RAY_ADDRESS": ""})
    deadline = time.time() + 180
    while committed(out) < 3 and driver.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and the local Ray it started
    driver.wait()
    before = committed(out)
    shards = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["shards"]  # 20; some may be empty
    assert 3 <= before < shards - 3, f"the driver was not killed half-way ({before} of {shards} shards committed)"
    result = run_batch(BatchConfig(model=str(tiny_model_dir), products=products, out=out, engine="transformers",
                                   task={"name": "title"}, shard_size=2), log=lambda _: None)
    assert result.complete and result.shards_skipped == before and result.shards_written == result.shards - before
    checked = verify(out)
    assert checked["ids"] == {f"p{i:03d}" for i in range(40)} and checked["duplicated"] == 0
    assert checked["damaged_shards"] == 0


def test_a_commit_line_cut_short_is_redone(tmp_path):
    """A driver killed while appending a commit line: the line is cut off and its shard counts as not done."""
    from shopscribe.batch.manifest import Manifest

    out = tmp_path / "out"
    out.mkdir()
    manifest = Manifest.open(out, {"model": "m"}, shards=3, shard_size=2)
    row = {"id": "a", "locale": "en", "text": "Blue cap", "length_chars": 8, "length_status": "ok", "attempts": 1,
           "guard": {"status": "pass"}, "task": "title", "model": "m"}
    assert manifest.commit(0, "digest-0", [row]) and not manifest.commit(0, "digest-0", [row])
    with (out / "commits.jsonl").open("ab") as fh:
        fh.write(b'{"shard": "00001", "rows": 1, "ids": "dig')
    again = Manifest.open(out, {"model": "m"}, shards=3, shard_size=2)
    assert set(again.committed) == {"00000"} and not again.is_committed(1, "digest-1")
    assert (out / "commits.jsonl").read_bytes().endswith(b"}\n")
    with pytest.raises(GenerationError, match="other settings"):
        Manifest.open(out, {"model": "other"}, shards=3, shard_size=2)
    assert verify(out)["products"] == 1
