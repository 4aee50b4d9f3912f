"""Requests from many clients decode together: one thread per served model drains a bounded queue and
hands everything waiting (after a short window) to the engine in one call; with the llama.cpp engine
(shared across threads, engine.shared) calls run at once and a request's sequences join the batch that
is already decoding.

Two kinds of work: ``CopyWork`` (products through the full pipeline: prompt → engine → length → guard)
and ``RawWork`` (OpenAI-style prompts: engine only, with optional streaming). Work with the same settings
is merged into one call; the results go back to each request's future."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any


class QueueFull(Exception):
    """More products wait than the queue holds: the caller should retry later (HTTP 503)."""

    def __init__(self, waiting: int, retry_after_s: int):
        super().__init__(f"{waiting} products are waiting for the engine")
        self.retry_after_s = retry_after_s


@dataclass
class CopyWork:
    key: tuple  # work with the same key shares one generator call
    records: list  # ProductRecord
    run: Callable[[list], list]  # records -> Generation rows (built by the host for this key)
    future: Future = field(default_factory=Future)
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None  # when the engine took it: started - submitted is the queueing time

    @property
    def size(self) -> int:
        return len(self.records)


@dataclass
class RawWork:
    key: str
    requests: list  # DecodeRequest
    run: Callable[[list, Callable | None], list]  # (requests, on_token) -> texts
    on_token: Callable[[int, int, list[int]], None] | None = None
    future: Future = field(default_factory=Future)
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None

    @property
    def size(self) -> int:
        return len(self.requests)


class Batcher:
    """The queue and the thread in front of one model's engine."""

    def __init__(self, name: str, queue_size: int, window_s: float,
                 on_batch: Callable[[str, int, float], None] | None = None, concurrent: bool = False):
        from concurrent.futures import ThreadPoolExecutor

        self.name = name
        # with an engine shared across threads (engine.shared), groups run at once and their sequences join
        # the running batch; otherwise one after another
        self._pool = ThreadPoolExecutor(16, thread_name_prefix=f"group-{name}") if concurrent else None
        self.queue_size = queue_size
        self.window_s = window_s
        self.on_batch = on_batch  # (kind, products, seconds) for metrics
        self._queue: queue.Queue = queue.Queue()
        self._waiting = 0
        self._lock = threading.Lock()
        self._recent_s: list[float] = []  # seconds per product of recent batches: the Retry-After estimate
        self._thread = threading.Thread(target=self._loop, name=f"batcher-{name}", daemon=True)
        self._stop = threading.Event()
        self._thread.start()

    @property
    def waiting(self) -> int:
        return self._waiting

    def submit(self, work: CopyWork | RawWork) -> Future:
        with self._lock:
            if self._waiting + work.size > self.queue_size:
                raise QueueFull(self._waiting, self._retry_after())
            self._waiting += work.size
        self._queue.put(work)
        return work.future

    def close(self) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def _retry_after(self) -> int:
        per_product = sum(self._recent_s) / len(self._recent_s) if self._recent_s else 1.0
        return max(1, round(self._waiting * per_product))

    def _loop(self) -> None:
        while not self._stop.is_set():
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.window_s
            while True:  # gather what arrives within the window (or is already waiting)
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is None:
                    self._stop.set()
                    break
                batch.append(item)
            for group in _groups(batch):
                if self._pool is not None:
                    self._pool.submit(self._run, group)
                else:
                    self._run(group)

    def _run(self, group: list[CopyWork | RawWork]) -> None:
        started = time.monotonic()
        size = sum(w.size for w in group)
        for w in group:
            w.started = started
        try:
            if isinstance(group[0], CopyWork):
                rows = group[0].run([r for w in group for r in w.records])
                _split(group, rows)
            else:
                _run_raw(group)
        except BaseException as exc:  # every waiting request learns it failed; the thread lives on
            for w in group:
                if not w.future.done():
                    w.future.set_exception(exc)
        finally:
            seconds = time.monotonic() - started
            with self._lock:
                self._waiting -= size
                self._recent_s = (self._recent_s + [seconds / max(size, 1)])[-20:]
            if self.on_batch:
                self.on_batch("copy" if isinstance(group[0], CopyWork) else "raw", size, seconds)


def _groups(batch: list) -> list[list]:
    groups: dict[tuple, list] = {}
    for w in batch:
        groups.setdefault((type(w).__name__, w.key), []).append(w)
    return list(groups.values())


def _split(group: list[CopyWork], rows: list[Any]) -> None:
    start = 0
    for w in group:
        w.future.set_result(rows[start:start + w.size])
        start += w.size


def _run_raw(group: list[RawWork]) -> None:
    offsets, start = [], 0
    for w in group:
        offsets.append(start)
        start += w.size
    owners = [(gi, j) for gi, w in enumerate(group) for j in range(w.size)]

    def on_token(item: int, candidate: int, ids: list[int]) -> None:
        gi, j = owners[item]
        if group[gi].on_token is not None:
            group[gi].on_token(j, candidate, ids)

    texts = group[0].run([r for w in group for r in w.requests], on_token)
    for w, off in zip(group, offsets):
        w.future.set_result(texts[off:off + w.size])
