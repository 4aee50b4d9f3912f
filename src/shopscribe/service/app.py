"""``create_app(settings)``: the FastAPI application — models loaded once, routes, limits, errors, logs."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopscribe import __version__
from shopscribe.errors import ShopScribeError
from shopscribe.service import logs
from shopscribe.service.batcher import QueueFull
from shopscribe.service.gate import Gate
from shopscribe.service.hosting import Hosts, ModelNotServed
from shopscribe.service.metrics import Metrics
from shopscribe.service.routes import copy, jobs, openai_compat, ops, optimize, reviews  # noqa: F401 (optimize adds to copy's router)
from shopscribe.service.supervisor import WorkerSupervisor
from shopscribe.service.settings import ServiceSettings
from shopscribe.storage import open_database
from shopscribe.storage.audit import note_model_version
from shopscribe.ui import actions as ui_actions
from shopscribe.ui import pages as ui_pages
from shopscribe.ui.auth import LoginRequired


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    log = logs.configure(settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state = app.state
        state.db = open_database(settings.database_url)
        state.hosts = Hosts(settings, db=state.db, on_batch=lambda mid, kind, n, s: _on_batch(state.metrics, state.hosts, mid,
                                                                                  kind, n, s))
        for mid, host in state.hosts.hosts.items():
            note_model_version(state.db, mid, host.spec, host.fingerprint, host.engine.name)
        state.sentiment = _sentiment(settings)
        state.workers = WorkerSupervisor(settings, log)
        state.workers.start()
        watcher = asyncio.create_task(_watch_registry(state, settings.registry_poll_s, log))
        log.info(f"serving {sorted(state.hosts.hosts)} on {settings.engine}; database {state.db.url}; "
                 f"{settings.job_workers} job worker(s)")
        yield
        watcher.cancel()
        state.workers.stop()
        state.hosts.close()
        state.db.close()

    app = FastAPI(title="ShopScribe", version=__version__, lifespan=lifespan,
                  description="Product copy from your catalog, checked before it is published.")
    app.state.settings, app.state.metrics = settings, Metrics()
    for router in (ops.router, copy.router, openai_compat.router, jobs.router, reviews.router, ui_pages.router,
                   ui_actions.router):
        app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=ui_pages.STATIC), name="ui-static")
    app.add_middleware(Gate, settings=settings, metrics=app.state.metrics, log=log)
    _add_error_handlers(app, log)
    return app


async def _watch_registry(state, every_s: float, log) -> None:
    """Serve each model id's promoted version: a promotion or rollback is picked up within ``every_s``
    seconds, without a restart (``Hosts.refresh``)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            for mid, version in (await asyncio.to_thread(state.hosts.refresh, state.db)).items():
                note_model_version(state.db, mid, state.hosts.hosts[mid].spec, state.hosts.hosts[mid].fingerprint,
                                   state.hosts.hosts[mid].engine.name)
                log.info(f"now serving {mid} v{version}")
        except Exception:
            log.exception("could not switch to a promoted model version; serving the one loaded")


def _sentiment(settings: ServiceSettings):
    if settings.sentiment_model is None:
        return None
    from shopscribe.reviews.sentiment import SentimentModel

    return SentimentModel.load(settings.sentiment_model)


def _on_batch(metrics: Metrics, hosts, model_id: str, kind: str, products: int, seconds: float) -> None:
    metrics.batch_size.labels(model_id, kind).observe(products)
    engine = hosts.hosts[model_id].engine
    total = engine.stats.get("generated_tokens", 0)
    last = getattr(engine, "_reported_tokens", 0)
    engine._reported_tokens = total
    if seconds > 0:
        metrics.tokens_per_s.labels(model_id).set((total - last) / seconds)
    if kind == "copy":
        metrics.tokens.labels(model_id).inc(total - last)


def _add_error_handlers(app: FastAPI, log) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        return ui_pages.login_redirect(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(ModelNotServed)
    async def unknown_model(request: Request, exc: ModelNotServed):
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(QueueFull)
    async def busy(request: Request, exc: QueueFull):
        app.state.metrics.rejected.labels("queue_full").inc()
        return JSONResponse({"detail": f"the engine is busy ({exc}); retry after {exc.retry_after_s} s"},
                            status_code=503, headers={"Retry-After": str(exc.retry_after_s)})

    @app.exception_handler(ShopScribeError)
    async def library_error(request: Request, exc: ShopScribeError):
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # logged with its trace; the client gets none
        log.exception(f"internal error on {request.url.path}", extra={"request_id": request.state.request_id})
        return JSONResponse({"detail": "internal error", "request_id": request.state.request_id}, status_code=500)
