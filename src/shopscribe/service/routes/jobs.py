"""Catalog jobs: POST /v1/jobs (a catalog upload, a file under the data folder, or products inline),
GET /v1/jobs[/{id}], GET /v1/jobs/{id}/results (JSONL or CSV, streamed), /rejects, POST /v1/jobs/{id}/cancel."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.spreadsheet import OUTPUT_FIELDS, output_csv_row
from shopscribe.errors import CatalogError
from shopscribe.catalog.limits import field_limit_problems
from shopscribe.service.deps import require, viewer
from shopscribe.service.routes.copy import check_options
from shopscribe.service.schemas import ERRORS, JobRequest
from shopscribe.storage import audit
from shopscribe.storage import jobs as store

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], responses=ERRORS)
FORMATS = (".jsonl", ".json", ".csv", ".parquet")
UPLOAD_DOC = {"requestBody": {"content": {
    "application/json": {"schema": {"$ref": "#/components/schemas/JobRequest"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "A catalog: .jsonl, .csv or .parquet"},
        "options": {"type": "string", "description": "JobRequest fields (without path/products) as JSON"}}}}}}}


@router.post("", status_code=202, summary="Start a catalog job", openapi_extra=UPLOAD_DOC)
async def create_job(request: Request, key=Depends(require("jobs"))) -> dict:
    state = request.app.state
    with tempfile.TemporaryDirectory() as tmp:
        body, upload = await _read_request(request, Path(tmp))
        check_options(request, key, body)
        host = state.hosts.get(body.model)
        options = body.to_copy_options()
        path = _catalog_path(state.settings.data_dir, body, upload, Path(tmp))
        task = host.task(options)
        try:
            loaded = await asyncio.to_thread(load_catalog, path, on_error="skip",
                                             rejects_path=Path(tmp) / "rejects.jsonl", required_fields=task.required_fields)
        except CatalogError as exc:
            raise HTTPException(422, f"catalog: {exc}") from None
    rejects = [{"row": p.row, "field": p.field, "reason": p.reason, "product_id": p.product_id}
               for p in loaded.problems]
    if len(loaded.records) > state.settings.max_job_products:
        raise HTTPException(422, f"the catalog holds {len(loaded.records)} products; a job may hold "
                                 f"{state.settings.max_job_products} (max_job_products): split it")
    records, refused = await asyncio.to_thread(_fitting, host, options, loaded)
    rejects += refused
    if not records:
        raise HTTPException(422, {"message": "no valid product in the catalog", "rejects": rejects[:50]})
    source = body.path or (upload[0] if upload else "inline")
    job = await asyncio.to_thread(store.create_job, state.db, task=body.task, model=host.model_id,
                                  options=options.model_dump(mode="json"), source=source, records=records,
                                  rejects=rejects, created_by=key.name, team=key.team)
    await asyncio.to_thread(audit.record, state.db, request.state.key_name, "job.create", job.id,
                            products=job.total, rejected=job.rejected, source=source)
    return job.as_dict()


@router.get("", summary="Recent jobs")
async def list_jobs(request: Request, key=Depends(require("jobs"))) -> list[dict]:
    return [j.as_dict() for j in await asyncio.to_thread(store.list_jobs, request.app.state.db,
                                                         viewer=viewer(key))]


@router.get("/{job_id}", summary="Progress, counts and an estimate")
async def show_job(job_id: str, request: Request, key=Depends(require("jobs"))) -> dict:
    return (await _job(request, key, job_id)).as_dict()


@router.post("/{job_id}/cancel", summary="Cancel: products done stay, the rest is not written")
async def cancel_job(job_id: str, request: Request, key=Depends(require("jobs"))) -> dict:
    await _job(request, key, job_id)
    job = await asyncio.to_thread(store.cancel_job, request.app.state.db, job_id)
    await asyncio.to_thread(audit.record, request.app.state.db, request.state.key_name, "job.cancel", job_id)
    return job.as_dict()


@router.get("/{job_id}/rejects", summary="Rows of the catalog that failed validation, with the reason")
async def job_rejects(job_id: str, request: Request, key=Depends(require("jobs"))) -> list[dict]:
    await _job(request, key, job_id)
    return await asyncio.to_thread(store.rejects_of, request.app.state.db, job_id)


@router.get("/{job_id}/results", summary="The products written so far, in catalog order (JSONL or CSV)")
async def job_results(job_id: str, request: Request, format: Literal["jsonl", "csv"] = "jsonl",
                      key=Depends(require("jobs"))):
    await _job(request, key, job_id)
    db = request.app.state.db
    await asyncio.to_thread(audit.record, db, request.state.key_name, "job.export", job_id, format=format)
    rows = store.results(db, job_id)
    if format == "jsonl":
        return StreamingResponse((json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                 media_type="application/x-ndjson")
    return StreamingResponse(_csv(rows), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="{job_id}.csv"'})


def _csv(rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=OUTPUT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow(output_csv_row(r))
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


async def _job(request: Request, key, job_id: str):
    """The job if this key may see it (its own, its team's, or any with admin); 404 otherwise — the same
    answer as for no job, so ids of others' jobs cannot be probed."""
    job = await asyncio.to_thread(store.get_job, request.app.state.db, job_id, viewer(key))
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


def _fitting(host, options, loaded) -> tuple[list, list[dict]]:
    """The products within the field limits whose prompt fits the engine's context, and a reject (row,
    field, reason) for each of the others: one bad product never fails the job or its batch."""
    kept, rejects, records = [], [], loaded.records
    refused_rows = {p.row for p in loaded.problems}
    rows = [r for r in range(1, loaded.rows_read + 1) if r not in refused_rows]  # the catalog row of each record
    rows = rows if len(rows) == len(records) else range(1, len(records) + 1)
    sizes = iter(host.copy_sizes(options, [r for r in records if not field_limit_problems(r)]))
    for row, record in zip(rows, records):
        problems = field_limit_problems(record)
        if not problems:
            prompt, new = next(sizes)
            if prompt + new <= host.context_tokens:
                kept.append(record)
                continue
            problems = [("prompt", f"{prompt} prompt tokens plus {new} new tokens are over the model's context "
                                   f"of {host.context_tokens} tokens")]
        rejects += [{"row": row, "field": field, "reason": reason, "product_id": record.id} for field, reason in problems]
    return kept, rejects


async def _read_request(request: Request, tmp: Path) -> tuple[JobRequest, tuple[str, Path] | None]:
    """The job's settings and, for a multipart upload, the file's name and where it was streamed to (the
    parser spools it to disk as it arrives; the gate's cap stops it at max_upload_bytes)."""
    ctype = request.headers.get("content-type", "")
    try:
        if ctype.startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=10)
            file = form.get("file")
            if file is None or isinstance(file, str):
                raise RequestValidationError([{"type": "missing", "loc": ["body", "file"], "msg": "a catalog file is "
                                               "required (multipart field 'file')"}])
            options = json.loads(form.get("options") or "{}")
            name = Path(file.filename or "upload.jsonl").name
            saved = tmp / "upload" / name
            saved.parent.mkdir()
            await asyncio.to_thread(_save, file.file, saved)
            return JobRequest.model_validate(options), (name, saved)
        body = JobRequest.model_validate(await request.json())
    except json.JSONDecodeError as exc:
        raise RequestValidationError([{"type": "json_invalid", "loc": ["body"], "msg": f"invalid JSON: {exc}"}]) from None
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ["body", *e["loc"]]} for e in exc.errors()]) from None
    if (body.path is None) == (body.products is None):
        raise RequestValidationError([{"type": "value_error", "loc": ["body", "path"],
                                       "msg": "give either path (a file under the data folder) or products, or upload "
                                              "a file as multipart/form-data"}])
    return body, None


