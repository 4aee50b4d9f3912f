"""The work of one shard: Ray Data gives each actor of the pool one ``ShardWriter``, which loads the model
once (``generation.pipeline.CopyModel``) and then writes whole shards through the copy pipeline, the same
one `shopscribe generate`, the service and its jobs run."""

from __future__ import annotations

import json
import logging
import os
import socket
import time

import numpy as np

from shopscribe.batch.config import BatchConfig
from shopscribe.catalog.record import ProductRecord
from shopscribe.generation.pipeline import CopyModel

log = logging.getLogger("shopscribe.batch")


class ShardWriter:
    def __init__(self, config_json: str):
        cfg = BatchConfig.model_validate_json(config_json)
        self.model = CopyModel.load(cfg.model, cfg.engine_args(), strategy=cfg.decoding.strategy, log=log.info)
        self.pipeline = self.model.pipeline(cfg.copy_options())
        self.worker = f"{socket.gethostname()}:{os.getpid()}"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A batch of shards (each row: shard number, ids digest, products as JSON) → the same rows with
        the shard's output rows as JSON."""
        outputs, seconds = [], []
        for body in batch["records"]:
            started = time.perf_counter()
            records = [ProductRecord.model_validate(r) for r in json.loads(body)]
            rows = [g.as_row(self.pipeline.task.name, self.model.spec) for g in self.pipeline.generate(records)]
            outputs.append(json.dumps(rows, ensure_ascii=False))
            seconds.append(time.perf_counter() - started)
        return {"shard": batch["shard"], "ids": batch["ids"], "rows": np.array(outputs, dtype=object),
                "seconds": np.array(seconds), "worker": np.array([self.worker] * len(outputs), dtype=object)}
