"""Usage counters in the database: requests and generated-token budget per subject (a key's name, or
``addr:<ip>`` for requests without a valid key) per minute, shared by every process and replica.

A sliding-window counter (the current minute's count plus the previous minute's, weighted by how much of
it still lies inside the last 60 seconds), incremented with one atomic upsert; a charge over the limit is
rolled back, so refused work spends nothing."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import delete, select

from shopscribe.storage.database import Database
from shopscribe.storage.tables import UsageCounter


@dataclass(frozen=True)
class Refusal:
    what: str  # "requests" | "tokens"
    used: float
    limit: int
    retry_after_s: int


class _Over(Exception):
    def __init__(self, refusal: Refusal):
        self.refusal = refusal


def charge(db: Database, subject: str, *, requests: int = 0, tokens: int = 0, rate: int | None = None,
           budget: int | None = None, now: float | None = None) -> Refusal | None:
    """Count ``requests`` and ``tokens`` for ``subject`` unless that takes the last 60 s over ``rate``
    requests or ``budget`` tokens; returns None when allowed, else what was over and when to retry."""
    now = time.time() if now is None else now
    window, into = int(now // 60), (now % 60) / 60
    try:
        with db.session() as s:
            current = _add(s, db, subject, window, requests, tokens)
            previous = s.get(UsageCounter, (subject, window - 1))
            prev = (previous.requests, previous.tokens) if previous is not None else (0, 0)
            for what, cur, before, limit in (("requests", current[0], prev[0], rate),
                                             ("tokens", current[1], prev[1], budget)):
                used = before * (1 - into) + cur
                if limit is not None and used > limit and (requests if what == "requests" else tokens):
                    raise _Over(Refusal(what, used, limit, _retry_after(cur, before, limit, into)))
            if now % 60 < 1:  # about once a minute per subject: forget windows no longer read
                s.execute(delete(UsageCounter).where(UsageCounter.subject == subject,
                                                     UsageCounter.window < window - 1))
    except _Over as over:
        return over.refusal
    return None


def over(db: Database, subject: str, *, rate: int, now: float | None = None) -> Refusal | None:
    """Whether ``subject`` is over ``rate`` requests in the last 60 s, without counting anything."""
    now = time.time() if now is None else now
    window, into = int(now // 60), (now % 60) / 60
    with db.session() as s:
        rows = {w: r for w, r in s.execute(select(UsageCounter.window, UsageCounter.requests).where(
            UsageCounter.subject == subject, UsageCounter.window.in_((window - 1, window))))}
    cur, before = rows.get(window, 0), rows.get(window - 1, 0)
    used = before * (1 - into) + cur
    return Refusal("requests", used, rate, _retry_after(cur, before, rate, into)) if used >= rate else None


def _add(s, db: Database, subject: str, window: int, requests: int, tokens: int) -> tuple[int, int]:
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(UsageCounter).values(subject=subject, window=window, requests=requests, tokens=tokens)
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject", "window"],
        set_={"requests": UsageCounter.requests + requests, "tokens": UsageCounter.tokens + tokens},
    ).returning(UsageCounter.requests, UsageCounter.tokens)
    row = s.execute(stmt).one()
    return int(row[0]), int(row[1])


def _retry_after(cur: int, before: int, limit: int, into: float) -> int:
    """Seconds until the weighted count falls back under ``limit`` (the previous minute fades out)."""
    if cur >= limit or before == 0:
        return max(1, math.ceil((1 - into) * 60))
    needed = (before * (1 - into) + cur - limit) / before  # the share of the previous minute that must fade
    return max(1, math.ceil(needed * 60))
