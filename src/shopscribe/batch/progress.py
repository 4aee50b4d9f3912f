"""Progress of a long batch job: products done, rate, estimate and flagged count, for the terminal (a
callback) and for Prometheus (``/metrics`` on ``metrics_port``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class JobProgress:
    total: int
    done: int = 0  # committed, this run and earlier ones
    flagged: int = 0
    started: float = field(default_factory=time.monotonic)
    done_this_run: int = 0
    on_change: Callable[[JobProgress], None] | None = None

    def add(self, rows: int, flagged: int) -> None:
        self.done += rows
        self.flagged += flagged
        self.done_this_run += rows
        if self.on_change:
            self.on_change(self)

    @property
    def rate_per_min(self) -> float:
        minutes = (time.monotonic() - self.started) / 60
        return self.done_this_run / minutes if minutes > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        rate = self.rate_per_min
        return (self.total - self.done) / rate * 60 if rate else None

    def describe(self) -> str:
        eta = f", about {self.eta_s / 60:.1f} min left" if self.eta_s is not None and self.done < self.total else ""
        return (f"{self.done}/{self.total} products, {self.rate_per_min:.1f}/min{eta}, "
                f"{self.flagged} flagged")


def serve_metrics(progress: JobProgress, port: int) -> None:
    """Serve the job's progress as Prometheus gauges on ``port`` (a daemon thread; ends with the process)."""
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    registry = CollectorRegistry()
    gauges = {
        "products_total": ("Products in the job (valid rows)", lambda: progress.total),
        "products_done": ("Products committed to output shards", lambda: progress.done),
        "products_flagged": ("Committed products the guard flagged", lambda: progress.flagged),
        "rate_per_minute": ("Products per minute in this run", lambda: progress.rate_per_min),
        "eta_seconds": ("Estimated seconds left (-1 = unknown)",
                        lambda: progress.eta_s if progress.eta_s is not None else -1),
    }
    for name, (doc, read) in gauges.items():
        Gauge(f"shopscribe_batch_{name}", doc, registry=registry).set_function(read)
    start_http_server(port, registry=registry)
