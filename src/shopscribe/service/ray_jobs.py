"""Catalog jobs on Ray (``jobs_backend=ray``): the worker claims products from the database as it does
locally, hands each claimed batch to an actor of a Ray pool (each actor a ``ModelHost``: engine and model
loaded once) and commits the rows it gets back with the same conditional update. Ray retries the batch of an
actor that died; the lease frees the claims of a worker that died, so each product is written once."""

from __future__ import annotations

import json
import logging
import threading
import time

from shopscribe.batch.cluster import connect, require_ray
from shopscribe.catalog.record import ProductRecord
from shopscribe.generation.pipeline import options_from_json
from shopscribe.service.hosting import ModelHost, served_spec
from shopscribe.service.settings import ServiceSettings
from shopscribe.storage import open_database
from shopscribe.storage.jobs import (ModelUnavailable, claim, complete, fail_job, job_failure, release_dead_claims,
                                     worker_id)

log = logging.getLogger("shopscribe.worker")


class CopyActor:
    """One model's copy pipeline inside a Ray actor."""

    def __init__(self, settings_json: str, model_id: str, spec: str, version: int | None):
        settings = ServiceSettings(**json.loads(settings_json))
        self.host = ModelHost(model_id, spec, settings, registry_version=version)

    def write(self, options: dict, records: list[dict]) -> list[dict]:
        copy_options = options_from_json(options)
        pipeline = self.host.generator(copy_options)
        rows = pipeline.generate([ProductRecord.model_validate(r) for r in records])
        return [row.as_row(pipeline.task.name, self.host.version) for row in rows]


def run_ray_worker(settings, stop: threading.Event | None = None) -> None:
    """Keep every actor busy with one claimed batch; commit each batch as its actor returns it."""
    stop = stop or threading.Event()
    ray = require_ray()
    started = connect(settings.ray_address, log.info)
    db = open_database(settings.database_url)
    owner = worker_id()
    threads = settings.ray_actor_threads or settings.num_threads or 2
    actor_settings = settings.model_copy(update={"num_threads": threads}).model_dump_json()
    remote = ray.remote(num_cpus=threads, max_restarts=-1, max_task_retries=3)(CopyActor)
    pools: dict[str, list] = {}
    busy: dict = {}  # object ref -> (actor, job, items)
    freed = release_dead_claims(db)
    log.info(f"worker {owner} started on Ray ({settings.ray_actors} actor(s) per model, {threads} thread(s) each)"
             + (f"; freed {freed} products claimed by dead workers" if freed else ""))
    try:
        while not stop.is_set():
            _fill(ray, db, settings, owner, remote, actor_settings, pools, busy)
            if not busy:
                release_dead_claims(db)
                stop.wait(settings.job_poll_s)
                continue
            ready, _ = ray.wait(list(busy), num_returns=1, timeout=settings.job_poll_s)
            for ref in ready:
                _finish(ray, db, owner, ref, busy.pop(ref))
    finally:
        if started:
            ray.shutdown()


def _fill(ray, db, settings, owner, remote, actor_settings, pools, busy) -> None:
    """Claim batches while an actor is idle (a model's pool is made on its first job); each batch goes to the
    least busy actor of its model (Ray queues a second one behind the first)."""
    while not pools or any(_load(busy, key) == 0 for key in _actors(pools)):
        got = claim(db, owner, settings.job_batch, settings.job_lease_s)
        if got is None:
            return
        job, items = got
        if job.model not in settings.models:
            fail_job(db, job.id, *job_failure(ModelUnavailable(job.model), job.model))
            continue
        spec, version = served_spec(settings, db, job.model)  # the registry's promoted version, if any
        served = f"{job.model}@{version}"  # a promotion makes a new pool; the old one finishes its batches
        pool = pools.setdefault(served, [remote.remote(actor_settings, job.model, spec, version)
                                         for _ in range(settings.ray_actors)])
        _retire(ray, pools, busy, job.model, served)
        index = min(range(len(pool)), key=lambda i: _load(busy, (served, i)))
        busy[pool[index].write.remote(job.options, [i.record for i in items])] = ((served, index), job, items)


def _retire(ray, pools, busy, model: str, served: str) -> None:
    """Stop the actors of a model's earlier versions once they have no batch left."""
    for old in [k for k in pools if k.rpartition("@")[0] == model and k != served]:
        if not any(key[0] == old for key, _, _ in busy.values()):
            for actor in pools.pop(old):
                ray.kill(actor)


def _actors(pools) -> list[tuple[str, int]]:
    return [(model, i) for model, pool in pools.items() for i in range(len(pool))]


def _load(busy, key) -> int:
    return sum(1 for k, _, _ in busy.values() if k == key)


def _finish(ray, db, owner, ref, work) -> None:
    _, job, items = work
    started = time.monotonic()
    try:
        rows = ray.get(ref)
    except Exception as exc:  # the pipeline raised, or the actor died more often than Ray retries
        log.exception(f"job {job.id} failed on Ray")
        fail_job(db, job.id, *job_failure(exc, job.model))
        return
    complete(db, job.id, owner, [(item.id, row) for item, row in zip(items, rows)])
    log.info(f"job {job.id}: {len(rows)} products committed ({time.monotonic() - started:.2f} s to commit)")