def _save(source, target: Path) -> None:
    source.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)


def _catalog_path(data_dir: Path, body: JobRequest, upload, tmp: Path) -> Path:
    if upload is not None:
        name, saved = upload
        if Path(name).suffix.lower() not in FORMATS:
            raise RequestValidationError([{"type": "value_error", "loc": ["body", "file"],
                                           "msg": f"'{name}': a catalog is one of {', '.join(FORMATS)}"}])
        return saved
    if body.products is not None:
        path = tmp / "products.jsonl"
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in body.products), encoding="utf-8")
        return path
    return confined(data_dir, body.path)


def confined(data_dir: Path, relative: str) -> Path:
    """``relative`` inside ``data_dir``: absolute paths, ``..`` and links out of it are refused."""
    root = Path(data_dir).resolve()
    candidate = (root / relative).resolve()
    if Path(relative).is_absolute() or ".." in Path(relative).parts or not candidate.is_relative_to(root):
        raise RequestValidationError([{"type": "value_error", "loc": ["body", "path"],
                                       "msg": "path must name a file inside the server's data folder"}])
    if not candidate.is_file():
        raise RequestValidationError([{"type": "value_error", "loc": ["body", "path"],
                                       "msg": f"no file '{relative}' in the data folder"}])
    return candidate
