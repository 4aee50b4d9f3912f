"""Review endpoints: POST /v1/reviews/sentiment and /v1/reviews/insights (the classifier from
`shopscribe sentiment train`, named by the `sentiment_model` setting). Personal data is masked first."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from shopscribe.reviews.data import review_from_dict
from shopscribe.service.deps import require
from shopscribe.service.schemas import ERRORS

router = APIRouter(prefix="/v1/reviews", tags=["reviews"], responses=ERRORS)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str = Field(min_length=1)
    title: str | None = None
    id: str | None = None
    product_id: str | None = None
    category: str | None = None
    label: str | None = Field(None, description="A known label wins over the model (insights).")


class ReviewsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviews: list[ReviewIn] = Field(..., min_length=1)


class InsightsRequest(ReviewsRequest):
    group_by: Literal["product", "category"] = "product"


@router.post("/sentiment", summary="P(positive) and a label per review")
async def sentiment(body: ReviewsRequest, request: Request, key=Depends(require("review"))) -> dict:
    model, rows = _model(request), review_rows(request, body)
    probs = await asyncio.to_thread(model.predict, rows)
    return {"results": [{"id": r.id, "text": r.text, "p_positive": round(float(p), 4),
                         "label": "positive" if p >= 0.5 else "negative", "masked": r.masked}
                        for r, p in zip(rows, probs)]}


@router.post("/insights", summary="Aspects praised and complained about, per product or category")
async def insights(body: InsightsRequest, request: Request, key=Depends(require("review"))) -> dict[str, Any]:
    from shopscribe.reviews.insights import review_insights

    model, rows = _model(request), review_rows(request, body)
    groups, positive = await asyncio.to_thread(review_insights, rows, model, body.group_by)
    return {"group_by": body.group_by, "reviews": len(rows),
            "groups": [{**asdict(g), "positive_reviews": positive[g.group]} for g in groups]}


def _model(request: Request):
    state = request.app.state
    if state.sentiment is None:
        raise HTTPException(404, "no sentiment classifier is served: start the server with "
                                 "sentiment_model=FOLDER (from `shopscribe sentiment train`)")
    return state.sentiment


def review_rows(request: Request, body: ReviewsRequest) -> list:
    if len(body.reviews) > request.app.state.settings.max_products_per_call * 16:
        raise HTTPException(413, "too many reviews in one call (16 × max_products_per_call)")
    rows, errors = [], []
    for i, review in enumerate(body.reviews):
        raw = review.model_dump(exclude_none=True)
        raw.setdefault("id", f"review-{i + 1}")
        row, problems = review_from_dict(raw, row=i + 1)
        errors += [{"type": "value_error", "loc": ["body", "reviews", i, p.field], "msg": p.reason} for p in problems]
        rows.append(row)
    if errors:
        raise RequestValidationError(errors)
    return rows
