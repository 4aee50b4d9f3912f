"""The review workspace's store: one review per written job product — its queue, drafts saved as typed,
approvals, edits, rejections and regenerations, each in one transaction with its audit entry.

Nothing a reviewer does is lost or silently overwritten: every save names the ``revision`` it started from
and is written only if the review is still at that revision; otherwise ``Conflict`` carries the review as
the other reviewer left it (the caller shows their text)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Text, case, cast, func, or_, select, update

from shopscribe.errors import StorageError
from shopscribe.storage.database import Database
from shopscribe.storage.tables import AuditEntry, JobItem, ReviewItem, aware, utcnow

STATES = ("pending", "approved", "rejected")
SORTS = ("flagged", "catalog", "product", "updated")


class Conflict(StorageError):
    """The review changed since the caller read it: ``current`` is what the other reviewer saved."""

    def __init__(self, current: ReviewView):
        who = current.reviewer or "another reviewer"
        super().__init__(f"{who} changed this product while you were editing (revision {current.revision})")
        self.current = current


@dataclass
class ReviewView:
    id: int
    job_id: str
    idx: int
    product_id: str
    locale: str
    category: str | None
    guard_status: str
    model_version: str
    result: dict
    state: str
    text: str | None
    edited: bool
    reason: str | None
    draft: str | None
    draft_by: str | None
    reviewer: str | None
    revision: int
    updated_at: datetime | None
    record: dict = field(default_factory=dict)  # the product's data (only by ``get``)

    @property
    def written(self) -> str:
        return self.result.get("text") or ""

    @property
    def current_text(self) -> str:
        """What the editor box shows: a draft in progress, else the approved text, else the copy as written."""
        return self.draft if self.draft is not None else (self.text if self.text is not None else self.written)

    def as_dict(self) -> dict:
        out = {k: v for k, v in vars(self).items()}
        out["updated_at"] = aware(self.updated_at).isoformat() if self.updated_at else None
        return out


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters; None means any. ``q`` searches the product id and the text."""

    guard_status: str | None = None
    category: str | None = None
    locale: str | None = None
    model_version: str | None = None
    state: str | None = None
    q: str | None = None
    sort: str = "flagged"

    def where(self, job_id: str) -> list:
        conds = [ReviewItem.job_id == job_id]
        for name in ("guard_status", "category", "locale", "model_version", "state"):
            value = getattr(self, name)
            if value:
                conds.append(getattr(ReviewItem, name) == value)
        if self.q:
            like = f"%{self.q.strip()}%"
            conds.append(or_(ReviewItem.product_id.ilike(like), ReviewItem.text.ilike(like),
                             ReviewItem.draft.ilike(like), cast(ReviewItem.result, Text).ilike(like)))
        return conds

    def order(self) -> list:
        if self.sort not in SORTS:
            raise StorageError(f"sort must be one of {list(SORTS)}, not '{self.sort}'")
        flagged_first = case((ReviewItem.guard_status == "flagged", 0), else_=1)
        return {"flagged": [flagged_first, ReviewItem.idx], "catalog": [ReviewItem.idx],
                "product": [ReviewItem.product_id], "updated": [ReviewItem.updated_at.desc(), ReviewItem.idx]
                }[self.sort]


def sync(db: Database, job_id: str, batch: int = 1000) -> int:
    """A review row for each written product of the job that has none yet; returns how many were added."""
    added = 0
    while True:
        with db.session() as s:
            have = select(ReviewItem.job_item_id).where(ReviewItem.job_id == job_id)
            items = list(s.scalars(select(JobItem).where(JobItem.job_id == job_id, JobItem.status == "done",
                                                         JobItem.id.not_in(have)).order_by(JobItem.idx).limit(batch)))
            for item in items:
                result = item.result or {}
                s.add(ReviewItem(job_id=job_id, job_item_id=item.id, idx=item.idx, product_id=item.product_id,
                                 locale=item.record.get("locale") or "en", category=item.record.get("category"),
                                 guard_status=(result.get("guard") or {}).get("status", "off"),
                                 model_version=str(result.get("model") or ""), result=result, state="pending",
                                 edited=False, revision=0))
        added += len(items)
        if len(items) < batch:
            return added


