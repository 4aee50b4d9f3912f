"""The model registry: versions of a served model id (each a run folder), which one is promoted, and the
history of promotions — a rollback promotes the version served before the current one. The service serves
each model id's promoted version and switches when it changes, without a restart (``service.hosting``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from shopscribe.errors import StorageError
from shopscribe.storage.database import Database
from shopscribe.storage.tables import AuditEntry, Promotion, RegisteredModel, aware


@dataclass
class VersionView:
    model_id: str
    version: int
    path: str
    parent: int | None
    created_by: str
    created_at: datetime
    report: dict
    promoted: bool = False

    def as_dict(self) -> dict:
        return {**vars(self), "created_at": aware(self.created_at).isoformat()}


def register(db: Database, model_id: str, path: str, actor: str, *, parent: int | None = None,
             report: dict | None = None) -> VersionView:
    """Add the next version of ``model_id`` (1 for the first); it is not served until promoted."""
    with db.session() as s:
        last = s.scalar(select(func.max(RegisteredModel.version)).where(RegisteredModel.model_id == model_id))
        row = RegisteredModel(model_id=model_id, version=(last or 0) + 1, path=str(path), parent=parent,
                              created_by=actor, report=report or {})
        s.add(row)
        s.add(AuditEntry(actor=actor, action="model.register", subject=model_id,
                         detail={"version": row.version, "path": str(path), "parent": parent}))
        s.flush()
        return _view(row, promoted=False)


def versions(db: Database, model_id: str | None = None) -> list[VersionView]:
    with db.session() as s:
        query = select(RegisteredModel).order_by(RegisteredModel.model_id, RegisteredModel.version)
        if model_id:
            query = query.where(RegisteredModel.model_id == model_id)
        rows = list(s.scalars(query))
        live = {m: _promoted(s, m) for m in {r.model_id for r in rows}}
        return [_view(r, promoted=live[r.model_id] == r.version) for r in rows]


def promoted(db: Database, model_id: str) -> VersionView | None:
    """The version of ``model_id`` to serve, or None when none was ever promoted."""
    with db.session() as s:
        version = _promoted(s, model_id)
        if version is None:
            return None
        row = s.scalar(select(RegisteredModel).where(RegisteredModel.model_id == model_id,
                                                     RegisteredModel.version == version))
        return _view(row, promoted=True) if row is not None else None


def promote(db: Database, model_id: str, version: int, actor: str) -> VersionView:
    with db.session() as s:
        row = s.scalar(select(RegisteredModel).where(RegisteredModel.model_id == model_id,
                                                     RegisteredModel.version == version))
        if row is None:
            known = list(s.scalars(select(RegisteredModel.version).where(RegisteredModel.model_id == model_id)))
            raise StorageError(f"model '{model_id}' has no version {version}; versions: {known}")
        before = _promoted(s, model_id)
        s.add(Promotion(model_id=model_id, version=version, by=actor))
        s.add(AuditEntry(actor=actor, action="model.promote", subject=model_id,
                         detail={"before": before, "after": version}))
        return _view(row, promoted=True)


def rollback(db: Database, model_id: str, actor: str) -> VersionView:
    """Promote again the version that was served before the current one."""
    with db.session() as s:
        history = list(s.scalars(select(Promotion.version).where(Promotion.model_id == model_id)
                                 .order_by(Promotion.id.desc())))
    if not history:
        raise StorageError(f"model '{model_id}' was never promoted: nothing to roll back")
    earlier = next((v for v in history[1:] if v != history[0]), None)
    if earlier is None:
        raise StorageError(f"model '{model_id}' has had only version {history[0]} promoted: nothing to roll back to")
    return promote(db, model_id, earlier, actor)


def _promoted(s, model_id: str) -> int | None:
    return s.scalar(select(Promotion.version).where(Promotion.model_id == model_id)
                    .order_by(Promotion.id.desc()).limit(1))


def _view(row: RegisteredModel, promoted: bool) -> VersionView:
    return VersionView(row.model_id, row.version, row.path, row.parent, row.created_by, row.created_at,
                       dict(row.report or {}), promoted)
