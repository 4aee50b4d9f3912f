"""POST /v1/copy/optimize: rewrite a product's existing description with what its reviews say (the
`shopscribe optimize` pipeline: plan, checked draft, the model's polish kept only if it passes every check
the draft passes)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request
from pydantic import Field

from shopscribe.optimize.optimize import OptimizeConfig, polish_options, polisher_for, rewrite_batch
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.reviews.insights import review_insights
from shopscribe.service.batcher import CopyWork
from shopscribe.service.deps import require, spend_tokens
from shopscribe.service.routes.copy import check_options, product_dict, refuse_oversized, router, validated_records
from shopscribe.service.routes.reviews import ReviewIn, review_rows
from shopscribe.service.schemas import CopyOptions, ProductIn
from shopscribe.storage import audit


class OptimizeRequest(CopyOptions):
    product: ProductIn = Field(..., description="The product, with the `description` to improve.")
    reviews: list[ReviewIn] | None = Field(None, description="Its reviews: insights are computed with the served "
                                           "sentiment classifier (sentiment_model).")
    insights: dict[str, Any] | None = Field(None, description="Or one group of a `shopscribe insights` "
                                            "insights.json, as is.")
    polish: bool = Field(True, description="Let the model polish the checked draft (false: publish the draft).")


@router.post("/optimize", summary="optimize: rewrite existing copy with review insights")
async def optimize_copy(body: OptimizeRequest, request: Request, key=Depends(require("generate"))) -> dict:
    state = request.app.state
    check_options(request, key, body)
    host = state.hosts.get(body.model)
    tone = ", ".join(t for t in (body.tone, f"for {body.audience}" if body.audience else None) if t) or None
    cfg = OptimizeConfig(products=Path("request"), out=Path("request"), keywords=body.keywords, tone=tone,
                         audience=body.audience, max_chars=body.max_chars, insights_by="group",
                         insights_group="request")
    task = host.task(polish_options(cfg))
    record = validated_records([product_dict(body.product)], task.required_fields, ("body", "product"),
                               batch=False)[0]
    sizes = await asyncio.to_thread(host.copy_sizes, polish_options(cfg), [record])
    refuse_oversized(sizes, host.context_tokens, ("body", "product"), batch=False)
    await spend_tokens(request, key, sum(p + n for p, n in sizes))
    insights = body.insights
    if body.reviews:
        if state.sentiment is None:
            raise HTTPException(404, "reviews need a sentiment classifier: start the server with "
                                     "sentiment_model=FOLDER, or send `insights`")
        rows = [replace(r, product_id=record.id) for r in review_rows(request, body)]
        groups, positive = await asyncio.to_thread(review_insights, rows, state.sentiment, "product")
        insights = next(({**asdict(g), "positive_reviews": positive[g.group]} for g in groups), None)
    checkers = {loc: ComplianceChecker.for_locale(loc) for loc in ("en", "zh-CN")}
    groups = {"request": insights} if insights else {}

    def run(records: list) -> list:  # on the model's batcher thread: the engine is never used concurrently
        polisher = polisher_for(host.model, cfg) if body.polish else None
        return rewrite_batch(records, cfg, task, groups, checkers, polisher)

    started = time.monotonic()
    work = CopyWork(key=("optimize", id(body)), records=[record], run=run)
    row = (await asyncio.wrap_future(state.hosts.submit(host, work)))[0]
    await asyncio.to_thread(audit.record, state.db, request.state.key_name, "copy.optimize", record.id,
                            model=host.version)
    return {**row, "model": host.model_id, "model_version": host.version, "insights": insights,
            "timings": {"queued_ms": round(((work.started or started) - work.submitted) * 1000, 1),
                        "total_ms": round((time.monotonic() - started) * 1000, 1)}}
