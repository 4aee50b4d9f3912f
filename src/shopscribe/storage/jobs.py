"""Catalog jobs in the database: created with their products, claimed in small batches by workers
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers), each result written once.

Exactly once: a worker claims pending items with a lease; it writes a result only with an update that
requires the item still pending and still claimed by it, in one transaction with the job's counters. A
dead worker's items are claimed again when its lease runs out (at once on the same machine: a worker
that starts frees the claims of dead processes of its host)."""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from shopscribe.storage.database import Database
from shopscribe.storage.tables import Job, JobItem, aware, utcnow

ACTIVE = ("queued", "running")


@dataclass
class JobView:
    id: str
    status: str
    task: str
    model: str
    options: dict
    source: str
    total: int
    done: int
    flagged: int
    rejected: int
    error: str | None
    created_by: str
    team: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def rate_per_min(self) -> float | None:
        if not self.started_at or not self.done:
            return None
        end = aware(self.finished_at or utcnow())
        minutes = (end - aware(self.started_at)).total_seconds() / 60
        return round(self.done / minutes, 1) if minutes > 0 else None

    @property
    def eta_s(self) -> float | None:
        rate = self.rate_per_min
        if self.status not in ACTIVE or not rate:
            return None
        return round((self.total - self.done) / rate * 60, 1)

    def as_dict(self) -> dict:
        out = {k: v for k, v in vars(self).items()}
        for k in ("created_at", "started_at", "finished_at"):
            out[k] = aware(out[k]).isoformat() if out[k] else None
        out["error"] = job_error(self.error)
        return {**out, "rate_per_min": self.rate_per_min, "eta_s": self.eta_s}


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def create_job(db: Database, *, task: str, model: str, options: dict, source: str, records: list,
               rejects: list[dict], created_by: str, team: str | None = None) -> JobView:
    job_id = uuid.uuid4().hex
    with db.session() as s:
        s.add(Job(id=job_id, status="queued", task=task, model=model, options=options, source=source,
                  total=len(records), done=0, flagged=0, rejected=len(rejects), rejects=rejects,
                  created_by=created_by, team=team))
        s.flush()
        s.add_all(JobItem(job_id=job_id, idx=i, product_id=r.id, record=r.model_dump(mode="json"), status="pending",
                          attempts=0) for i, r in enumerate(records))
    return get_job(db, job_id)


@dataclass(frozen=True)
class Viewer:
    """Who asks: a key's name and team; ``everything`` (the admin scope) sees every job."""

    name: str
    team: str | None = None
    everything: bool = False

    def sees(self, job: JobView) -> bool:
        return self.everything or job.created_by == self.name or (self.team is not None and job.team == self.team)


def get_job(db: Database, job_id: str, viewer: Viewer | None = None) -> JobView | None:
    """The job, or None when there is none or ``viewer`` may not see it (the caller answers 404 to both)."""
    with db.session() as s:
        job = s.get(Job, job_id)
        view = _view(job) if job is not None else None
    return view if view is not None and (viewer is None or viewer.sees(view)) else None


def list_jobs(db: Database, limit: int = 50, viewer: Viewer | None = None) -> list[JobView]:
    """The most recent jobs (of those ``viewer`` may see)."""
    query = select(Job).order_by(Job.created_at.desc()).limit(limit)
    if viewer is not None and not viewer.everything:
        mine = Job.created_by == viewer.name
        query = query.where(or_(mine, Job.team == viewer.team) if viewer.team is not None else mine)
    with db.session() as s:
        return [_view(j) for j in s.scalars(query)]


def cancel_job(db: Database, job_id: str) -> JobView | None:
    with db.session() as s:
        s.execute(update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE))
                  .values(status="cancelled", finished_at=utcnow()))
    return get_job(db, job_id)


def rejects_of(db: Database, job_id: str) -> list[dict]:
    with db.session() as s:
        job = s.get(Job, job_id)
        return list(job.rejects) if job else []


def claim(db: Database, owner: str, limit: int, lease_s: float) -> tuple[JobView, list[JobItem]] | None:
    """Up to ``limit`` pending products of an active job, leased to ``owner``. Job owners take turns: the
    job comes from the owner (key) served longest ago, oldest job first — one key's catalog of 100,000
    products does not hold back another key's ten."""
    now = utcnow()
    with db.session() as s:
        for job in _turns(list(s.scalars(select(Job).where(Job.status.in_(ACTIVE))))):
            free = select(JobItem.id).where(
                JobItem.job_id == job.id, JobItem.status == "pending",
                or_(JobItem.claimed_until.is_(None), JobItem.claimed_until < now)).order_by(JobItem.idx).limit(limit)
            if db.engine.dialect.name == "postgresql":
                free = free.with_for_update(skip_locked=True)
            ids = list(s.scalars(free))
            if not ids:
                continue
            s.execute(update(JobItem).where(JobItem.id.in_(ids))
                      .values(claimed_by=owner, claimed_until=now + timedelta(seconds=lease_s),
                              attempts=JobItem.attempts + 1))
            job.last_claimed_at = now
            if job.status == "queued":
                job.status, job.started_at = "running", now
            items = list(s.scalars(select(JobItem).where(JobItem.id.in_(ids)).order_by(JobItem.idx)))
            return _view(job), items
    return None


