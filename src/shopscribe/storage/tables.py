"""The tables. Changing one means a new migration under ``storage/migrations/versions``."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(t: datetime) -> datetime:
    """``t`` with UTC attached when the database returned it naive (SQLite keeps no time zone)."""
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    """An API key: only its SHA-256 is stored; ``prefix`` (the first characters) identifies it in lists."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scopes: Mapped[list] = mapped_column(JSON)
    rate_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_per_minute: Mapped[int | None] = mapped_column(Integer, nullable=True)
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)  # keys of a team share its jobs
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # after `keys rotate`, the old secret's hash stays valid until previous_until (a grace period)
    previous_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    previous_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEntry(Base):
    """Who generated, changed or exported what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text, default="", index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class ModelVersion(Base):
    """A model the service has served: its id, what it was loaded from and a fingerprint of its files."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    engine: Mapped[str] = mapped_column(String(32))
    first_served_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Job(Base):
    """A catalog job: products written by the worker processes, resumable, each product once."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued | running | done | cancelled | failed
    task: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    rejects: Mapped[list] = mapped_column(JSON, default=list)  # row, field, reason, product id of each bad row
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))  # the key's name: the job's owner
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the owner's team: its keys see the job
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class JobItem(Base):
    """One product of a job; ``result`` is written once, in the same transaction that marks it done."""

    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "product_id"), Index("ix_job_items_claim", "job_id", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(500))
    record: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UsageCounter(Base):
    """Requests and generated-token budget spent by one subject (a key, or a client address without a key)
    in one minute (``window`` = minutes since the epoch): shared by every process and replica."""

    __tablename__ = "usage_counters"

    subject: Mapped[str] = mapped_column(String(250), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    tokens: Mapped[int] = mapped_column(Integer, default=0)


class ReviewItem(Base):
    """An editor's review of one job product: the copy as written (``result``, replaced by a regeneration),
    the state, the approved text, the draft being typed, and ``revision`` — every save names the revision it
    started from, so two reviewers never overwrite each other silently (``storage.review``)."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_items_queue", "job_id", "state", "guard_status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(32), ForeignKey("jobs.id", ondelete="CASCADE"))
    job_item_id: Mapped[int] = mapped_column(Integer, ForeignKey("job_items.id", ondelete="CASCADE"), unique=True)
    idx: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(500), index=True)
    locale: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(500), nullable=True)
    guard_status: Mapped[str] = mapped_column(String(16))  # pass | flagged | off (of the copy as written)
    model_version: Mapped[str] = mapped_column(String(300))
    result: Mapped[dict] = mapped_column(JSON)  # the output row (text, guard report, model version)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    text: Mapped[str | None] = mapped_column(Text, nullable=True)  # the approved text (edited or not)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)  # the approved text differs from the written one
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was rejected
    draft: Mapped[str | None] = mapped_column(Text, nullable=True)  # an edit in progress, saved as typed
    draft_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    reviewer: Mapped[str | None] = mapped_column(String(200), nullable=True)  # who last saved anything
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RegisteredModel(Base):
    """A version of a served model id: the run folder it is loaded from, the version it was retrained
    from and the comparison written when it was made (``storage.registry``)."""

    __tablename__ = "model_registry"
    __table_args__ = (UniqueConstraint("model_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(Text)
    parent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class Promotion(Base):
    """Which version of a model id is served: the latest row wins; a rollback adds a row."""

    __tablename__ = "model_promotions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
