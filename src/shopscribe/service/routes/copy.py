"""Task endpoints: POST /v1/copy/{describe,title,summarize}[/batch]."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError

from shopscribe.catalog.loaders import record_from_dict
from shopscribe.quality.faithfulness import check_faithfulness
from shopscribe.service.deps import require, spend_tokens
from shopscribe.service.schemas import ERRORS
from shopscribe.service.schemas import BatchCopyRequest, BatchCopyResult, CopyOptions, CopyRequest, CopyResult
from shopscribe.storage import audit
from shopscribe.storage.keys import ApiKeyInfo
from shopscribe.tasks.task import copy_task_names

router = APIRouter(prefix="/v1/copy", tags=["copy"], responses=ERRORS)
TASKS = tuple(copy_task_names())  # from the task registry


def _add(task: str) -> None:
    async def one(body: CopyRequest, request: Request, key=Depends(require("generate"))) -> CopyResult:
        return (await write_copy(request, key, task, body, [product_dict(body.product)], ("body", "product")))[0]

    async def batch(body: BatchCopyRequest, request: Request, key=Depends(require("generate"))) -> BatchCopyResult:
        return BatchCopyResult(results=await write_copy(request, key, task, body,
                                                        [product_dict(p) for p in body.products],
                                                        ("body", "products")))

    router.add_api_route(f"/{task}", one, methods=["POST"], response_model=CopyResult,
                         summary=f"{task}: one product", name=f"copy_{task}")
    router.add_api_route(f"/{task}/batch", batch, methods=["POST"], response_model=BatchCopyResult,
                         summary=f"{task}: up to max_products_per_call products", name=f"copy_{task}_batch")


for _task in TASKS:
    _add(_task)


async def write_copy(request: Request, key: ApiKeyInfo, task_name: str, body: CopyOptions, products: list,
                     where: tuple) -> list:
    """Validate, check the work fits (settings' caps, the engine's context, the key's budget), queue on the
    model's batcher, wait, and describe each result."""
    state = request.app.state
    if len(products) > state.settings.max_products_per_call:
        raise HTTPException(413, f"{len(products)} products in one call; the limit is "
                                 f"{state.settings.max_products_per_call} (max_products_per_call), or use a job")
    check_options(request, key, body)
    host = state.hosts.get(body.model)
    options = body.to_copy_options(task_name)
    task = host.task(options)
    records = validated_records(products, task.required_fields, where, batch=where[-1] == "products")
    sizes = await asyncio.to_thread(host.copy_sizes, options, records)
    refuse_oversized(sizes, host.context_tokens, where, batch=where[-1] == "products")
    await spend_tokens(request, key, sum(p + n * body.candidates for p, n in sizes))
    started = time.monotonic()
    work = host.copy_work(options, records)
    rows = await asyncio.wrap_future(state.hosts.submit(host, work))
    timings = {"queued_ms": round(((work.started or started) - work.submitted) * 1000, 1),
               "total_ms": round((time.monotonic() - started) * 1000, 1)}
    results = [_result(task, host, r, row, timings) for r, row in zip(records, rows)]
    for res in results:
        state.metrics.guard.labels(host.model_id, res.guard.status if res.guard else "off").inc()
    await asyncio.to_thread(audit.record, state.db, request.state.key_name, f"copy.{task_name}",
                            ",".join(r.id for r in records)[:2000], model=host.version, products=len(records))
    return results


def check_options(request: Request, key: ApiKeyInfo, body) -> None:
    """The settings' caps on what one request or job may ask (422 with the field) and the guard policy
    (403); ``body`` is a CopyOptions or a JobRequest."""
    settings, errors = request.app.state.settings, []
    if body.max_chars is not None and body.max_chars > settings.max_chars_limit:
        errors.append({"type": "less_than_equal", "loc": ["body", "max_chars"], "input": body.max_chars,
                       "msg": f"max_chars may be at most {settings.max_chars_limit} on this server (max_chars_limit)"})
    if getattr(body, "candidates", 1) > settings.max_candidates:  # a job (JobRequest) has no candidates
        errors.append({"type": "less_than_equal", "loc": ["body", "candidates"], "input": body.candidates,
                       "msg": f"candidates may be at most {settings.max_candidates} on this server (max_candidates)"})
    if errors:
        raise RequestValidationError(errors)
    if not body.guard and not key.allows("guard:off"):
        request.app.state.metrics.rejected.labels("scope").inc()
        raise HTTPException(403, "guard=false needs a key with the 'guard:off' scope; without it every output "
                                 "passes the publishing guard")


def refuse_oversized(sizes: list[tuple[int, int]], context: int, where: tuple, batch: bool) -> None:
    """422 naming each product whose prompt plus new tokens cannot fit the engine's context: refused alone,
    before it joins a batch that other requests share."""
    errors = [{"type": "too_long", "loc": [*where, i] if batch else list(where), "input": None,
               "msg": f"this product's prompt is {prompt} tokens and its copy may take {new}: together over the "
                      f"model's context of {context} tokens; shorten its description or attributes"}
              for i, (prompt, new) in enumerate(sizes) if prompt + new > context]
    if errors:
        raise RequestValidationError(errors)


def product_dict(product) -> dict:
    """The product as sent (unset fields left out): the catalog loaders validate and normalise it."""
    return product.model_dump(exclude_unset=True) if hasattr(product, "model_dump") else product


def validated_records(products: list, required: tuple[str, ...], where: tuple, batch: bool) -> list:
    records, errors = [], []
    for i, raw in enumerate(products):
        record, problems = record_from_dict(raw, row=i + 1, required_fields=required)
        loc = (*where, i) if batch else where
        errors += [{"type": "value_error", "loc": [*loc, *p.field.split(".")], "msg": p.reason,
                    "input": None} for p in problems]
        records.append(record)
    if errors:
        raise RequestValidationError(errors)
    return records


def _result(task, host, record, row, timings: dict) -> CopyResult:
    report = check_faithfulness(row.text, record, exclude_field=task.target_field)
    claims = [{"kind": c.kind, "text": c.text, "status": c.status, "evidence": c.evidence, "reason": c.reason}
              for c in report.claims]
    return CopyResult(id=row.id, locale=row.locale, task=task.name, text=row.text,
                      length={"chars": row.length_chars, "status": row.length_status}, guard=row.guard,
                      claims=claims, attempts=row.attempts, model=host.model_id, model_version=host.version,
                      timings=timings)