def queue(db: Database, job_id: str, filters: QueueFilter, limit: int = 50, offset: int = 0
          ) -> tuple[list[ReviewView], int]:
    """One page of the job's queue under ``filters``, and how many rows match in all."""
    conds = filters.where(job_id)
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(ReviewItem).where(*conds))
        rows = s.scalars(select(ReviewItem).where(*conds).order_by(*filters.order()).limit(limit).offset(offset))
        return [_view(r) for r in rows], int(total or 0)


def neighbours(db: Database, job_id: str, review_id: int, filters: QueueFilter) -> tuple[int | None, int | None]:
    """The ids before and after ``review_id`` in the queue's order (for next / previous)."""
    with db.session() as s:
        ids = list(s.scalars(select(ReviewItem.id).where(*filters.where(job_id)).order_by(*filters.order())))
    if review_id not in ids:
        return (None, ids[0] if ids else None)
    i = ids.index(review_id)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None)


def facets(db: Database, job_id: str) -> dict:
    """What the queue can be filtered by, with counts."""
    out = {}
    with db.session() as s:
        for name in ("guard_status", "state", "category", "locale", "model_version"):
            col = getattr(ReviewItem, name)
            rows = s.execute(select(col, func.count()).where(ReviewItem.job_id == job_id).group_by(col)
                             .order_by(col))
            out[name] = {str(v) if v is not None else "": int(n) for v, n in rows}
    return out


def get(db: Database, review_id: int) -> ReviewView | None:
    with db.session() as s:
        row = s.get(ReviewItem, review_id)
        if row is None:
            return None
        view = _view(row)
        view.record = dict(s.get(JobItem, row.job_item_id).record)
        return view


def save_draft(db: Database, review_id: int, actor: str, text: str, revision: int) -> ReviewView:
    """Keep an edit in progress (typed, not yet approved)."""
    return _change(db, review_id, actor, revision, "review.draft", draft=text, draft_by=actor)


def approve(db: Database, review_id: int, actor: str, revision: int, text: str | None = None) -> ReviewView:
    """Approve the copy as written, or ``text`` (an edit) in its place; the draft is cleared."""
    current = _must(db, review_id)
    final = current.written if text is None else text
    return _change(db, review_id, actor, revision, "review.approve", state="approved", text=final,
                   edited=final.strip() != current.written.strip(), reason=None, draft=None, draft_by=None)


def reject(db: Database, review_id: int, actor: str, revision: int, reason: str) -> ReviewView:
    if not reason.strip():
        raise StorageError("a rejection needs a reason (it teaches the critic and preference tuning)")
    return _change(db, review_id, actor, revision, "review.reject", state="rejected", reason=reason.strip(),
                   text=None, edited=False, draft=None, draft_by=None)


def replace_result(db: Database, review_id: int, actor: str, revision: int, result: dict) -> ReviewView:
    """A regeneration: the new output row replaces the copy as written; the review starts again."""
    return _change(db, review_id, actor, revision, "review.regenerate", result=result,
                   guard_status=(result.get("guard") or {}).get("status", "off"),
                   model_version=str(result.get("model") or ""), state="pending", text=None, edited=False,
                   reason=None, draft=None, draft_by=None)


def bulk_approvable(db: Database, job_id: str, filters: QueueFilter) -> list[int]:
    """The pending rows the guard passed, among those ``filters`` select (what bulk approve would approve)."""
    conds = filters.where(job_id) + [ReviewItem.state == "pending", ReviewItem.guard_status == "pass",
                                     ReviewItem.draft.is_(None)]
    with db.session() as s:
        return list(s.scalars(select(ReviewItem.id).where(*conds).order_by(ReviewItem.idx)))


def bulk_approve(db: Database, job_id: str, actor: str, ids: list[int]) -> int:
    """Approve, as written, each of ``ids`` that is still a pending, guard-passed row without a draft (the
    ids the confirmation counted); returns how many were approved."""
    now, approved = utcnow(), 0
    with db.session() as s:
        for row in s.scalars(select(ReviewItem).where(ReviewItem.job_id == job_id, ReviewItem.id.in_(ids))):
            if row.state != "pending" or row.guard_status != "pass" or row.draft is not None:
                continue
            before = _snapshot(row)
            row.state, row.text, row.edited, row.reviewer = "approved", row.result.get("text") or "", False, actor
            row.revision, row.updated_at = row.revision + 1, now
            s.add(AuditEntry(actor=actor, action="review.bulk_approve", subject=f"{job_id}/{row.product_id}",
                             detail={"review": row.id, "before": before, "after": _snapshot(row)}))
            approved += 1
    return approved


