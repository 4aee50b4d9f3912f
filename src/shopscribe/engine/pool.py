"""Several llama.cpp contexts on one loaded model, each decoding its share of a call on its own thread.

On 2 cores, two single-threaded contexts write more tokens per second than one context on two threads
(docs/engine.md): each step of one context is llama.cpp's matrix work (the GIL released) followed by the
decoding controls in Python; with two contexts one computes while the other runs its controls, and
single-threaded kernels spend nothing on synchronising threads. The weights (and a LoRA adapter) are
loaded once and shared; each context has its own KV cache.

A call's requests are dealt to the contexts in turn (request i to context i mod n), so each context gets
a like mix of long and short outputs; sampling seeds follow the request's index in the whole call, so the
texts are those one context would write.
"""

from __future__ import annotations

import threading

from shopscribe.engine.request import DecodeRequest, OnToken
from shopscribe.engine.decoding import DecodingArgs


class ContextPool:
    """Looks like one engine (``decode``, ``stats``, ``tokenizer``, ``vocab``, ``chat_template``, ``close``)."""

    def __init__(self, engines: list):
        self.engines = engines
        first = engines[0]
        self.name, self.tokenizer, self.vocab = first.name, first.tokenizer, first.vocab

    @property
    def chat_template(self) -> str | None:
        return self.engines[0].chat_template

    @property
    def context_tokens(self) -> int:
        return self.engines[0].context_tokens

    @property
    def contexts(self) -> int:
        return len(self.engines)

    @property
    def stats(self) -> dict:
        return {k: sum(e.stats[k] for e in self.engines) for k in self.engines[0].stats}

    def decode(self, requests: list[DecodeRequest], decoding: DecodingArgs,
               on_token: OnToken | None = None) -> list[list[str]]:
        n = min(len(self.engines), len(requests))
        if n <= 1:  # one product (a service request, a latency probe): one context on every thread
            first = self.engines[0]
            first.set_threads(sum(e.threads for e in self.engines))
            try:
                return first.decode(requests, decoding, on_token)
            finally:
                first.set_threads(first.threads)
        shares = [list(range(k, len(requests), n)) for k in range(n)]
        results: list[list[list[str]] | None] = [None] * n
        errors: list[BaseException] = []
        lock = threading.Lock()

        def run(k: int) -> None:
            items = shares[k]
            callback = None
            if on_token is not None:
                def callback(item: int, candidate: int, generated: list[int]) -> None:
                    with lock:  # callers' callbacks need not be thread-safe
                        on_token(items[item], candidate, generated)
            try:
                results[k] = self.engines[k].decode([requests[i] for i in items], decoding, callback,
                                                    seed_items=items)
            except BaseException as exc:  # raised in the caller's thread below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(k,), name=f"llama-context-{k}") for k in range(1, n)]
        for t in threads:
            t.start()
        run(0)
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        out: list[list[str]] = [[] for _ in requests]
        for items, texts in zip(shares, results):
            for i, t in zip(items, texts):
                out[i] = t
        return out

    def close(self) -> None:
        for e in reversed(self.engines):  # the first owns the model: freed last
            e.close()
