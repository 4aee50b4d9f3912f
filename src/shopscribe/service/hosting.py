"""A served model: one ``generation.pipeline.CopyModel`` (engine loaded once, behind the shared
continuous-batching loop), its batcher, and the copy pipeline it builds per options — the same pipeline
`shopscribe generate` builds."""

from __future__ import annotations

import logging
import threading

from shopscribe.engine.decoding import DecodingArgs
from shopscribe.engine.shared import SharedEngine
from shopscribe.generation.config import CopyOptions, EngineArgs
from shopscribe.generation.generator import Generator
from shopscribe.generation.pipeline import CopyModel
from shopscribe.service.batcher import Batcher, CopyWork, RawWork
from shopscribe.storage import registry

log = logging.getLogger("shopscribe.service")


class ModelHost:
    def __init__(self, model_id: str, spec: str, settings, on_batch=None, registry_version: int | None = None):
        self.model_id, self.spec = model_id, spec
        self.registry_version = registry_version  # the registry's version number, when it is a registered one
        args = EngineArgs(engine=settings.engine, output_vocab=settings.output_vocab, parallel=settings.parallel,
                          num_threads=settings.num_threads, contexts=1, verifier=settings.verifier)  # one loop joins every request (engine.shared)
        self.model = CopyModel.load(spec, args, log=log.info,
                                    wrap=lambda e: SharedEngine(e) if e.name == "llama.cpp" else e)
        self.engine = self.model.engine
        shared = isinstance(self.engine, SharedEngine)  # requests join the running batch; transformers: one call at a time
        self.tokenizer = self.engine.tokenizer
        self.fingerprint = self.model.fingerprint
        self.batcher = Batcher(model_id, settings.queue_size, settings.batch_window_ms / 1000, on_batch,
                               concurrent=shared)

    @property
    def folder(self):
        return self.model.folder

    @property
    def run_info(self) -> dict:
        return self.model.run_info

    @property
    def version(self) -> str:
        """What every output row names: the model id, its registry version (when registered) and a
        fingerprint of its files."""
        if self.registry_version is not None:
            return f"{self.model_id}@v{self.registry_version}:{self.fingerprint}"
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

    @property
    def context_tokens(self) -> int:
        """The most one sequence may take in the engine: prompt plus new tokens."""
        return self.engine.context_tokens

    def prompt_tokens(self, prompt: str) -> int:
        return len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def copy_sizes(self, options: CopyOptions, records: list) -> list[tuple[int, int]]:
        """(prompt tokens, new tokens) of each product under ``options`` (``Generator.sizes``)."""
        return self.generator(options).sizes(records)

    def task(self, options: CopyOptions):
        return self.model.task(options)

    def copy_work(self, options: CopyOptions, records: list) -> CopyWork:
        return CopyWork(key=options.key(), records=records, run=lambda recs: self.generator(options).generate(recs))

    def raw_work(self, requests: list, decoding: DecodingArgs, on_token=None) -> RawWork:
        return RawWork(key=decoding.model_dump_json(), requests=requests, on_token=on_token,
                       run=lambda reqs, cb: self.engine.decode(reqs, decoding, cb))

    def generator(self, options: CopyOptions) -> Generator:
        return self.model.pipeline(options)

    def close(self) -> None:
        self.batcher.close()
        self.model.close()


class ModelNotServed(LookupError):
    def __init__(self, model: str, served: list[str]):
        super().__init__(f"model '{model}' is not served here; served models: {served} (GET /v1/models)")
        self.model = model


class Hosts:
    """The served models, loaded once at start-up and shared by every request. A model id with a promoted
    version in the registry serves that version's run folder; ``refresh`` switches to a newly promoted one
    (requests already queued on the old one finish on it)."""

    RETIRE_AFTER_S = 120  # an old version's engine is closed this long after the switch

    def __init__(self, settings, db=None, on_batch=None):
        self.settings, self.on_batch = settings, on_batch
        self.default = settings.resolved_default_model()
        self.hosts = {}
        for mid in settings.models:
            spec, version = served_spec(settings, db, mid)
            self.hosts[mid] = self._load(mid, spec, version)

    def _load(self, mid: str, spec: str, version: int | None) -> ModelHost:
        on_batch = (lambda kind, n, s, mid=mid: self.on_batch(mid, kind, n, s)) if self.on_batch else None
        return ModelHost(mid, spec, self.settings, on_batch, registry_version=version)

    def refresh(self, db) -> dict[str, int]:
        """Load and switch to each model id's promoted version where it changed; returns {id: version}."""
        switched = {}
        for mid, host in list(self.hosts.items()):
            spec, version = served_spec(self.settings, db, mid)
            if version is None or version == host.registry_version:
                continue
            self.hosts[mid] = self._load(mid, spec, version)
            timer = threading.Timer(self.RETIRE_AFTER_S, host.close)
            timer.daemon = True
            timer.start()
            switched[mid] = version
        return switched

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


def served_spec(settings, db, model_id: str) -> tuple[str, int | None]:
    """What ``model_id`` is loaded from: its promoted version's run folder, else the settings' spec."""
    promoted = registry.promoted(db, model_id) if db is not None else None
    if promoted is None:
        return settings.models[model_id], None
    return promoted.path, promoted.version
