"""API keys: created once (the secret is shown once), stored as SHA-256, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from shopscribe.errors import KeyNotFound, StorageError
from shopscribe.storage.database import Database
from shopscribe.storage.tables import ApiKey, utcnow

SCOPES = ("generate", "jobs", "review", "admin")
KEY_PREFIX = "ss-"


@dataclass(frozen=True)
class ApiKeyInfo:
    name: str
    prefix: str
    scopes: tuple[str, ...]
    rate_per_minute: int | None
    created_at: datetime
    revoked_at: datetime | None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(db: Database, name: str, scopes: list[str], rate_per_minute: int | None = None) -> tuple[str, ApiKeyInfo]:
    """A new key; returns the secret (shown this once) and its record."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise StorageError(f"unknown scope(s) {unknown}; choose from {list(SCOPES)}" if unknown
                           else f"a key needs at least one scope from {list(SCOPES)}")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.session() as s:
        if s.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
            raise StorageError(f"a key named '{name}' exists already: pick another name or revoke it first")
        row = ApiKey(name=name, prefix=secret[:10], key_hash=hash_key(secret), scopes=list(scopes),
                     rate_per_minute=rate_per_minute)
        s.add(row)
        s.flush()
        return secret, _info(row)


def find_key(db: Database, secret: str) -> ApiKeyInfo | None:
    """The active key whose secret this is, or None."""
    with db.session() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None)))
        return _info(row) if row is not None else None


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


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(row.name, row.prefix, tuple(row.scopes), row.rate_per_minute, row.created_at, row.revoked_at)
