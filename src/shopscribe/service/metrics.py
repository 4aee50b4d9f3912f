"""Prometheus metrics, on a registry of the app's own (several apps in one process never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("shopscribe_requests", "HTTP requests", ["route", "method", "status"], registry=r)
        self.latency = Histogram("shopscribe_request_seconds", "HTTP request latency", ["route"], registry=r,
                                 buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64))
        self.queue_depth = Gauge("shopscribe_queue_products", "Products waiting for the engine", ["model"],
                                 registry=r)
        self.batch_size = Histogram("shopscribe_batch_products", "Products per engine call", ["model", "kind"],
                                    registry=r, buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256))
        self.tokens = Counter("shopscribe_generated_tokens", "Tokens generated", ["model"], registry=r)
        self.tokens_per_s = Gauge("shopscribe_generated_tokens_per_second", "Tokens per second of the last engine "
                                  "call", ["model"], registry=r)
        self.guard = Counter("shopscribe_guard_outputs", "Copy by guard verdict", ["model", "status"], registry=r)
        # per job (labelled with job ids): shown only to a caller with the admin scope
        self.job_registry = j = CollectorRegistry()
        self.job_products = Gauge("shopscribe_job_products", "Products of active jobs by state", ["job", "state"],
                                  registry=j)
        self.job_rate = Gauge("shopscribe_job_products_per_minute", "Products per minute of active jobs", ["job"],
                              registry=j)
        self.job_eta = Gauge("shopscribe_job_eta_seconds", "Estimated seconds left of active jobs (-1 = unknown)",
                             ["job"], registry=j)
        self.jobs_active = Gauge("shopscribe_jobs_active", "Jobs queued or running", registry=r)
        self.rejected = Counter("shopscribe_rejected_requests", "Requests refused before the engine",
                                ["reason"], registry=r)
