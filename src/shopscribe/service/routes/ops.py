"""Operations: /health (the process answers), /ready (models loaded, database reachable), /metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["operations"])


@router.get("/health", summary="The process is up")
async def health() -> dict:
    return {"status": "ok"}


@router.get("/ready", summary="Models loaded and the database reachable")
async def ready(request: Request):
    state = request.app.state
    db_ok = await asyncio.to_thread(state.db.ping)
    body = {"status": "ready" if db_ok else "not ready", "database": "ok" if db_ok else "unreachable",
            "models": {mid: h.engine.name for mid, h in state.hosts.hosts.items()}}
    return JSONResponse(body, status_code=200 if db_ok else 503)


@router.get("/metrics", summary="Prometheus metrics (per-job series only with an admin key)",
            response_class=Response)
async def metrics(request: Request) -> Response:
    state = request.app.state
    for mid, host in state.hosts.hosts.items():
        state.metrics.queue_depth.labels(mid).set(host.batcher.waiting)
    await asyncio.to_thread(_job_progress, state)
    body = generate_latest(state.metrics.registry)
    key = getattr(request.state, "key", None)  # authenticated by the gate when a key is sent
    if key is not None and key.admin:
        body += generate_latest(state.metrics.job_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _job_progress(state) -> None:
    """Products done, to do and flagged of the jobs still running (finished ones leave the gauge)."""
    from shopscribe.storage.jobs import ACTIVE, list_jobs

    gauge = state.metrics.job_products
    gauge.clear()
    state.metrics.job_rate.clear()
    state.metrics.job_eta.clear()
    active = [job for job in list_jobs(state.db, limit=200) if job.status in ACTIVE]
    state.metrics.jobs_active.set(len(active))
    for job in active:
        gauge.labels(job.id, "done").set(job.done)
        gauge.labels(job.id, "todo").set(job.total - job.done)
        gauge.labels(job.id, "flagged").set(job.flagged)
        state.metrics.job_rate.labels(job.id).set(job.rate_per_min or 0)
        state.metrics.job_eta.labels(job.id).set(job.eta_s if job.eta_s is not None else -1)
