"""`shopscribe batch` on a Ray cluster of two nodes (both on this machine, as ``ray.cluster_utils`` builds it
for tests): a node that leaves mid-job takes its actor with it; the job slows down, and its result stays
whole — every product exactly once."""

from __future__ import annotations

import threading
import time

import pytest

from shopscribe.batch import BatchConfig, run_batch
from shopscribe.batch.manifest import read_commits, verify
from tests.unit.test_batch import catalog, committed

ray = pytest.importorskip("ray")


def test_a_node_leaving_mid_job_changes_speed_not_result(tiny_model_dir, tmp_path):
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    second = cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False)
    products, out = catalog(tmp_path / "catalog", 40), tmp_path / "out"
    left: list[int] = []

    def remove_the_second_node() -> None:
        deadline = time.time() + 240
        while committed(out) < 4 and time.time() < deadline:
            time.sleep(0.05)
        left.append(committed(out))
        cluster.remove_node(second)

    leaver = threading.Thread(target=remove_the_second_node)
    try:
        assert ray.cluster_resources()["CPU"] == 2
        leaver.start()
        result = run_batch(BatchConfig(model=str(tiny_model_dir), products=products, out=out, engine="transformers",
                                       task={"name": "title"}, shard_size=2, actors_min=2, actors_max=2,
                                       actor_threads=1), log=lambda _: None)
        leaver.join()
    finally:
        ray.shutdown()
        cluster.shutdown()
    assert left and left[0] < result.shards - 2, "the node left too late to matter"
    assert result.complete
    checked = verify(out)
    assert checked["ids"] == {f"p{i:03d}" for i in range(40)} and checked["duplicated"] == 0
    workers = {e["worker"] for e in read_commits(out / "commits.jsonl").values()}
    assert len(workers) >= 2  # both nodes' actors wrote shards before one of them left
