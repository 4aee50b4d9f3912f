"""The copy pipeline, built in one place for every front end.

``CopyModel.load`` loads a model once — its engine (with the output layer cut as ``EngineArgs.output_vocab``
says), its tokenizer, what its run folder knows (task, tone, length, templates) and the claim families the
guard checks against. ``CopyModel.pipeline(options)`` builds, from one ``CopyOptions``, the whole pipeline:

    prompt (task, Mention line) → engine (decoding controls: Mention boosting, banned terms, digits)
    → post-processing (markup, repeats, length, must-keep) → best-of-n with the critic → guard
    (compliance rule packs incl. ``rule_dirs``, claims against the families) → repair, cut or flag → row

`shopscribe generate`, `evaluate`, `batch` (Ray actors), `optimize`, the service's hosts and its job
workers (local and Ray) all call these two, so one product gets the same text and the same verdict
whichever way it is asked for (``tests/unit/test_pipeline.py``).

The claim families are the model's, not the request's: the packaged families plus those learned from the
catalog the run was trained on (its ``data/train.jsonl`` and ``data/dev.jsonl``), so a verdict depends
neither on the products sent with it nor on the front end.
"""

from __future__ import annotations

import os

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.record import ProductRecord
from shopscribe.engine.select import choose_engine, load_engine
from shopscribe.engine.vocab import writable_share
from shopscribe.generation.config import CopyOptions, EngineArgs
from shopscribe.generation.generator import Generator
from shopscribe.generation.rerank import Reranker
from shopscribe.critic.model import Critic
from shopscribe.models.loading import load_run_tokenizer, read_run_info
from shopscribe.models.sources import model_fingerprint, resolve_model
from shopscribe.quality.families import FamilySet, learn_families, packaged_families
from shopscribe.quality.guard import PublishingGuard
from shopscribe.quality.verifier import PACKAGED_VERIFIER, ClaimVerifier
from shopscribe.tasks.args import TaskArgs
from shopscribe.tasks.task import Task, load_task

# ``auto`` cuts the output layer only when the run's vocabulary can write, token for token, at least this
# share of its own held-out copy (the dev split's references, never trained on): describe-zh 0.997 (cut),
# describe-en 0.954 (kept whole: its human copy uses many words its training copy never does); a run
# trained on a few products falls below too (docs/engine.md)
AUTO_VOCAB_COVERAGE = 0.99
# pipelines and guards kept per model, most recently used first: a service whose clients send many option
# sets (keywords) keeps memory bounded
CACHED_PIPELINES = 256


