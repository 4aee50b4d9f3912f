"""The JSON calls the workspace's pages make. Every save names the revision it started from: a save over
another reviewer's change is refused with 409 and the other reviewer's text (``storage.review.Conflict``).
Every action is in the audit log, with the text before and after."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field

from shopscribe.catalog.record import ProductRecord
from shopscribe.catalog.shop_export import EXTENSIONS, FORMATS, MEDIA_TYPES, export_lines
from shopscribe.storage import audit
from shopscribe.storage import review as store
from shopscribe.ui.auth import action_key, actor, spend_tokens
from shopscribe.ui.reviewing import checked, queue_filter, regenerate_options, visible_job, visible_review
from shopscribe.workspace.exports import approved_copy

router = APIRouter(prefix="/ui/api", include_in_schema=False)
MAX_TEXT = 5_000


class TextIn(BaseModel):
    text: str = Field(max_length=MAX_TEXT)


class SaveIn(BaseModel):
    revision: int = Field(ge=0)
    text: str | None = Field(None, max_length=MAX_TEXT)


class RejectIn(BaseModel):
    revision: int = Field(ge=0)
    reason: str = Field(min_length=1, max_length=1_000)


class RegenerateIn(BaseModel):
    revision: int = Field(ge=0)
    tone: str | None = Field(None, max_length=40)
    candidates: int = Field(1, ge=1)


class BulkIn(BaseModel):
    ids: list[int] = Field(max_length=10_000)


@router.post("/reviews/{review_id}/check")
async def check(review_id: int, body: TextIn, request: Request, key=Depends(action_key)) -> dict:
    """The guard's findings on an edit, before it is saved."""
    review, job = await visible_review(request, key, review_id)
    return (await asyncio.to_thread(checked, request, job, review, body.text)).as_dict()


@router.post("/reviews/{review_id}/draft")
async def draft(review_id: int, body: SaveIn, request: Request, key=Depends(action_key)):
    await visible_review(request, key, review_id)
    return await _save(request, store.save_draft, review_id, actor(key), body.text or "", body.revision)


@router.post("/reviews/{review_id}/approve")
async def approve(review_id: int, body: SaveIn, request: Request, key=Depends(action_key)):
    await visible_review(request, key, review_id)
    return await _save(request, store.approve, review_id, actor(key), body.revision, body.text)


@router.post("/reviews/{review_id}/reject")
async def reject(review_id: int, body: RejectIn, request: Request, key=Depends(action_key)):
    await visible_review(request, key, review_id)
    return await _save(request, store.reject, review_id, actor(key), body.revision, body.reason)


@router.post("/reviews/{review_id}/regenerate")
async def regenerate(review_id: int, body: RegenerateIn, request: Request, key=Depends(action_key)):
    """Another draft from the job's model (another tone, best of more candidates); it replaces the copy as
    written and the review starts again."""
    review, job = await visible_review(request, key, review_id)
    state = request.app.state
    if body.candidates > state.settings.max_candidates:
        raise HTTPException(422, f"candidates may be at most {state.settings.max_candidates} on this server")
    host = state.hosts.get(job.model)
    options = regenerate_options(job, body.tone, body.candidates, seed=review.revision + 1)
    record = ProductRecord.model_validate(review.record)
    sizes = await asyncio.to_thread(host.copy_sizes, options, [record])
    await spend_tokens(request, key, sum(p + n * body.candidates for p, n in sizes))
    rows = await asyncio.wrap_future(state.hosts.submit(host, host.copy_work(options, [record])))
    result = rows[0].as_row(job.task, host.version)
    return await _save(request, store.replace_result, review_id, actor(key), body.revision, result)


@router.get("/jobs/{job_id}/bulk")
async def bulk_count(job_id: str, request: Request, key=Depends(action_key)) -> dict:
    """The rows bulk approve would approve under the queue's filters (pending, passed by the guard, no
    draft): the page asks for confirmation with their number."""
    await visible_job(request, key, job_id)
    ids = await asyncio.to_thread(store.bulk_approvable, request.app.state.db, job_id,
                                  queue_filter(request.query_params))
    return {"count": len(ids), "ids": ids}


@router.post("/jobs/{job_id}/bulk-approve")
async def bulk_approve(job_id: str, body: BulkIn, request: Request, key=Depends(action_key)) -> dict:
    await visible_job(request, key, job_id)
    n = await asyncio.to_thread(store.bulk_approve, request.app.state.db, job_id, actor(key), body.ids)
    return {"approved": n, "asked": len(body.ids)}


@router.get("/jobs/{job_id}/export")
async def export(job_id: str, request: Request, format: str = "jsonl", key=Depends(action_key)):
    """The job's approved copy as a shop imports it (``catalog.shop_export``)."""
    job = await visible_job(request, key, job_id)
    if format not in FORMATS:
        raise HTTPException(422, f"format must be one of {list(FORMATS)}")
    db = request.app.state.db
    await asyncio.to_thread(audit.record, db, actor(key), "review.export", job_id, format=format)
    lines = export_lines(approved_copy(db, job.id, job.task), format)
    return StreamingResponse(lines, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{job_id}.approved.{EXTENSIONS[format]}"'})


@router.post("/retrain/{model_id}")
async def retrain(model_id: str, request: Request, key=Depends(action_key)) -> dict:
    """Start `shopscribe retrain` for a served model in the background (admin): its log is written beside
    the new version; the registry lists the version when it is done."""
    if not key.admin:
        raise HTTPException(403, "retraining needs the admin scope")
    state = request.app.state
    state.hosts.get(model_id)
    out = Path(state.settings.registry_dir).expanduser() / model_id
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"retrain-{time.strftime('%Y%m%d-%H%M%S')}.log"
    command = [sys.executable, "-m", "shopscribe.cli.app", "retrain", model_id, "--out", str(out),
               "--database", state.settings.database_url, "--actor", actor(key)]
    with log.open("w") as fh:
        process = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    await asyncio.to_thread(audit.record, state.db, actor(key), "model.retrain", model_id, pid=process.pid,
                            log=str(log))
    return {"started": True, "pid": process.pid, "log": str(log)}


async def _save(request: Request, change, review_id: int, *args):
    try:
        view = await asyncio.to_thread(change, request.app.state.db, review_id, *args)
    except store.Conflict as exc:
        current = exc.current
        return JSONResponse(status_code=409, content={
            "detail": str(exc), "current": {"text": current.current_text, "state": current.state,
                                            "reviewer": current.reviewer, "revision": current.revision}})
    return {"revision": view.revision, "state": view.state, "text": view.text, "draft": view.draft,
            "reviewer": view.reviewer, "written": view.written, "guard_status": view.guard_status}
