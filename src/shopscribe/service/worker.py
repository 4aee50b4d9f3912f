"""The job worker: claims products of catalog jobs from the database, writes them through the copy pipeline
and commits each result once. ``shopscribe serve`` starts one (``job_workers``) and restarts it if it dies;
``shopscribe worker`` runs more, on this machine or others sharing the database.

    python -m shopscribe.service.worker SETTINGS.json
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

from shopscribe.catalog.record import ProductRecord
from shopscribe.generation.pipeline import options_from_json
from shopscribe.service.hosting import ModelHost, served_spec
from shopscribe.service.settings import ServiceSettings
from shopscribe.storage import open_database
from shopscribe.storage.jobs import ModelUnavailable, claim, complete, fail_job, job_failure, release_dead_claims, worker_id

log = logging.getLogger("shopscribe.worker")


def run_worker(settings: ServiceSettings, stop: threading.Event | None = None) -> None:
    if settings.jobs_backend == "ray":
        from shopscribe.service.ray_jobs import run_ray_worker

        return run_ray_worker(settings, stop)
    stop = stop or threading.Event()
    db = open_database(settings.database_url)
    owner = worker_id()
    hosts: dict[str, ModelHost] = {}
    freed = release_dead_claims(db)
    log.info(f"worker {owner} started" + (f"; freed {freed} products claimed by dead workers" if freed else ""))
    idle_since = time.monotonic()
    while not stop.is_set():
        got = claim(db, owner, settings.job_batch, settings.job_lease_s)
        if got is None:
            if time.monotonic() - idle_since > 10:
                release_dead_claims(db)
                idle_since = time.monotonic()
            stop.wait(settings.job_poll_s)
            continue
        job, items = got
        try:
            host = _current(hosts, settings, db, job.model)
            records = [ProductRecord.model_validate(i.record) for i in items]
            rows = host.generator(options_from_json(job.options)).generate(records)
        except Exception as exc:  # a model that cannot load or a pipeline error: the job says what, the log why
            log.exception(f"job {job.id} failed")
            fail_job(db, job.id, *job_failure(exc, job.model))
            continue
        results = [(item.id, row.as_row(job.task, host.version)) for item, row in zip(items, rows)]
        complete(db, job.id, owner, results)
    for host in hosts.values():
        host.close()


def _current(hosts: dict[str, ModelHost], settings: ServiceSettings, db, model_id: str) -> ModelHost:
    """The worker's host of ``model_id``, loaded again when the registry promoted another version."""
    if model_id not in settings.models:
        raise ModelUnavailable(f"model '{model_id}' is not among this worker's models {sorted(settings.models)}")
    spec, version = served_spec(settings, db, model_id)
    host = hosts.get(model_id)
    if host is None or host.registry_version != version:
        if host is not None:
            host.close()
        hosts[model_id] = host = ModelHost(model_id, spec, settings, registry_version=version)
    return host


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s worker %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = ServiceSettings(**json.loads(open(sys.argv[1], encoding="utf-8").read()))
    run_worker(settings)


if __name__ == "__main__":
    main()