@dataclass
class CopyModel:
    """A model loaded once for writing copy, shared by every pipeline built on it."""

    spec: str
    engine: object  # shopscribe.engine: transformers or llama.cpp (None while the output layer is chosen)
    tokenizer: object
    folder: Path
    run_info: dict
    families: FamilySet
    fingerprint: str
    log: Callable[[str], None] = print
    verifier: ClaimVerifier | None = None  # the learned claim verifier every guard of this model uses
    _pipelines: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _guards: OrderedDict = field(default_factory=OrderedDict, repr=False)

    @classmethod
    def load(cls, spec: str, engine: EngineArgs | None = None, *, strategy: str = "greedy",
             catalog: list[ProductRecord] | None = None, wrap: Callable | None = None,
             log: Callable[[str], None] = print) -> CopyModel:
        """Load ``spec`` (run folder, packaged name, GGUF…) on the engine ``engine`` asks for; ``strategy`` beam
        needs transformers; ``catalog``: the products of this run, for ``output_vocab=catalog``; ``wrap``
        wraps the loaded engine (the service's shared continuous-batching loop)."""
        args = engine or EngineArgs()
        folder = resolve_model(spec)
        name = choose_engine(spec, args.engine, strategy, log)
        tokenizer = load_run_tokenizer(spec) if name == "llama.cpp" else None  # the transformers engine loads its own
        model = cls(str(spec), None, tokenizer, folder, read_run_info(folder) or {}, run_families(folder),
                    model_fingerprint(spec), log)
        # before anything builds a pipeline: choosing the output layer below probes one, and its guard is kept
        model.verifier = load_verifier(args.verifier, folder, log)
        vocab = model.vocab_texts(args.output_vocab, catalog or []) if name == "llama.cpp" else None
        loaded = load_engine(spec, name, strategy=strategy, num_threads=args.num_threads, slots=args.parallel,
                             log=log, vocab_texts=vocab, contexts=args.contexts, tokenizer=tokenizer)
        log(f"engine: {loaded.name}" + (f", {loaded.contexts} contexts" if getattr(loaded, "contexts", 1) > 1 else "")
            + (f", output layer cut to {len(loaded.vocab.keep)} tokens" if getattr(loaded, "vocab", None) else ""))
        model.engine = wrap(loaded) if wrap else loaded
        model.tokenizer = model.engine.tokenizer
        return model

    @classmethod
    def describe(cls, spec: str) -> CopyModel:
        """What the model's folder says (task, templates, tone, length) without loading anything."""
        folder = resolve_model(spec)
        return cls(str(spec), None, None, folder, read_run_info(folder) or {}, packaged_families(), "")

    @property
    def template_dir(self) -> Path | None:
        return self.folder / "templates" if (self.folder / "templates" / "tasks.yaml").is_file() else None

    def task_args(self, options: CopyOptions) -> TaskArgs:
        """The task of ``options`` with the run's defaults: a run folder knows its task, templates, tone and
        length (tone and length only for the task it was trained on); explicit settings win."""
        args, given, run = options.task.model_copy(), options.task.model_fields_set, self.run_info
        if not run:
            return args
        if "name" not in given:
            args.name = run.get("task", args.name)
        if "template_dir" not in given and self.template_dir:
            args.template_dir = self.template_dir
        if run.get("task") == args.name:
            args.tone = args.tone if args.tone is not None else run.get("tone")
            args.max_chars = args.max_chars if args.max_chars is not None else run.get("max_chars")
        return args

    def task(self, options: CopyOptions) -> Task:
        args = self.task_args(options)
        return _task(args.name, str(args.template_dir) if args.template_dir else None)

    def pipeline(self, options: CopyOptions, *, prompt_extra: Callable[[ProductRecord], dict] | None = None
                 ) -> Generator:
        """The copy pipeline of ``options`` on this model (built once per options; ``prompt_extra``: values a
        task's template takes per product, such as optimize's draft, makes a pipeline of its own)."""
        key = options.key()
        if prompt_extra is None and key in self._pipelines:
            self._pipelines.move_to_end(key)
            return self._pipelines[key]
        args, task = self.task_args(options), self.task(options)
        reranker = None
        if options.rerank.candidates > 1:
            critic = _critic(str(options.rerank.critic)) if options.rerank.critic else None
            reranker = Reranker(task, options.rerank, critic, options.rule_dirs)
        generator = Generator(self.engine, task, decoding=options.decoding, length=options.length, tone=args.tone,
                              max_chars=args.max_chars, guard=self.guard(options, task) if options.guard else None,
                              reranker=reranker, keywords=options.keywords, prompt_extra=prompt_extra,
                              tokenizer=self.tokenizer, rewrite=options.guard_repair == "rewrite")
        if prompt_extra is None:
            _remember(self._pipelines, key, generator)
        return generator

    def guard(self, options: CopyOptions, task: Task) -> PublishingGuard:
        """One guard per task, keywords, rule folders and strictness, on the model's claim families."""
        key = (task.name, id(task), tuple(options.keywords), tuple(map(str, options.rule_dirs)),
               options.strict_compliance)
        if key in self._guards:
            self._guards.move_to_end(key)
            return self._guards[key]
        guard = PublishingGuard(task, list(options.keywords), options.rule_dirs or None, families=self.families,
                                strict=options.strict_compliance, verifier=self.verifier)
        return _remember(self._guards, key, guard)

    def vocab_texts(self, output_vocab: str, catalog: list[ProductRecord]) -> list[str] | None:
        """What the output layer is cut to (``EngineArgs.output_vocab``): the prompts (as the default pipeline
        writes them) and targets of a trained run's training data, with ``catalog`` also the prompts of the
        catalog's products; None for the whole vocabulary (``full``, or ``auto`` on a model that is not a
        trained run with its data, or whose vocabulary writes less than ``AUTO_VOCAB_COVERAGE`` of its
        held-out references). User keywords stay writable from the single characters every cut keeps."""
        if output_vocab == "full":
            return None
        train_file, dev_file = self.folder / "data" / "train.jsonl", self.folder / "data" / "dev.jsonl"
        has_data = bool(self.run_info) and train_file.is_file()
        if output_vocab == "auto" and not (has_data and dev_file.is_file()):
            return None
        probe = self.pipeline(CopyOptions())  # the engine is not loaded yet: prompts only
        self._pipelines.clear()
        texts: list[str] = []
        if has_data:
            for r in load_catalog(train_file).records:
                texts += [probe._request(r, 1, [], 1).prompt, *probe.task.references(r)]
        if output_vocab == "auto":
            held_out = [t for r in load_catalog(dev_file).records for t in probe.task.references(r)]
            share = writable_share(self.tokenizer, texts, held_out)
            if share < AUTO_VOCAB_COVERAGE:
                self.log(f"output layer kept whole: the run's vocabulary writes {share:.3f} of its held-out copy's "
                         f"tokens (< {AUTO_VOCAB_COVERAGE}); output_vocab=run cuts it anyway")
                return None
        if output_vocab == "catalog":
            texts += [probe._request(r, 1, [], 1).prompt for r in catalog]
        return texts

    def close(self) -> None:
        close = getattr(self.engine, "close", None)
        if close:
            close()


