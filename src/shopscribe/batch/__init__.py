"""Catalog batch jobs on Ray Data: shards committed exactly once (`shopscribe batch`)."""

from shopscribe.batch.config import BatchConfig
from shopscribe.batch.run import BatchResult, run_batch

__all__ = ["BatchConfig", "BatchResult", "run_batch"]
