"""The llama.cpp backend: GGUF models decoded with continuous batching through llama-cpp-python's
low-level batch API.

Up to ``slots`` outputs decode together, one token each per ``llama_decode`` call; a finished output
frees its slot at once and the next product's prompt is fed in the same call (chunked to the batch
size), so products of different lengths never wait for each other. The prompt text every request
shares (the task's instructions) is decoded once into a prefix sequence and copied into each new
sequence (``llama_memory_seq_cp``), and stays cached across calls.

The KV cache is unified (one stream: the prefix is copied as cell metadata). ``unified=False`` gives
each sequence its own stream of ``seq_ctx`` cells (the prefix then costs a buffer copy per product); it
measured slower here (docs/engine.md).

Per output row and step the decoding controls run on that row's logits, in transformers' order:
repetition penalty, no-repeat n-grams, Mention boosting, the guard's text constraints (top-k
candidates only), then greedy choice or sampling. No Python loop touches the whole vocabulary.
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from pathlib import Path

from shopscribe.engine.controls import RowControls
from shopscribe.engine.request import DecodeRequest, OnToken
from shopscribe.errors import EngineError
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.models.loading import stop_token_ids

STOP_TEXT = "\n\n"  # the text ends at the first blank line, as on the transformers path
PROMPT_STATES_MB = 512  # prompt KV states kept for restoring (about 5 MB per product prompt of Gemma 3 270M)


_LOG_CALLBACK = None


def _quiet_log_callback(L):
    """A llama.cpp log callback that passes on errors only (its info and warnings flood stderr)."""
    global _LOG_CALLBACK
    if _LOG_CALLBACK is None:
        import sys

        def log(level: int, text: bytes, _user) -> None:
            if level == 4:  # GGML_LOG_LEVEL_ERROR (ggml.h: none, debug, info, warn, error, cont)
                print(text.decode("utf-8", "replace"), end="", file=sys.stderr)

        _LOG_CALLBACK = L.llama_log_callback(log)  # kept alive: llama.cpp holds the pointer
    return _LOG_CALLBACK


class _Call:
    """One ``decode`` call: its requests, tokenised prompts, controls and outputs; ``done`` is set when its
    last output finishes (callers on other threads wait on it, see engine.shared)."""

    def __init__(self, requests: list[DecodeRequest], prompts: list[list[int]], controls: RowControls,
                 on_token: OnToken | None, seed_items: list[int] | None = None, splits: list[int] | None = None):
        import threading

        self.requests, self.prompts, self.controls, self.on_token = requests, prompts, controls, on_token
        self.splits = splits or [len(p) for p in prompts]  # per request: the end of its own prompt
        self.seed_items = seed_items or list(range(len(requests)))  # a request's index in the caller's call
        self.outputs: list[list[list[int]]] = [[[] for _ in range(r.n)] for r in requests]
        self.left = sum(r.n for r in requests)
        self.done = threading.Event()
        self.error: BaseException | None = None

    def seqs(self) -> list[_Seq]:
        return [_Seq(self, i, c, p, 0, rng=self.controls.rng(self.seed_items[i], c), split=self.splits[i])
                for i, (p, r) in enumerate(zip(self.prompts, self.requests)) for c in range(r.n)]


@dataclass
class _Seq:
    """One output being written: a request's candidate in a KV-cache slot."""

    call: _Call
    item: int  # index of its request in the call
    candidate: int
    prompt: list[int]
    fed: int  # prompt tokens already in the KV cache (the shared prefix counts)
    generated: list[int] = field(default_factory=list)
    text_tail: str = ""
    rng: object = None
    split: int = 0  # prompt tokens that are the request's own prompt (the rest: the answer's kept start)

    @property
    def prefilling(self) -> bool:
        return self.fed < len(self.prompt)