def load_verifier(setting: str, folder: Path, log: Callable[[str], None] = print) -> ClaimVerifier | None:
    """The claim verifier ``EngineArgs.verifier`` names: a folder; auto: the run folder's ``verifier/``, else
    the folder ``$SHOPSCRIBE_VERIFIER`` names (``none``: rules alone), else the packaged verifier; none: rules
    alone. A folder is loaded once per process."""
    if setting in ("none", "off", ""):
        return None
    path = Path(setting)
    if setting == "auto":
        path = folder / "verifier"
        if not (path / "verifier.json").is_file():
            named = os.environ.get("SHOPSCRIBE_VERIFIER", "").strip()
            if named.lower() in ("none", "off"):
                return None
            path = Path(named) if named else PACKAGED_VERIFIER
            if not named and not (path / "verifier.json").is_file():
                return None
    verifier = _verifier(str(path.resolve()))
    log(f"claim verifier: {path}")
    return verifier


@lru_cache(maxsize=4)
def _verifier(folder: str) -> ClaimVerifier:
    return ClaimVerifier.load(Path(folder))


def run_families(folder: Path) -> FamilySet:
    """The claim families of a model: the packaged ones, plus the attribute values of the catalog a trained
    run learned from (its training and dev data), when its folder holds them."""
    files = [folder / "data" / name for name in ("train.jsonl", "dev.jsonl")]
    records = [r for f in files if f.is_file() for r in load_catalog(f).records]
    return learn_families(records) if records and read_run_info(folder) else packaged_families()


def _remember(cache: OrderedDict, key, value):
    cache[key] = value
    while len(cache) > CACHED_PIPELINES:
        cache.popitem(last=False)
    return value


@lru_cache(maxsize=64)
def _task(name: str, template_dir: str | None) -> Task:
    return load_task(name, Path(template_dir) if template_dir else None)


@lru_cache(maxsize=16)
def _critic(folder: str) -> Critic:
    return Critic.load(Path(folder))


def options_from_json(text: str | dict) -> CopyOptions:
    """Stored options back (a job's); the options of jobs stored before ``CopyOptions`` (flat task, tone,
    max_chars, candidates) are read too."""
    data = json.loads(text) if isinstance(text, str) else dict(text)
    if isinstance(data.get("task"), str):
        candidates = data.pop("candidates", 1)
        data["task"] = {"name": data.pop("task"), "tone": data.pop("tone", None),
                        "max_chars": data.pop("max_chars", None)}
        data["task"] = {k: v for k, v in data["task"].items() if v is not None}
        if candidates > 1:
            data["rerank"], data["decoding"] = {"candidates": candidates}, {"strategy": "sample"}
    return CopyOptions.model_validate(data)