def approved(db: Database, job_id: str, batch: int = 500) -> Iterator[tuple[ReviewView, dict]]:
    """Approved reviews of the job in catalog order, with the product's data (for export)."""
    last = -1
    while True:
        with db.session() as s:
            rows = list(s.execute(select(ReviewItem, JobItem.record).join(JobItem, JobItem.id == ReviewItem.job_item_id)
                                  .where(ReviewItem.job_id == job_id, ReviewItem.state == "approved",
                                         ReviewItem.idx > last).order_by(ReviewItem.idx).limit(batch)))
            views = [(_view(r), dict(record)) for r, record in rows]
        if not views:
            return
        yield from views
        last = views[-1][0].idx


def reviewed(db: Database, job_ids: list[str] | None = None) -> Iterator[tuple[ReviewView, dict]]:
    """Every approved or rejected review (of ``job_ids``, or all), with the product's data: the training
    data review produces."""
    query = (select(ReviewItem, JobItem.record).join(JobItem, JobItem.id == ReviewItem.job_item_id)
             .where(ReviewItem.state.in_(("approved", "rejected"))).order_by(ReviewItem.id))
    if job_ids:
        query = query.where(ReviewItem.job_id.in_(job_ids))
    with db.session() as s:
        rows = [(_view(r), dict(record)) for r, record in s.execute(query)]
    yield from rows


def history(db: Database, review_id: int, limit: int = 50) -> list[dict]:
    """The audit entries of one review's product, newest first."""
    with db.session() as s:
        row = s.get(ReviewItem, review_id)
        if row is None:
            return []
        rows = s.scalars(select(AuditEntry).where(AuditEntry.subject == f"{row.job_id}/{row.product_id}",
                                                  AuditEntry.action.like("review.%"))
                         .order_by(AuditEntry.id.desc()).limit(limit))
        return [{"at": aware(r.at).isoformat(), "actor": r.actor, "action": r.action, "detail": r.detail}
                for r in rows]


def _change(db: Database, review_id: int, actor: str, revision: int, action: str, **values) -> ReviewView:
    """Write ``values`` if the review is still at ``revision`` (one conditional update), with its audit
    entry in the same transaction; ``Conflict`` otherwise."""
    with db.session() as s:
        row = s.get(ReviewItem, review_id)
        if row is None:
            raise StorageError(f"no review {review_id}")
        before = _snapshot(row)
        n = s.execute(update(ReviewItem).where(ReviewItem.id == review_id, ReviewItem.revision == revision)
                      .values(**values, reviewer=actor, revision=ReviewItem.revision + 1, updated_at=utcnow())
                      .execution_options(synchronize_session=False)).rowcount
        if n == 0:
            s.rollback()
            raise Conflict(_must(db, review_id))
        s.expire(row)
        s.add(AuditEntry(actor=actor, action=action, subject=f"{row.job_id}/{row.product_id}",
                         detail={"review": review_id, "revision": row.revision, "before": before,
                                 "after": _snapshot(row)}))
        return _view(row)


def _must(db: Database, review_id: int) -> ReviewView:
    view = get(db, review_id)
    if view is None:
        raise StorageError(f"no review {review_id}")
    return view


def _snapshot(row: ReviewItem) -> dict:
    return {"state": row.state, "text": row.text, "draft": row.draft, "reason": row.reason,
            "written": (row.result or {}).get("text")}


def _view(row: ReviewItem) -> ReviewView:
    return ReviewView(row.id, row.job_id, row.idx, row.product_id, row.locale, row.category, row.guard_status,
                      row.model_version, dict(row.result or {}), row.state, row.text, bool(row.edited), row.reason,
                      row.draft, row.draft_by, row.reviewer, row.revision, row.updated_at)
