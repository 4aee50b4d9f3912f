"""The work of one shard: Ray Data gives each actor of the pool one ``ShardWriter``, which loads the engine
and the model once and then writes whole shards through the copy pipeline (prompt → engine → length and
must-keep → guard → row), the same one `shopscribe generate` runs."""

from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import time
from dataclasses import asdict

import numpy as np

from shopscribe.batch.config import BatchConfig
from shopscribe.catalog.record import ProductRecord
from shopscribe.engine.select import choose_engine
from shopscribe.generation.generate import build_generator, resolve_task_args
from shopscribe.tasks.task import load_task

log = logging.getLogger("shopscribe.batch")


class ShardWriter:
    def __init__(self, config_json: str, families: bytes):
        cfg = BatchConfig.model_validate_json(config_json)
        task_args = resolve_task_args(cfg)
        self.task = load_task(task_args.name, task_args.template_dir)
        self.model = cfg.model
        engine_name = choose_engine(cfg.model, cfg.engine, cfg.decoding.strategy)
        self.generator = build_generator(cfg, task_args, self.task, [], engine_name,
                                         families=pickle.loads(families), log=log.info)
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A batch of shards (each row: shard number, ids digest, products as JSON) → the same rows with
        the shard's output rows as JSON."""
        outputs, seconds = [], []
        for body in batch["records"]:
            started = time.perf_counter()
            records = [ProductRecord.model_validate(r) for r in json.loads(body)]
            rows = [{"task": self.task.name, "model": self.model, **asdict(g)}
                    for g in self.generator.generate(records)]
            outputs.append(json.dumps(rows, ensure_ascii=False))
            seconds.append(time.perf_counter() - started)
        return {"shard": batch["shard"], "ids": batch["ids"], "rows": np.array(outputs, dtype=object),
                "seconds": np.array(seconds), "worker": np.array([self.worker] * len(outputs), dtype=object)}
