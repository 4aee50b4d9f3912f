"""Which engine decodes a model: the fastest one that supports it, or the one asked for.

Measured on 2 cores (benchmarks/throughput.py, docs/engine.md): llama.cpp with continuous batching
writes several times the products per minute of transformers, so ``auto`` takes it whenever the model
has a GGUF (packaged models, ``.gguf`` files, LoRA runs on them, full fine-tunes converted) and
llama-cpp-python is installed; beam search and models without a GGUF use transformers.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from shopscribe.errors import EngineUnavailable

ENGINES = ("auto", "llama.cpp", "transformers")
INSTALL_HINT = ("the llama.cpp engine needs llama-cpp-python, built from source (about 6 min on 2 cores): "
                "run install.sh, or CMAKE_ARGS=\"-DGGML_NATIVE=ON -DCMAKE_C_FLAGS='-mno-amx-int8' "
                "-DCMAKE_CXX_FLAGS='-mno-amx-int8'\" pip install llama-cpp-python==0.3.36 (docs/engine.md)")


def has_llama_cpp() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def supported_engines(spec: str | Path) -> list[str]:
    """The engines that can decode ``spec`` here, fastest first."""
    from shopscribe.engine.export import can_export

    return (["llama.cpp"] if has_llama_cpp() and can_export(spec) else []) + ["transformers"]


def choose_engine(spec: str | Path, engine: str = "auto", strategy: str = "greedy",
                  log: Callable[[str], None] | None = None) -> str:
    """Resolve ``auto``; an explicit llama.cpp without the package fails with how to install it."""
    if engine == "llama.cpp":
        if not has_llama_cpp():
            raise EngineUnavailable(INSTALL_HINT)
        return engine
    if engine == "transformers" or strategy == "beam":
        return "transformers"
    if not has_llama_cpp():
        if log:
            log(f"using the transformers engine (slower): {INSTALL_HINT}")
        return "transformers"
    return supported_engines(spec)[0]


def default_threads() -> int:
    import os

    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)


def default_contexts(threads: int) -> int:
    """One single-threaded llama.cpp context per thread, up to two (measured on 2 cores: docs/engine.md)."""
    return min(threads, 2)


def load_engine(spec: str | Path, engine: str = "auto", *, strategy: str = "greedy", num_threads: int | None = None,
                slots: int = 32, log: Callable[[str], None] | None = None, vocab_texts: list[str] | None = None,
                contexts: int | None = None, tokenizer=None, isolate: bool = True):
    """Load ``spec`` on the chosen engine (see ``choose_engine``); with ``vocab_texts`` the llama.cpp engine's
    output layer is cut to the tokens of those texts (``engine.vocab``). llama.cpp runs ``contexts`` contexts
    on the one loaded model (``engine.pool``; default ``default_contexts``), sharing the threads and the slots.
    ``tokenizer``: the run's tokenizer when the caller has loaded it already (llama.cpp). ``isolate``
    (llama.cpp): each sequence decoded alone in a cleared cache (``LlamaCppEngine._step_isolated``); False
    batches sequences in one cache, which corrupts text with this llama.cpp build (benchmarks/engine_isolation.py)."""
    name = choose_engine(spec, engine, strategy, log)
    if name == "llama.cpp":
        from shopscribe.engine.export import gguf_for
        from shopscribe.engine.llama import LlamaCppEngine
        from shopscribe.models.loading import load_run_tokenizer

        files = gguf_for(spec, progress=log)
        tokenizer = tokenizer or load_run_tokenizer(spec)
        model, vocab = files.model, None
        if vocab_texts is not None:
            from shopscribe.engine.vocab import VocabMap, catalog_vocab, reduced_gguf, token_pieces
            from shopscribe.models.sources import cache_dir

            keep = catalog_vocab(tokenizer, vocab_texts)
            model = reduced_gguf(files.model, keep, cache_dir() / "gguf-vocab")
            vocab = VocabMap(keep, token_pieces(tokenizer))
        threads = num_threads or default_threads()
        contexts = max(1, min(contexts or default_contexts(threads), threads))
        first = LlamaCppEngine(model, tokenizer, lora=files.lora, num_threads=threads // contexts,
                               slots=max(1, slots // contexts), vocab=vocab, isolate=isolate)
        if contexts == 1:
            return first
        from shopscribe.engine.pool import ContextPool

        return ContextPool([first] + [LlamaCppEngine(model, tokenizer, lora=files.lora, num_threads=threads // contexts,
                                                     slots=max(1, slots // contexts), vocab=vocab, shared_with=first,
                                                     isolate=isolate)
                                      for _ in range(contexts - 1)])
    from shopscribe.engine.hf import TransformersEngine
    from shopscribe.models.loading import load_causal_lm

    loaded = load_causal_lm(spec, progress=log)
    return TransformersEngine(loaded.model, loaded.tokenizer, num_threads=num_threads)
