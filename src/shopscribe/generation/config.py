"""The options of the copy pipeline (``CopyOptions``: what decides one product's copy, the same for every
front end), how its model is run (``EngineArgs``), and the configs of `shopscribe generate` built on them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from shopscribe.config import BaseConfig
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.tasks.args import TaskArgs


class LengthArgs(BaseConfig):
    on_overflow: Literal["trim", "regenerate"] = Field(
        "trim", description="Too long: trim at a sentence boundary, or regenerate with a tighter budget, then trim.")
    max_attempts: int = Field(2, ge=1, description="Generation attempts per product when regenerating.")


class RerankArgs(BaseConfig):
    candidates: int = Field(1, ge=1, description="Best-of-n: candidates per product (1 = off). Needs "
                                                "decoding.strategy=sample or beam.")
    critic: Path | None = Field(None, description="Critic folder from `shopscribe critic train` (optional).")
    critic_weight: float = Field(1.0, ge=0, description="Weight of P(human-written) from the critic.")
    faithfulness_weight: float = Field(2.0, ge=0, description="Weight of the supported-claim score (above the "
                                                              "critic's, so a critic cannot buy an unsupported claim).")
    length_weight: float = Field(0.5, ge=0, description="Weight of fitting the character limits.")
    compliance_weight: float = Field(1.0, ge=0, description="Penalty per compliance finding.")


class CopyOptions(BaseConfig):
    """What decides one product's copy and its guard: the one options type of the copy pipeline
    (``generation.pipeline``), taken by `generate`, `batch`, `evaluate`, `optimize`, the HTTP copy routes and
    catalog jobs alike (the HTTP bodies are thin pydantic models that convert to it)."""

    task: TaskArgs = Field(default_factory=TaskArgs)
    decoding: DecodingArgs = Field(default_factory=DecodingArgs)
    length: LengthArgs = Field(default_factory=LengthArgs)
    rerank: RerankArgs = Field(default_factory=RerankArgs)
    guard: bool = Field(True, description="Publishing guard: block banned terms and unsupported numbers while "
                                          "decoding, check compliance and claims, repair or flag. false = raw output.")
    guard_repair: Literal["rewrite", "cut"] = Field(
        "rewrite", description="A claim the guard would cut: rewrite = write the output again from the sentence "
                               "that holds it, the claim banned, taken when clean and no worse (else cut); cut = "
                               "cut its clause only (docs/guard.md).")
    keywords: list[str] = Field(default_factory=list, description="Terms every output must keep: asked for in the "
                                                                  "prompt's Mention line, checked by the guard.")
    rule_dirs: list[Path] = Field(default_factory=list, description="Extra compliance rule-pack folders.")
    strict_compliance: bool = Field(False, description="Also apply the strict rule packs: contested terms (最新, 首发, "
                                                      "'latest') that some marketplaces reject; findings say why.")

    @model_validator(mode="after")
    def _decoding_fits_rerank(self):
        if self.rerank.candidates > 1 and self.decoding.strategy == "greedy":
            raise ValueError("rerank.candidates > 1 needs decoding.strategy=sample (or beam): greedy decoding "
                             "gives one candidate")
        if self.decoding.strategy == "beam" and self.rerank.candidates > self.decoding.num_beams:
            raise ValueError("rerank.candidates cannot exceed decoding.num_beams with beam search")
        return self

    def copy_options(self) -> CopyOptions:
        """The options alone (a command config that extends them carries more). Only the settings given are
        marked given, so a run folder's own defaults (its task, templates, tone, length) still apply."""
        return CopyOptions.model_validate(self.model_dump(include=set(CopyOptions.model_fields), exclude_unset=True))

    def key(self) -> str:
        """A stable string of the options: equal options build the same pipeline."""
        return self.copy_options().model_dump_json()


class EngineArgs(BaseConfig):
    """How the model is run: the backend, its output layer, threads and slots."""

    engine: Literal["auto", "llama.cpp", "transformers"] = Field(
        "auto", description="Decoding backend: auto = the fastest that supports the model (llama.cpp for GGUF "
                            "models and runs on them, transformers otherwise or for beam search).")
    output_vocab: Literal["auto", "run", "catalog", "full"] = Field(
        "auto", description="llama.cpp: cut the output layer to the tokens copy can need (engine.vocab: faster per "
                            "token, see docs/engine.md). run = the run's training prompts and targets, their "
                            "spellings and every character of their scripts (one cut model for any product); "
                            "catalog = run + these products' prompts; full = the whole vocabulary; auto = run for "
                            "a trained run whose training data is in its folder, else full.")
    parallel: int = Field(32, gt=0, description="llama.cpp: outputs decoded together (continuous batching).")
    num_threads: int | None = Field(None, gt=0)
    contexts: int | None = Field(None, gt=0, description="llama.cpp: contexts decoding side by side on the one loaded "
                                                         "model, the threads and slots shared among them (default: "
                                                         "engine.select.default_contexts; docs/engine.md).")

    verifier: str = Field("auto", description="The learned claim verifier the guard uses beside its rules "
                                            "(quality.verifier; `shopscribe verifier train`): a verifier folder; "
                                            "auto = the run folder's verifier/ when it has one, else the folder "
                                            "SHOPSCRIBE_VERIFIER names, else the packaged verifier; none = rules "
                                            "alone.")

    def engine_args(self) -> EngineArgs:
        return EngineArgs.model_validate(self.model_dump(include=set(EngineArgs.model_fields)))


class CopyArgs(CopyOptions, EngineArgs):
    """A model, the copy options and how the model runs: shared by `generate` and `batch`."""

    model: str = Field(description="A trained run folder, packaged model name, .gguf, local folder or hub id.")
    on_error: Literal["fail", "skip"] = Field("fail", description="Bad catalog rows: fail, or skip into a rejects file.")
    limit: int | None = Field(None, gt=0, description="Only the first N products.")


class GenerateConfig(CopyArgs):
    """`shopscribe generate MODEL --products FILE --out FILE [key=value ...]`"""

    products: Path = Field(description="Catalog to write copy for (.jsonl, .csv, .parquet).")
    out: Path = Field(description="Output file (.jsonl or .csv), keyed by product id.")
    batch_size: int | None = Field(None, gt=0, description="Products per generation batch, written to the output "
                                                            "together (default: 256 on llama.cpp, 8 on transformers).")

    @model_validator(mode="after")
    def _out_format(self) -> GenerateConfig:
        if self.out.suffix.lower() not in (".jsonl", ".csv"):
            raise ValueError(f"out must end in .jsonl or .csv, got '{self.out.name}'")
        return self