class LlamaCppEngine:
    """Loads a GGUF (and optionally a GGUF LoRA adapter) once; ``decode`` is reusable across calls."""

    name = "llama.cpp"

    def __init__(self, gguf: Path, tokenizer, *, lora: Path | None = None, num_threads: int | None = None,
                 slots: int = 32, seq_ctx: int = 1024, n_batch: int = 512, unified: bool = True, vocab=None,
                 shared_with: LlamaCppEngine | None = None, isolate: bool = True,
                 prompt_states_mb: int = PROMPT_STATES_MB):
        """``shared_with``: another engine whose loaded model (weights, LoRA adapter) this one reuses, with a
        context of its own (engine.pool)."""
        import os

        import llama_cpp as L

        L.llama_log_set(_quiet_log_callback(L), ctypes.c_void_p(0))
        L.llama_backend_init()
        self.L = L
        self.tokenizer = tokenizer
        self.stop_ids = set(stop_token_ids(tokenizer))
        # KV cells: per sequence, a prompt and its new tokens; a unified cache holds them all in one stream
        n_ctx = (slots + 1) * seq_ctx if not unified else max(4096, slots * seq_ctx // 2)
        self.slots, self.n_ctx, self.n_batch, self.unified = slots, n_ctx, n_batch, unified
        self.seq_ctx = n_ctx // 2 if unified else seq_ctx  # the most one request may take
        self.context_tokens = self.seq_ctx
        self.gguf, self.lora = Path(gguf), Path(lora) if lora else None
        self.isolate = isolate  # one sequence at a time in a cleared cache (see _step_isolated)
        self._owns_model, self._owner = shared_with is None, shared_with  # the owner outlives its sharers
        self._model = (shared_with._model if shared_with is not None
                       else L.llama_model_load_from_file(str(gguf).encode(), L.llama_model_default_params()))
        if not self._model:
            raise EngineError(f"llama.cpp could not load {gguf}")
        params = L.llama_context_default_params()
        threads = self.threads = num_threads or min(os.cpu_count() or 1, 8)
        params.n_ctx, params.n_batch, params.n_ubatch = n_ctx, n_batch, n_batch
        params.n_seq_max = slots + 1  # + the shared-prefix sequence
        params.n_threads = params.n_threads_batch = threads
        params.kv_unified, params.swa_full = unified, True  # full SWA buffers: the prefix can be copied
        self._ctx = L.llama_init_from_model(self._model, params)
        if not self._ctx:
            raise EngineError(f"llama.cpp could not create a context for {gguf} (n_ctx={n_ctx}, slots={slots})")
        if lora is not None:
            self._set_lora(Path(lora), shared_with)
        self.n_vocab = L.llama_vocab_n_tokens(L.llama_model_get_vocab(self._model))
        self.vocab = vocab  # engine.vocab.VocabMap when the GGUF's output layer was cut to a catalog's tokens
        if vocab is not None:
            import torch

            self._keep = torch.tensor(vocab.keep, dtype=torch.long)
            # full-vocabulary rows; columns of cut tokens stay -inf (no control ever raises a -inf logit)
            self._full_rows = torch.full((slots + 1, vocab.full_size), float("-inf"))
        self._mem = L.llama_get_memory(self._ctx)
        self._batch = L.llama_batch_init(n_batch, 0, slots + 1)
        self._prefix: list[int] = []  # tokens held by the prefix sequence (id = slots)
        self._prefix_call: _Call | None = None  # the call whose prompts that prefix was shared for
        self.stats = {"generated_tokens": 0, "prompt_tokens": 0, "decode_calls": 0, "prompt_tokens_restored": 0}
        # isolated decoding: the KV state of each prompt a request asks to keep, to restore when a prompt that
        # starts with it comes again (the guard's repair of a product: its prompt and the kept start of its
        # answer); shared
        # by the contexts of one model (a state moves between contexts of the same model and settings)
        self._states = shared_with._states if shared_with is not None else PromptStates(prompt_states_mb)

    @property
    def chat_template(self) -> str | None:
        """The chat template the GGUF carries (``tokenizer.chat_template``), if any."""
        raw = self.L.llama_model_chat_template(self._model, None)
        return raw.decode("utf-8") if raw else None

    def _set_lora(self, path: Path, shared_with: LlamaCppEngine | None = None) -> None:
        L = self.L
        self._adapter = (shared_with._adapter if shared_with is not None
                         else L.llama_adapter_lora_init(self._model, str(path).encode()))
        if not self._adapter:
            raise EngineError(f"llama.cpp could not load the LoRA adapter {path}")
        adapters = (L.llama_adapter_lora_p_ctypes * 1)(self._adapter)
        if L.llama_set_adapters_lora(self._ctx, adapters, 1, (ctypes.c_float * 1)(1.0)) != 0:
            raise EngineError(f"llama.cpp could not apply the LoRA adapter {path}")

    def set_threads(self, threads: int) -> None:
        """Threads of this context's kernels from the next ``llama_decode`` on."""
        self.L.llama_set_n_threads(self._ctx, threads, threads)

    def close(self) -> None:
        if getattr(self, "_ctx", None):
            self.L.llama_batch_free(self._batch)
            self.L.llama_free(self._ctx)
            if self._owns_model:
                self.L.llama_model_free(self._model)
            self._ctx = None

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone already
            pass

    # -- decoding -------------------------------------------------------------------------------
    def decode(self, requests: list[DecodeRequest], decoding: DecodingArgs,
               on_token: OnToken | None = None, seed_items: list[int] | None = None) -> list[list[str]]:
        """``seed_items``: each request's index in the caller's whole call (sampling seeds depend on it)."""
        call = self.prepare(requests, decoding, on_token, seed_items)
        if call is None:
            return []
        pending: deque[_Seq] = deque(call.seqs())
        active: dict[int, _Seq] = {}
        while pending or active:
            self.step(pending, active)
        return self.texts(call)

    def prepare(self, requests: list[DecodeRequest], decoding: DecodingArgs,
                on_token: OnToken | None = None, seed_items: list[int] | None = None) -> _Call | None:
        """A call's prompts tokenised and checked, its controls built (raises before anything is decoded)."""
        if decoding.strategy == "beam":
            raise EngineError("the llama.cpp engine has no beam search: use decoding.strategy=greedy or sample, "
                              "or engine=transformers")
        if not requests:
            return None
        prompts = [self.tokenizer(r.prompt, add_special_tokens=True)["input_ids"] for r in requests]
        heads = [self.tokenizer(r.prompt[:-r.answer_chars], add_special_tokens=True)["input_ids"]
                 if r.answer_chars else p for r, p in zip(requests, prompts)]
        if self.vocab is not None:  # a token the cut layer lacks is fed as kept pieces of its text
            prompts, heads = [self.vocab.respell(p) for p in prompts], [self.vocab.respell(h) for h in heads]
        # where each prompt's own part ends (the answer's kept start follows): decoded apart on the isolated
        # path, so a remembered state of it gives the same cells (PromptStates)
        splits = [len(h) if 1 < len(h) <= len(p) and p[:len(h)] == h else len(p) for h, p in zip(heads, prompts)]
        for p, r in zip(prompts, requests):
            if len(p) + r.max_new_tokens > self.seq_ctx:
                raise EngineError(f"a prompt of {len(p)} tokens and {r.max_new_tokens} new tokens do not fit the "
                                  f"engine's context of {self.seq_ctx} tokens per sequence: raise seq_ctx")
        controls = RowControls(self.tokenizer, requests, decoding, sorted(self.stop_ids))
        return _Call(requests, prompts, controls, on_token, seed_items, splits)

    def step(self, pending: deque, active: dict) -> None:
        """One ``llama_decode``: a token for every decoding sequence, prompt tokens of new ones. Sequences of
        several calls may decode together; a call's sequences are admitted after its prompt prefix is shared.
        With ``isolate`` each sequence is decoded alone in a cleared cache (``_step_isolated``)."""
        if self.isolate:
            self._step_isolated(pending, active)
            return
        if pending and pending[0].call is not self._prefix_call and len(active) < self.slots:
            self._share_prefix(pending[0].call.prompts)
            self._prefix_call = pending[0].call
        rows = self._fill_batch(active, pending)
        if self.L.llama_decode(self._ctx, self._batch) != 0:
            raise EngineError("llama_decode failed (KV cache full?): lower slots or raise n_ctx")
        self.stats["decode_calls"] += 1
        self._step(rows, active)

    def _step_isolated(self, pending: deque, active: dict) -> None:
        """One sequence at a time, each in a cleared KV cache: its prompt but the last token decoded without
        logits, then the last token alone, then one token per step. With this build of llama.cpp and a LoRA
        run of Gemma 3, a sequence decoded while other sequences' cells are in the cache (or after they were
        removed) writes corrupted text — attribute words missing, <unk> tokens (docs/engine.md) — and a
        prompt decoded in one batch with its logits does too. On this path a greedy text is the same
        whatever it is decoded with or after (tests/integration/test_llama_engine.py)."""
        self._batch.n_tokens = 0
        if not active:
            s = pending.popleft()
            self.L.llama_memory_clear(self._mem, True)
            # the prompt but its last token, in the prefix sequence: first the request's own prompt (restored
            # when remembered, else decoded and remembered), then the answer's kept start
            own = s.prompt[:s.split or len(s.prompt)]
            self._prefix, self._prefix_call = self._states.restore(self, own[:-1]), None
            self.stats["prompt_tokens_restored"] += len(self._prefix)
            self._share_prefix([own])
            if s.call.requests[s.item].keep_prompt:
                self._states.save(self, self._prefix)
            if len(own) < len(s.prompt):
                self._share_prefix([s.prompt])
            self.L.llama_memory_seq_cp(self._mem, self.slots, 0, -1, -1)
            s.fed = len(self._prefix)
            active[0] = s
            self._batch.n_tokens = 0  # the prefix's batch is done
            self._feed_prompt(0, s)  # the last prompt token, with logits
        else:
            (slot, s), = active.items()
            self._add(s.generated[-1], len(s.prompt) + len(s.generated) - 1, slot, True)
        if self.L.llama_decode(self._ctx, self._batch) != 0:
            raise EngineError("llama_decode failed (KV cache full?): lower slots or raise n_ctx")
        self.stats["decode_calls"] += 1
        self._step([next(iter(active))], active)

    def texts(self, call: _Call) -> list[list[str]]:
        return [[self.tokenizer.decode(ids, skip_special_tokens=True) for ids in out] for out in call.outputs]

    def _share_prefix(self, prompts: list[list[int]]) -> None:
        """Keep in the prefix sequence the longest token prefix all prompts share (less one token, so every
        sequence feeds at least one token of its own); decode only what the cache lacks."""
        common = min(len(p) for p in prompts) - 1
        first = prompts[0]
        for p in prompts[1:]:
            common = next((k for k in range(common) if p[k] != first[k]), common)
        keep = next((k for k in range(min(common, len(self._prefix))) if self._prefix[k] != first[k]),
                    min(common, len(self._prefix)))
        self.L.llama_memory_seq_rm(self._mem, self.slots, keep, -1)
        new = first[keep:common]
        for start in range(0, len(new), self.n_batch):
            chunk = new[start:start + self.n_batch]
            self._batch.n_tokens = 0
            for j, tok in enumerate(chunk):
                self._add(tok, keep + start + j, self.slots, False)
            if self.L.llama_decode(self._ctx, self._batch) != 0:
                raise EngineError("llama_decode failed on the shared prompt prefix")
        self.stats["prompt_tokens"] += len(new)
        self._prefix = first[:common]

    def _add(self, token: int, pos: int, seq: int, logits: bool) -> None:
        """Add one token (a full-vocabulary id) to the batch."""
        b, i = self._batch, self._batch.n_tokens
        if self.vocab is not None:
            token = int(self.vocab.to_reduced[token])
        b.token[i], b.pos[i], b.n_seq_id[i], b.logits[i] = token, pos, 1, logits
        b.seq_id[i][0] = seq
        b.n_tokens = i + 1

    def _fill_batch(self, active: dict[int, _Seq], pending: deque) -> list[int]:
        """One token for every decoding sequence, then prompt tokens of prefilling and new sequences up to
        the batch size. Returns the slots whose logits this call computes, in output order."""
        self._batch.n_tokens = 0
        rows = []
        for slot, s in active.items():
            if not s.prefilling:
                self._add(s.generated[-1], len(s.prompt) + len(s.generated) - 1, slot, True)
                rows.append(slot)
        free = [slot for slot in range(self.slots) if slot not in active]
        for slot, s in list(active.items()):
            if s.prefilling and self._feed_prompt(slot, s):
                rows.append(slot)
        while (pending and free and self._batch.n_tokens < self.n_batch and pending[0].call is self._prefix_call
               and self._fits(active, pending[0])):
            slot, s = free.pop(0), pending.popleft()
            self.L.llama_memory_seq_rm(self._mem, slot, -1, -1)
            self.L.llama_memory_seq_cp(self._mem, self.slots, slot, -1, -1)
            s.fed = len(self._prefix)
            active[slot] = s
            if self._feed_prompt(slot, s):
                rows.append(slot)
        return rows

    def _feed_prompt(self, slot: int, s: _Seq) -> bool:
        """Feed as much of the prompt as the batch holds; True when its last token (with logits) went in."""
        room = self.n_batch - self._batch.n_tokens
        chunk = s.prompt[s.fed:s.fed + room]
        for j, tok in enumerate(chunk):
            pos = s.fed + j
            self._add(tok, pos, slot, pos == len(s.prompt) - 1)
        s.fed += len(chunk)
        self.stats["prompt_tokens"] += len(chunk)
        return bool(chunk) and not s.prefilling

    def _fits(self, active: dict[int, _Seq], new: _Seq) -> bool:
        """Admit a sequence only while every admitted one can still run to its token budget (a stream per
        sequence always has room: ``decode`` checked each request against it)."""
        if not self.unified:
            return True

        def need(s: _Seq) -> int:
            return len(s.prompt) - len(self._prefix) + s.call.requests[s.item].max_new_tokens

        return len(self._prefix) + sum(need(s) for s in active.values()) + need(new) <= self.n_ctx

    def _step(self, rows: list[int], active: dict[int, _Seq]) -> None:
        import numpy as np
        import torch

        if not rows:
            return
        ptr = self.L.llama_get_logits(self._ctx)
        logits = torch.from_numpy(np.ctypeslib.as_array(ptr, shape=(len(rows), self.n_vocab)))
        if self.vocab is not None:  # back to full-vocabulary ids: the controls and the tokenizer use those
            full = self._full_rows[:len(rows)]
            full[:, self._keep] = logits
            logits = full
        for row, slot in enumerate(rows):
            s = active[slot]
            call = s.call
            request = call.requests[s.item]
            early = len(s.generated) < request.min_new_tokens
            if early:  # the text may not end yet
                logits[row, [t for t in self.stop_ids if t < logits.shape[1]]] = float("-inf")
            token = call.controls.choose(s.item, s.prompt, s.generated, logits[row], s.rng)
            s.generated.append(token)
            self.stats["generated_tokens"] += 1
            s.text_tail = (s.text_tail + call.controls.piece(token))[-8:]
            done = (token in self.stop_ids or (STOP_TEXT in s.text_tail and not early)
                    or len(s.generated) >= request.max_new_tokens)
            if call.on_token is not None and token not in self.stop_ids:
                call.on_token(s.item, s.candidate, s.generated)
            if done:
                call.outputs[s.item][s.candidate] = [t for t in s.generated if t not in self.stop_ids]
                self.L.llama_memory_seq_rm(self._mem, slot, -1, -1)
                del active[slot]
                call.left -= 1
                if call.left == 0:
                    call.done.set()


class PromptStates:
    """KV states of decoded prompts (the prefix sequence's cells), oldest dropped first beyond a byte budget.

    On the isolated path every sequence starts in a cleared cache, so a product's prompt is decoded again
    each time it is asked for: the guard's repair asks for the same prompt with the start of the answer
    after it. ``restore`` puts back the state of the longest remembered prompt the new one starts with;
    only the rest is decoded. The state holds the same cells a decode of those tokens would have written."""

    def __init__(self, budget_mb: int):
        self.budget = budget_mb * 2**20
        self.used = 0
        self._states: OrderedDict[tuple[int, ...], ctypes.Array] = OrderedDict()
        self._lock = threading.Lock()

    def restore(self, engine: LlamaCppEngine, tokens: list[int]) -> list[int]:
        """Restore into ``engine``'s prefix sequence the longest remembered prompt ``tokens`` starts with;
        the tokens restored (none: nothing matched, or llama.cpp refused the state)."""
        with self._lock:
            best = max((k for k in self._states if len(k) <= len(tokens) and tuple(tokens[:len(k)]) == k),
                       key=len, default=None)
            data = self._states[best] if best else None
        if not data:
            return []
        if engine.L.llama_state_seq_set_data(engine._ctx, data, len(data), engine.slots) != len(data):
            engine.L.llama_memory_clear(engine._mem, True)
            return []
        return list(best)

    def save(self, engine: LlamaCppEngine, tokens: list[int]) -> None:
        key = tuple(tokens)
        if self.budget <= 0 or not key:
            return
        with self._lock:
            if key in self._states:
                self._states.move_to_end(key)
                return
        size = engine.L.llama_state_seq_get_size(engine._ctx, engine.slots)
        data = (ctypes.c_uint8 * size)()
        if engine.L.llama_state_seq_get_data(engine._ctx, data, size, engine.slots) != size or size > self.budget:
            return
        with self._lock:
            self._states[key] = data
            self.used += size
            while self.used > self.budget:
                _, dropped = self._states.popitem(last=False)
                self.used -= len(dropped)
