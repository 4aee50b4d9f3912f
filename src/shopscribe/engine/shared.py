"""One llama.cpp decoding loop shared by callers on many threads (the service): each caller's sequences join
the batch already running, as soon as KV-cache slots free up, instead of waiting for it to finish."""

from __future__ import annotations

import queue
import threading
from collections import deque

from shopscribe.engine.request import DecodeRequest, OnToken
from shopscribe.engine.decoding import DecodingArgs


class SharedEngine:
    """Wraps a ``LlamaCppEngine``: ``decode`` may be called from any thread; one loop thread owns the engine."""

    def __init__(self, engine):
        self.engine, self.name, self.tokenizer = engine, engine.name, engine.tokenizer
        self._inbox: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="engine-loop", daemon=True)
        self._thread.start()

    @property
    def stats(self) -> dict:
        return self.engine.stats

    def __getattr__(self, name):  # chat_template, vocab, close…
        return getattr(self.engine, name)

    def decode(self, requests: list[DecodeRequest], decoding: DecodingArgs,
               on_token: OnToken | None = None) -> list[list[str]]:
        call = self.engine.prepare(requests, decoding, on_token)  # bad prompts fail here, in the caller
        if call is None:
            return []
        self._inbox.put(call)
        call.done.wait()
        if call.error is not None:
            raise call.error
        return self.engine.texts(call)

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=10)
        self.engine.close()

    def _loop(self) -> None:
        pending: deque = deque()
        active: dict = {}
        while True:
            if not pending and not active:
                call = self._inbox.get()
                if call is None:
                    return
                pending.extend(call.seqs())
            while True:  # whatever else arrived joins now
                try:
                    call = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if call is None:
                    return
                pending.extend(call.seqs())
            try:
                self.engine.step(pending, active)
            except BaseException as exc:  # every waiting caller learns it; the loop lives on
                for s in list(pending) + list(active.values()):
                    s.call.error = exc
                    s.call.done.set()
                for slot in list(active):
                    self.engine.L.llama_memory_seq_rm(self.engine._mem, slot, -1, -1)
                pending.clear()
                active.clear()
