"""What the pages and the JSON calls share: a review the key may see, the guard and options of its job,
the product as a record, and the queue's filters from a query string."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException, Request

from shopscribe.catalog.record import ProductRecord
from shopscribe.generation.pipeline import options_from_json
from shopscribe.storage import jobs as job_store
from shopscribe.storage import review as store
from shopscribe.storage.keys import ApiKeyInfo
from shopscribe.ui.auth import key_viewer
from shopscribe.workspace.checks import Checked, check_text

FILTERS = ("guard_status", "category", "locale", "model_version", "state", "q", "sort")


def queue_filter(params) -> store.QueueFilter:
    values = {k: (params.get(k) or None) for k in FILTERS}
    values["sort"] = values["sort"] or "flagged"
    if values["sort"] not in store.SORTS:
        raise HTTPException(422, f"sort must be one of {list(store.SORTS)}")
    return store.QueueFilter(**values)


async def visible_job(request: Request, key: ApiKeyInfo, job_id: str):
    """The job if this key may see it; 404 otherwise (as for no job)."""
    job = await asyncio.to_thread(job_store.get_job, request.app.state.db, job_id, key_viewer(key))
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


async def visible_review(request: Request, key: ApiKeyInfo, review_id: int):
    """The review and its job, if this key may see the job; 404 otherwise."""
    review = await asyncio.to_thread(store.get, request.app.state.db, review_id)
    if review is None:
        raise HTTPException(404, f"no review {review_id}")
    job = await visible_job(request, key, review.job_id)
    return review, job


def job_options(job):
    """The job's copy options, guard on (a reviewer always sees the guard's findings)."""
    return options_from_json(job.options).model_copy(update={"guard": True})


def regenerate_options(job, tone: str | None, candidates: int, seed: int):
    """The job's options for another draft: sampled (a new seed each time, so it differs from the last),
    in ``tone`` if given, best of ``candidates``."""
    options = job_options(job)
    task = options.task.model_copy(update={"tone": tone}) if tone else options.task
    decoding = options.decoding.model_copy(update={"strategy": "sample", "seed": seed})
    rerank = options.rerank.model_copy(update={"candidates": candidates})
    return options.model_copy(update={"task": task, "decoding": decoding, "rerank": rerank})


def checked(request: Request, job, review, text: str) -> Checked:
    """``text`` checked by the guard of the job's model and options, against the product's data."""
    host = request.app.state.hosts.get(job.model)
    options = job_options(job)
    guard = host.generator(options).guard
    return check_text(text, ProductRecord.model_validate(review.record), guard, options.task.max_chars)
