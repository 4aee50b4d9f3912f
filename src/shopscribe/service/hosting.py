"""A served model: its engine loaded once, its batcher, and the copy pipeline built per task and options."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shopscribe.engine import load_engine
from shopscribe.engine.shared import SharedEngine
from shopscribe.generation.config import DecodingArgs, RerankArgs
from shopscribe.generation.generate import model_fingerprint
from shopscribe.generation.generator import Generator
from shopscribe.generation.guard import PublishingGuard
from shopscribe.generation.rerank import Reranker
from shopscribe.models.loading import read_run_info
from shopscribe.models.sources import resolve_model
from shopscribe.service.batcher import Batcher, CopyWork, RawWork
from shopscribe.tasks import load_task

log = logging.getLogger("shopscribe.service")


@dataclass(frozen=True)
class CopyOptions:
    """What changes the copy of a task request (the batching key; a job's stored options)."""

    task: str
    tone: str | None = None
    max_chars: int | None = None
    keywords: tuple[str, ...] = ()
    guard: bool = True
    candidates: int = 1
    strict_compliance: bool = False


class ModelHost:
    def __init__(self, model_id: str, spec: str, settings, on_batch=None):
        self.model_id, self.spec = model_id, spec
        self.folder = resolve_model(spec)
        self.run_info = read_run_info(self.folder) or {}
        engine = load_engine(spec, settings.engine, num_threads=settings.num_threads, slots=settings.parallel,
                             log=log.info, contexts=1)  # one loop joins every request's sequences (engine.shared)
        shared = engine.name == "llama.cpp"  # requests join the running batch; transformers decodes one call at a time
        self.engine = SharedEngine(engine) if shared else engine
        self.tokenizer = self.engine.tokenizer
        self.fingerprint = model_fingerprint(spec)
        self.batcher = Batcher(model_id, settings.queue_size, settings.batch_window_ms / 1000, on_batch,
                               concurrent=shared)
        self._guards: dict[tuple, PublishingGuard] = {}
        self._template_dir = (self.folder / "templates") if (self.folder / "templates" / "tasks.yaml").is_file() else None

    @property
    def version(self) -> str:
        return f"{self.model_id}@{self.fingerprint}"

    def chat_prompt(self, messages: list[dict]) -> str:
        """The prompt of a chat: the tokenizer's chat template, else the one the GGUF carries; a model with
        neither (the packaged base models) gets the messages' text one per line, as ShopScribe's own
        prompts are written for it."""
        template = getattr(self.tokenizer, "chat_template", None) or getattr(self.engine, "chat_template", None)
        if not template:
            return "\n".join(m["content"] for m in messages if m["content"]) + "\n"
        return self.tokenizer.apply_chat_template(messages, chat_template=template, tokenize=False,
                                                  add_generation_prompt=True)

    def task(self, name: str):
        return _task(name, str(self._template_dir) if self._template_dir else None)

    def copy_work(self, options: CopyOptions, records: list) -> CopyWork:
        return CopyWork(key=options, records=records, run=lambda recs: self.generator(options).generate(recs))

    def raw_work(self, requests: list, decoding: DecodingArgs, on_token=None) -> RawWork:
        return RawWork(key=decoding.model_dump_json(), requests=requests, on_token=on_token,
                       run=lambda reqs, cb: self.engine.decode(reqs, decoding, cb))

    def generator(self, o: CopyOptions) -> Generator:
        task = self.task(o.task)
        tone = o.tone or (self.run_info.get("tone") if self.run_info.get("task") == o.task else None)
        max_chars = o.max_chars or (self.run_info.get("max_chars") if self.run_info.get("task") == o.task else None)
        guard = self._guard(o) if o.guard else None
        decoding = DecodingArgs(strategy="sample") if o.candidates > 1 else DecodingArgs()
        reranker = Reranker(task, RerankArgs(candidates=o.candidates)) if o.candidates > 1 else None
        return Generator(self.engine, task, decoding=decoding, tone=tone, max_chars=max_chars, guard=guard,
                         reranker=reranker, keywords=list(o.keywords))

    def _guard(self, o: CopyOptions) -> PublishingGuard:
        """One guard per task, keywords and strictness, with the packaged claim families: a request's
        verdict never depends on what it was batched with."""
        key = (o.task, o.keywords, o.strict_compliance)
        if key not in self._guards:
            self._guards[key] = PublishingGuard(self.task(o.task), list(o.keywords), strict=o.strict_compliance)
        return self._guards[key]

    def close(self) -> None:
        self.batcher.close()
        close = getattr(self.engine, "close", None)
        if close:
            close()


@lru_cache(maxsize=64)
def _task(name: str, template_dir: str | None):
    return load_task(name, Path(template_dir) if template_dir else None)


class ModelNotServed(LookupError):
    def __init__(self, model: str, served: list[str]):
        super().__init__(f"model '{model}' is not served here; served models: {served} (GET /v1/models)")
        self.model = model


class Hosts:
    """The served models, loaded once at start-up and shared by every request."""

    def __init__(self, settings, on_batch=None):
        self.default = settings.resolved_default_model()
        self.hosts = {mid: ModelHost(mid, spec, settings, lambda kind, n, s, mid=mid: on_batch(mid, kind, n, s))
                      for mid, spec in settings.models.items()}

    def get(self, model_id: str | None) -> ModelHost:
        host = self.hosts.get(model_id or self.default)
        if host is None:
            raise ModelNotServed(model_id, sorted(self.hosts))
        return host

    def submit(self, host: ModelHost, work):
        return host.batcher.submit(work)  # QueueFull when the queue is full

    def close(self) -> None:
        for host in self.hosts.values():
            host.close()
