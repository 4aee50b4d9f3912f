"""Storage on SQLite and on a real PostgreSQL server (127.0.0.1:5432, database test).

A plain local run skips the PostgreSQL cases when no server answers (with how to enable them);
CI sets SHOPSCRIBE_REQUIRE_POSTGRES=1, which makes a missing server a failure."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest

from shopscribe.errors import KeyNotFound, StorageError
from shopscribe.storage import audit, open_database
from shopscribe.storage.keys import create_key, find_key, list_keys, revoke_key

PG_URL = os.environ.get("SHOPSCRIBE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_url() -> str:
    """A fresh schema on the test server, so runs never see each other's rows."""
    import sqlalchemy as sa

    schema = f"shopscribe_test_{uuid.uuid4().hex[:8]}"
    try:
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        engine.dispose()
    except Exception as exc:
        if os.environ.get("SHOPSCRIBE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {PG_URL} is required (SHOPSCRIBE_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"no PostgreSQL at {PG_URL} ({type(exc).__name__}); start one or set "
                    "SHOPSCRIBE_TEST_POSTGRES_URL to run these tests")
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shopscribe.db'}"
        return
    url, schema = postgres_url()
    yield url
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


def test_migrations_run_once_and_again(database_url):
    db = open_database(database_url)
    assert db.ping()
    db.close()
    again = open_database(database_url)  # already at head: nothing to do, nothing lost
    assert again.ping()


def test_keys_are_stored_hashed_scoped_and_revocable(database_url):
    db = open_database(database_url)
    secret, info = create_key(db, "pim", ["generate", "jobs"], rate_per_minute=30)
    assert secret.startswith("ss-") and info.scopes == ("generate", "jobs")
    with db.engine.connect() as conn:
        (name, key_hash, prefix), = [tuple(r) for r in conn.exec_driver_sql("SELECT name, key_hash, prefix FROM api_keys")]
    assert key_hash == hashlib.sha256(secret.encode()).hexdigest()  # the secret itself is stored nowhere
    assert prefix == secret[:10] and secret not in (name, key_hash, prefix)
    found = find_key(db, secret)
    assert found.name == "pim" and found.allows("jobs") and not found.allows("review")
    assert find_key(db, secret + "x") is None
    with pytest.raises(StorageError, match="exists already"):
        create_key(db, "pim", ["generate"])
    with pytest.raises(StorageError, match="unknown scope"):
        create_key(db, "other", ["everything"])
    revoke_key(db, "pim")
    assert find_key(db, secret) is None
    assert list_keys(db)[0].revoked_at is not None
    with pytest.raises(KeyNotFound):
        revoke_key(db, "pim")


def test_audit_log_keeps_who_did_what(database_url):
    db = open_database(database_url)
    audit.record(db, "pim", "copy.describe", "sku-1,sku-2", model="m@1", products=2)
    audit.record(db, "cli", "key.revoke", "pim")
    rows = audit.entries(db)
    assert [r["action"] for r in rows] == ["key.revoke", "copy.describe"]
    assert rows[1]["detail"] == {"model": "m@1", "products": 2} and rows[1]["actor"] == "pim"


def test_a_bad_database_url_says_which(tmp_path):
    with pytest.raises(StorageError, match="database_url"):
        open_database("nosuchdialect://x")
