"""The workspace's HTML pages: login, the jobs a key may review, a job's queue, one product."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from shopscribe.catalog.shop_export import FORMATS
from shopscribe.storage import audit
from shopscribe.storage import jobs as job_store
from shopscribe.storage import registry
from shopscribe.storage import review as store
from shopscribe.storage.keys import find_key
from shopscribe.ui.auth import key_viewer, COOKIE, SCOPE, actor, login_url, page_key
from shopscribe.ui.reviewing import FILTERS, checked, queue_filter, visible_job, visible_review

router = APIRouter(prefix="/ui", include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
STATIC = str(Path(__file__).parent / "static")
PAGE_SIZE = 50
TONES = ("", "friendly", "professional", "playful", "luxury", "concise")


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str = "/ui", message: str = ""):
    return templates.TemplateResponse(request, "login.html", {"next": _local(next), "message": message})


@router.post("/login")
async def login(request: Request, key: str = Form(...), next: str = Form("/ui")):
    found = await asyncio.to_thread(find_key, request.app.state.db, key.strip())
    if found is None or not found.allows(SCOPE):
        message = "unknown, expired or revoked key" if found is None else f"the key '{found.name}' has no '{SCOPE}' scope"
        return templates.TemplateResponse(request, "login.html", {"next": _local(next), "message": message},
                                          status_code=401 if found is None else 403)
    await asyncio.to_thread(audit.record, request.app.state.db, actor(found), "review.login", "")
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", path="/ui",
                        secure=request.url.scheme == "https", max_age=12 * 3600)
    return response


@router.post("/logout")
async def logout():
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui")
    return response


@router.get("", response_class=HTMLResponse)
async def home(request: Request, key=Depends(page_key)):
    db = request.app.state.db
    jobs = await asyncio.to_thread(job_store.list_jobs, db, 100, key_viewer(key))
    counts = {j.id: await asyncio.to_thread(store.facets, db, j.id) for j in jobs}
    versions = await asyncio.to_thread(registry.versions, db) if key.admin else []
    return templates.TemplateResponse(request, "home.html", {
        "key": key, "who": actor(key), "jobs": jobs, "counts": counts, "versions": versions})


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def queue_page(job_id: str, request: Request, page: int = 1, key=Depends(page_key)):
    job = await visible_job(request, key, job_id)
    db, filters = request.app.state.db, queue_filter(request.query_params)
    await asyncio.to_thread(store.sync, db, job_id)
    page = max(page, 1)
    rows, total = await asyncio.to_thread(store.queue, db, job_id, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    facets = await asyncio.to_thread(store.facets, db, job_id)
    query = {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}
    return templates.TemplateResponse(request, "queue.html", {
        "key": key, "who": actor(key), "job": job, "rows": rows, "total": total, "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)), "facets": facets, "filters": filters, "query": query,
        "qs": urlencode(query), "formats": FORMATS, "sorts": store.SORTS})


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
async def review_page(review_id: int, request: Request, key=Depends(page_key)):
    review, job = await visible_review(request, key, review_id)
    db, filters = request.app.state.db, queue_filter(request.query_params)
    previous, following = await asyncio.to_thread(store.neighbours, db, job.id, review_id, filters)
    check = await asyncio.to_thread(checked, request, job, review, review.current_text)
    history = await asyncio.to_thread(store.history, db, review_id, 20)
    query = {k: request.query_params[k] for k in FILTERS if request.query_params.get(k)}
    return templates.TemplateResponse(request, "review.html", {
        "key": key, "who": actor(key), "job": job, "review": review, "record": review.record, "check": check,
        "previous": previous, "following": following, "qs": urlencode(query), "history": history,
        "tones": TONES, "max_candidates": request.app.state.settings.max_candidates,
        "insights": review.record.get("extra", {}).get("review_insights")})


def _local(url: str) -> str:
    """Only a path of this site may follow a login (no open redirect)."""
    return url if url.startswith("/ui") and not url.startswith("//") else "/ui"


def login_redirect(request: Request, exc) -> RedirectResponse:
    return RedirectResponse(login_url(exc.next_url, exc.message), status_code=303)
