"""API keys: created once (the secret is shown once), stored as SHA-256, scoped, revocable, optionally
expiring and rotated with a grace period; a key may belong to a team, whose keys share its jobs."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from shopscribe.errors import KeyNotFound, StorageError
from shopscribe.storage.database import Database
from shopscribe.storage.tables import ApiKey, aware, utcnow

# generate: copy and OpenAI routes; jobs: catalog jobs (own and team's); review: the review routes;
# guard:off: may send guard=false; admin: everything, every job, /metrics with job ids
SCOPES = ("generate", "jobs", "review", "guard:off", "admin")
KEY_PREFIX = "ss-"


@dataclass(frozen=True)
class ApiKeyInfo:
    name: str
    prefix: str
    scopes: tuple[str, ...]
    rate_per_minute: int | None
    created_at: datetime | None
    revoked_at: datetime | None
    team: str | None = None
    expires_at: datetime | None = None
    tokens_per_minute: int | None = None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    @property
    def admin(self) -> bool:
        return "admin" in self.scopes


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Database, name: str, scopes: list[str], rate_per_minute: int | None = None, *,
               team: str | None = None, expires_at: datetime | None = None,
               tokens_per_minute: int | None = None) -> tuple[str, ApiKeyInfo]:
    """A new key; returns the secret (shown this once) and its record."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise StorageError(f"unknown scope(s) {unknown}; choose from {list(SCOPES)}" if unknown
                           else f"a key needs at least one scope from {list(SCOPES)}")
    if expires_at is not None and aware(expires_at) <= utcnow():
        raise StorageError(f"expires_at {expires_at.isoformat()} is in the past")
    secret = _secret()
    with db.session() as s:
        if s.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
            raise StorageError(f"a key named '{name}' exists already: pick another name or revoke it first")
        row = ApiKey(name=name, prefix=secret[:10], key_hash=hash_key(secret), scopes=list(scopes),
                     rate_per_minute=rate_per_minute, tokens_per_minute=tokens_per_minute, team=team,
                     expires_at=expires_at)
        s.add(row)
        s.flush()
        return secret, _info(row)


def find_key(db: Database, secret: str) -> ApiKeyInfo | None:
    """The active, unexpired key whose secret this is (or whose previous secret, within the rotation grace
    period), or None."""
    digest, now = hash_key(secret), utcnow()
    with db.session() as s:
        row = s.scalar(select(ApiKey).where(or_(ApiKey.key_hash == digest, ApiKey.previous_hash == digest),
                                            ApiKey.revoked_at.is_(None)))
        if row is None or (row.expires_at is not None and aware(row.expires_at) <= now):
            return None
        if row.key_hash != digest and (row.previous_until is None or aware(row.previous_until) <= now):
            return None
        return _info(row)


def rotate_key(db: Database, name: str, grace_s: float = 0) -> tuple[str, ApiKeyInfo]:
    """A new secret for the key ``name`` (same scopes, team and limits); the old secret keeps working for
    ``grace_s`` seconds, so clients can switch without an outage."""
    secret = _secret()
    with db.session() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
        if row is None:
            raise KeyNotFound(f"no active key named '{name}' (see: shopscribe keys list)")
        row.previous_hash = row.key_hash if grace_s > 0 else None
        row.previous_until = utcnow() + timedelta(seconds=grace_s) if grace_s > 0 else None
        row.key_hash, row.prefix = hash_key(secret), secret[:10]
        return secret, _info(row)


def list_keys(db: Database) -> list[ApiKeyInfo]:
    with db.session() as s:
        return [_info(r) for r in s.scalars(select(ApiKey).order_by(ApiKey.id))]


def revoke_key(db: Database, name: str) -> ApiKeyInfo:
    with db.session() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.name == name, ApiKey.revoked_at.is_(None)))
        if row is None:
            raise KeyNotFound(f"no active key named '{name}' (see: shopscribe keys list)")
        row.revoked_at = utcnow()
        return _info(row)


def _secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(row.name, row.prefix, tuple(row.scopes), row.rate_per_minute, row.created_at, row.revoked_at,
                      row.team, row.expires_at, row.tokens_per_minute)
