"""BatchConfig: one pydantic model for `shopscribe batch`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from shopscribe.generation.config import CopyArgs


class BatchConfig(CopyArgs):
    """`shopscribe batch MODEL --products PATH --out DIR [--ray-address ADDR] [key=value ...]`"""

    products: Path = Field(description="Catalog file, or a folder of catalog shards (.jsonl, .csv, .parquet).")
    out: Path = Field(description="Output folder: shards/part-NNNNN.{jsonl,parquet}, manifest.json, rejects.")
    on_error: Literal["fail", "skip"] = Field("skip", description="Bad catalog rows: skip into out/rejects.jsonl "
                                                                 "(default), or fail before any work.")
    shard_size: int = Field(128, gt=0, description="Products per output shard (a shard is the unit of work, retry "
                                                   "and commit). Fixed by the first run: a rerun keeps its sharding.")
    ray_address: str | None = Field(None, description="Ray cluster to join (default: RAY_ADDRESS, else a local Ray "
                                                      "started on this machine).")
    actors_min: int | None = Field(None, gt=0, description="Actors to start with and keep (each loads the engine and "
                                                          "the model once; default: as many as the cluster's CPUs "
                                                          "hold now).")
    actors_max: int | None = Field(None, gt=0, description="Most actors (default: the cluster's CPUs / "
                                                           "actor_threads); the pool grows as machines join.")
    actor_threads: int | None = Field(None, gt=0, description="Threads (and Ray CPUs) per actor (default: the "
                                                              "cluster's CPUs / actors_max, else 1: one actor per "
                                                              "core, about 1.8 GiB each).")
    max_retries: int = Field(3, ge=0, description="Retries of a shard whose actor died.")
    metrics_port: int | None = Field(None, gt=0, lt=65536, description="Serve progress as Prometheus metrics on "
                                                                        "this port (/metrics) while the job runs.")

    @model_validator(mode="after")
    def _pool(self) -> BatchConfig:
        if self.actors_max is not None and self.actors_min is not None and self.actors_max < self.actors_min:
            raise ValueError(f"actors_max ({self.actors_max}) is below actors_min ({self.actors_min})")
        if self.num_threads is not None and self.actor_threads is None:
            self.actor_threads = self.num_threads
        return self
