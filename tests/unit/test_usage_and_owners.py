"""Storage behind the service's limits and ownership, on SQLite and PostgreSQL: usage counters shared by
every process (a sliding minute, refused work not charged), jobs seen by owner / team / admin, and job
workers taking turns between owners so one large catalog does not hold back everyone else's."""

from __future__ import annotations

from shopscribe.catalog.record import ProductRecord
from shopscribe.storage import open_database
from shopscribe.storage import jobs as store
from shopscribe.storage.usage import charge, over
from tests.unit.test_storage import database_url  # noqa: F401 (fixture: SQLite and PostgreSQL)

T0 = 1_800_000_000.0  # the start of a minute (a multiple of 60)


def test_usage_counts_a_sliding_minute_and_charges_nothing_it_refuses(database_url):
    db = open_database(database_url)
    assert [charge(db, "key:a", requests=1, rate=3, now=T0 + 10) for _ in range(3)] == [None] * 3
    refused = charge(db, "key:a", requests=1, rate=3, now=T0 + 10)
    assert refused.what == "requests" and refused.retry_after_s >= 1
    assert charge(db, "key:b", requests=1, rate=3, now=T0 + 10) is None  # another key has its own count
    # the next minute: 3 of the previous one still weigh 3 × (1 - 0.5) = 1.5 at its middle
    assert charge(db, "key:a", requests=1, rate=3, now=T0 + 90) is None
    assert charge(db, "key:a", requests=1, rate=3, now=T0 + 90) is not None  # 1.5 + 2 > 3
    assert charge(db, "key:t", tokens=700, budget=1000, now=T0) is None
    too_much = charge(db, "key:t", tokens=400, budget=1000, now=T0 + 1)
    assert too_much.what == "tokens" and too_much.used == 1100
    assert charge(db, "key:t", tokens=300, budget=1000, now=T0 + 2) is None  # the refused 400 were not kept
    assert over(db, "key:a", rate=2, now=T0 + 90).used == 2.5  # 3 × 0.5 + 1 (refused requests not counted)
    assert over(db, "key:a", rate=3, now=T0 + 90) is None and over(db, "key:z", rate=3, now=T0) is None
    db.close()


def records(prefix: str, n: int) -> list[ProductRecord]:
    return [ProductRecord(id=f"{prefix}{i}", title="Shirt") for i in range(n)]


def test_jobs_are_seen_by_owner_team_and_admin_and_owners_take_turns(database_url):
    db = open_database(database_url)
    make = dict(task="title", model="m", options={}, source="inline", rejects=[])
    big = store.create_job(db, **make, records=records("a", 12), created_by="ann", team="shoes")
    small = store.create_job(db, **make, records=records("c", 2), created_by="cid")
    assert [j.id for j in store.list_jobs(db, viewer=store.Viewer("bob", "shoes"))] == [big.id]
    assert [j.id for j in store.list_jobs(db, viewer=store.Viewer("cid"))] == [small.id]
    assert {j.id for j in store.list_jobs(db, viewer=store.Viewer("root", everything=True))} == {big.id, small.id}
    assert store.get_job(db, big.id, store.Viewer("cid")) is None
    assert store.get_job(db, big.id, store.Viewer("bob", "shoes")).id == big.id
    order = []
    while (got := store.claim(db, "w", limit=4, lease_s=60)) is not None:
        job, items = got
        order.append((job.created_by, len(items)))
        store.complete(db, job.id, "w", [(i.id, {"id": i.product_id}) for i in items])
    # the small job of another owner is written after the big job's first batch, not after all of it
    assert order == [("ann", 4), ("cid", 2), ("ann", 4), ("ann", 4)]
    db.close()
