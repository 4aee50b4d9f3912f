"""A served model: one ``generation.pipeline.CopyModel`` (engine loaded once, behind the shared
continuous-batching loop), its batcher, and the copy pipeline it builds per options — the same pipeline
`shopscribe generate` builds."""

from __future__ import annotations

import logging

from shopscribe.engine.decoding import DecodingArgs
from shopscribe.engine.shared import SharedEngine
from shopscribe.generation.config import CopyOptions, EngineArgs
from shopscribe.generation.generator import Generator
from shopscribe.generation.pipeline import CopyModel
from shopscribe.service.batcher import Batcher, CopyWork, RawWork

log = logging.getLogger("shopscribe.service")


class ModelHost:
    def __init__(self, model_id: str, spec: str, settings, on_batch=None):
        self.model_id, self.spec = model_id, spec
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
