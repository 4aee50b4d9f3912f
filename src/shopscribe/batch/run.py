"""`shopscribe batch`: a catalog through the copy pipeline on Ray Data, exactly once.

The driver reads and validates the catalog, assigns each product to a shard by its id, skips the shards the
manifest records as committed, and streams the rest through ``map_batches`` over an autoscaling actor pool
(each actor a ``ShardWriter``). Each finished shard is committed as it arrives (``manifest.Manifest``). Ray
retries the shard of an actor that died; the manifest covers a driver that died: rerun the same command."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopscribe.batch.actor import ShardWriter
from shopscribe.batch.cluster import connect, require_ray
from shopscribe.batch.config import BatchConfig
from shopscribe.batch.manifest import Manifest
from shopscribe.batch.progress import JobProgress, serve_metrics
from shopscribe.batch.shards import assign, ids_digest, read_catalog, shard_count
from shopscribe.engine.select import choose_engine
from shopscribe.errors import ConfigError, GenerationError
from shopscribe.generation.pipeline import CopyModel
from shopscribe.generation.settings import generation_settings
from shopscribe.models.sources import model_fingerprint

@dataclass
class BatchResult:
    out: Path
    products: int
    shards: int
    shards_skipped: int
    shards_written: int
    rows_written: int
    flagged: int
    rejected: int
    seconds: float
    complete: bool

    @property
    def manifest(self) -> Path:
        return self.out / "manifest.json"


def run_batch(cfg: BatchConfig, log: Callable[[str], None] = print,
              on_progress: Callable[[JobProgress], None] | None = None) -> BatchResult:
    started = time.monotonic()
    ray = require_ray()
    if cfg.output_vocab == "catalog":
        raise ConfigError("output_vocab=catalog is not available in batch (the output layer would be cut to one "
                          "shard's products); use `shopscribe generate` for it")
    task = CopyModel.describe(cfg.model).task(cfg)
    cfg.out.mkdir(parents=True, exist_ok=True)
    catalog = read_catalog(cfg.products, cfg.out / "rejects", on_error=cfg.on_error,
                           required_fields=task.required_fields, limit=cfg.limit)
    engine_name = choose_engine(cfg.model, cfg.engine, cfg.decoding.strategy)
    settings = {**generation_settings(cfg.model, model_fingerprint(cfg.model), cfg.copy_options(), task,
                                      cfg.output_vocab), "engine": engine_name}
    manifest = Manifest.open(cfg.out, settings, shards=shard_count(len(catalog.records), cfg.shard_size),
                             shard_size=cfg.shard_size)
    by_shard = assign(catalog.records, manifest.shards)
    digests = {shard: ids_digest(records) for shard, records in by_shard.items()}
    _check_no_stale_shards(manifest, by_shard)
    pending = [shard for shard in by_shard if not manifest.is_committed(shard, digests[shard])]
    manifest.data.update(products=len(catalog.records), rejected=catalog.rejected, complete=False)
    manifest.save()
    progress = JobProgress(len(catalog.records), manifest.rows(), manifest.flagged(), on_change=on_progress)
    if cfg.metrics_port:
        serve_metrics(progress, cfg.metrics_port)
    log(f"{len(catalog.records)} products in {len(by_shard)} shards: {len(by_shard) - len(pending)} committed "
        f"already, {len(pending)} to write"
        + (f"; {catalog.rejected} bad rows skipped into {cfg.out / 'rejects'}" if catalog.rejected else ""))
    written = rows = 0
    if pending:
        started_ray = connect(cfg.ray_address, log)
        try:
            for shard, ids, shard_rows, made in _stream(ray, cfg, by_shard, digests, pending, log):
                _check_rows(shard, by_shard[shard], shard_rows)
                if manifest.commit(shard, ids, shard_rows, made):
                    written += 1
                    rows += len(shard_rows)
                    progress.add(len(shard_rows), manifest.committed[f"{shard:05d}"]["flagged"])
        finally:
            if started_ray:
                ray.shutdown()
    manifest.data["complete"] = len(manifest.committed) == len(by_shard)
    manifest.save()
    return BatchResult(cfg.out, len(catalog.records), len(by_shard), len(by_shard) - len(pending), written, rows,
                       manifest.flagged(), catalog.rejected, round(time.monotonic() - started, 1),
                       manifest.data["complete"])


def _stream(ray, cfg: BatchConfig, by_shard, digests, pending, log):
    """(shard, ids digest, rows, how it was made) for every pending shard, as the actor pool finishes them."""
    from ray.data import ActorPoolStrategy, DataContext

    DataContext.get_current().enable_progress_bars = False
    cpus = int(ray.cluster_resources().get("CPU", os.cpu_count() or 1))
    # one single-threaded actor per core by default: on 2 cores 2 actors × 1 thread wrote 268 products/min
    # while generating against 200 for 1 actor × 2 threads (benchmarks/scale.py), at about 1.8 GiB per actor
    threads = cfg.actor_threads or (max(1, cpus // cfg.actors_max) if cfg.actors_max else 1)
    fit_now = max(1, cpus // threads)
    most = cfg.actors_max or fit_now
    least = min(cfg.actors_min or fit_now, most)  # start with every actor the cluster has room for now
    actor_cfg = cfg.model_copy(update={"num_threads": threads})
    log(f"actor pool: {least} to {most} actors, {threads} thread(s) each")
    items = [{"shard": shard, "ids": digests[shard],
              "records": json.dumps([r.model_dump(mode="json") for r in by_shard[shard]], ensure_ascii=False)}
             for shard in pending]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        ShardWriter, fn_constructor_args=(actor_cfg.model_dump_json(),), batch_size=1,
        compute=ActorPoolStrategy(min_size=least, max_size=most, max_tasks_in_flight_per_actor=1),
        num_cpus=threads, max_task_retries=cfg.max_retries)
    # each output block as soon as its shard is done (iter_rows' prefetching would hold finished shards back)
    for batch in dataset.iter_batches(batch_size=None, prefetch_batches=0, batch_format="numpy"):
        for shard, ids, rows, seconds, worker in zip(batch["shard"], batch["ids"], batch["rows"], batch["seconds"],
                                                     batch["worker"]):
            yield int(shard), str(ids), json.loads(rows), {"seconds": round(float(seconds), 2), "worker": str(worker)}


def _check_no_stale_shards(manifest: Manifest, by_shard: dict) -> None:
    stale = sorted(set(manifest.committed) - {f"{s:05d}" for s in by_shard})
    if stale:
        raise GenerationError(f"{manifest.out} holds committed shards ({', '.join(stale[:5])}) with no products "
                              "in this catalog (the catalog changed since); use another --out for it")


def _check_rows(shard: int, records, rows: list[dict]) -> None:
    expected, got = [r.id for r in records], [r["id"] for r in rows]
    if sorted(expected) != sorted(got):
        raise GenerationError(f"shard {shard}: the actor returned {len(got)} rows for {len(expected)} products "
                              "(ids differ); nothing of it was committed")
