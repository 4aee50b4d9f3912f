"""The audit log: who generated, changed or exported what, and when."""

from __future__ import annotations

from sqlalchemy import select

from shopscribe.storage.database import Database
from shopscribe.storage.tables import AuditEntry, ModelVersion


def record(db: Database, actor: str, action: str, subject: str = "", **detail) -> None:
    with db.session() as s:
        s.add(AuditEntry(actor=actor, action=action, subject=subject, detail=detail))


def entries(db: Database, limit: int = 100) -> list[dict]:
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
        return [{"at": r.at.isoformat(), "actor": r.actor, "action": r.action, "subject": r.subject,
                 "detail": r.detail} for r in rows]


def note_model_version(db: Database, model_id: str, source: str, fingerprint: str, engine: str) -> None:
    """Remember the first time this model id was served with these files."""
    with db.session() as s:
        seen = s.scalar(select(ModelVersion).where(ModelVersion.model_id == model_id,
                                                   ModelVersion.fingerprint == fingerprint))
        if seen is None:
            s.add(ModelVersion(model_id=model_id, source=source, fingerprint=fingerprint, engine=engine))