def _turns(jobs: list[Job]) -> list[Job]:
    """Active jobs in the order workers should serve them: by when their owner was last served (never
    first), then oldest job first."""
    never = datetime.min.replace(tzinfo=aware(utcnow()).tzinfo)
    served: dict[str, datetime] = {}
    for job in jobs:
        last = aware(job.last_claimed_at) if job.last_claimed_at else never
        served[job.created_by] = max(served.get(job.created_by, never), last)
    return sorted(jobs, key=lambda j: (served[j.created_by], aware(j.created_at)))


def complete(db: Database, job_id: str, owner: str, results: list[tuple[int, dict]]) -> int:
    """Write each (item id, result) once: only items still pending and claimed by ``owner``; returns how many
    were written. The job's counters move in the same transaction; the last product finishes the job."""
    now = utcnow()
    written = flagged = 0
    with db.session() as s:
        for item_id, result in results:
            n = s.execute(update(JobItem).where(JobItem.id == item_id, JobItem.status == "pending",
                                                JobItem.claimed_by == owner)
                          .values(status="done", result=result, done_at=now)).rowcount
            written += n
            flagged += n and (result.get("guard") or {}).get("status") == "flagged"
        s.execute(update(Job).where(Job.id == job_id)
                  .values(done=Job.done + written, flagged=Job.flagged + int(flagged)))
        left = s.scalar(select(func.count()).select_from(JobItem)
                        .where(JobItem.job_id == job_id, JobItem.status == "pending"))
        if left == 0:
            s.execute(update(Job).where(Job.id == job_id, Job.status == "running")
                      .values(status="done", finished_at=now))
    return written


def fail_job(db: Database, job_id: str, code: str, message: str) -> None:
    """Mark the job failed with an error code and a message meant for its owner (no internals: the worker's
    log has the trace)."""
    with db.session() as s:
        s.execute(update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE))
                  .values(status="failed", error=json.dumps({"code": code, "message": message[:500]}),
                          finished_at=utcnow()))


class ModelUnavailable(LookupError):
    """A job names a model the worker does not serve."""


def job_failure(exc: BaseException, model: str) -> tuple[str, str]:
    """An error code and a message for the job's owner; the trace and the exception text stay in the log."""
    from shopscribe.errors import EngineError

    if isinstance(exc, ModelUnavailable):
        return "model_unavailable", f"the job's model '{model}' is not served by the job workers"
    if isinstance(exc, EngineError):
        return "engine_error", "the engine failed while writing this job's products; the server log has the details"
    return "internal_error", "the job failed; the server log has the details"


def job_error(stored: str | None) -> dict | None:
    """The stored error as {code, message}; text from before error codes is not shown (it may hold internals)."""
    if stored is None:
        return None
    try:
        error = json.loads(stored)
        return {"code": str(error["code"]), "message": str(error["message"])}
    except (ValueError, KeyError, TypeError):
        return {"code": "internal_error", "message": "the job failed; the server log has the details"}


def release_dead_claims(db: Database, host: str | None = None) -> int:
    """Free the claims of this host's worker processes that are no longer alive (their products are claimed
    again at once instead of when the lease ends)."""
    host = host or socket.gethostname()
    with db.session() as s:
        owners = s.scalars(select(JobItem.claimed_by).where(JobItem.status == "pending",
                                                             JobItem.claimed_by.like(f"{host}:%")).distinct())
        dead = [o for o in owners if not _alive(int(o.split(":")[1]))]
        if not dead:
            return 0
        return s.execute(update(JobItem).where(JobItem.status == "pending", JobItem.claimed_by.in_(dead))
                         .values(claimed_by=None, claimed_until=None)).rowcount


def results(db: Database, job_id: str, batch: int = 500) -> Iterator[dict]:
    """Done products in catalog order, read in pages."""
    last = -1
    while True:
        with db.session() as s:
            rows = list(s.execute(select(JobItem.idx, JobItem.result).where(
                and_(JobItem.job_id == job_id, JobItem.status == "done", JobItem.idx > last))
                .order_by(JobItem.idx).limit(batch)))
        if not rows:
            return
        for idx, result in rows:
            yield result
        last = rows[-1][0]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _view(job: Job) -> JobView:
    return JobView(job.id, job.status, job.task, job.model, job.options, job.source, job.total, job.done,
                   job.flagged, job.rejected, job.error, job.created_by, job.team, job.created_at, job.started_at,
                   job.finished_at)


def create_done_job(db: Database, *, task: str, model: str, options: dict, source: str,
                    items: list[tuple[object, dict]], created_by: str, team: str | None = None) -> JobView:
    """A finished job from copy written elsewhere (``shopscribe batch``, a file): (record, result) pairs,
    each result already checked; it is reviewed and exported like any job."""
    job_id, now = uuid.uuid4().hex, utcnow()
    flagged = sum((result.get("guard") or {}).get("status") == "flagged" for _, result in items)
    with db.session() as s:
        s.add(Job(id=job_id, status="done", task=task, model=model, options=options, source=source,
                  total=len(items), done=len(items), flagged=flagged, rejected=0, rejects=[],
                  created_by=created_by, team=team, started_at=now, finished_at=now))
        s.flush()
        s.add_all(JobItem(job_id=job_id, idx=i, product_id=r.id, record=r.model_dump(mode="json"), status="done",
                          attempts=0, result=result, done_at=now) for i, (r, result) in enumerate(items))
    return get_job(db, job_id)
