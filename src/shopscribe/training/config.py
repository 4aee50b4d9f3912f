"""TrainConfig: one pydantic model for `shopscribe train`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shopscribe.config import BaseConfig
from shopscribe.models.sources import DEFAULT_MODEL
from shopscribe.tasks.args import TaskArgs


class DataArgs(BaseConfig):
    train_file: Path = Field(description="Catalog file to train on (.jsonl, .csv, .parquet).")
    dev_file: Path | None = Field(None, description="Dev catalog; if absent, dev/test are split off train_file.")
    on_error: Literal["fail", "skip"] = Field("fail", description="Bad rows: fail, or skip them into a rejects file.")
    dev_fraction: float = Field(0.1, ge=0, lt=1, description="Share of products split off for dev.")
    test_fraction: float = Field(0.1, ge=0, lt=1, description="Share of products split off for test.")
    split_seed: int = Field(0, description="Seed of the leak-free split.")
    max_train_examples: int | None = Field(None, gt=0, description="Cap on training examples (after the split).")
    select: Literal["first", "coverage"] = Field(
        "first", description="Which examples the cap keeps: 'first' (the split's random order) or 'coverage' "
                             "(products whose human copy names most of the values to mention first: teaches "
                             "the task's Mention line when the catalog's copy often skips attributes).")
    faithful_targets: bool = Field(
        False, description="Leave out of train and dev the human references that state numbers the product data "
                           "does not hold (listed in unfaithful.{train,dev}.jsonl of the run); the test split is "
                           "never filtered.")
    clean_clauses: Literal["auto", "on", "off"] = Field(
        "auto", description="Cut from train and dev targets the clauses that state details the product data does "
                            "not hold (listed in clauses_cut.{train,dev}.jsonl of the run). auto: on when at least "
                            "75% of the training references hold such a detail (en-myntra 93%, zh-advertisegen 53%); the share is logged and kept in "
                            "the run's shopscribe_run.json. The test split is never cleaned.")
    prose_targets: Literal["auto", "on", "off"] = Field(
        "auto", description="English spec-string references (Myntra: 'Blue shirt, has a spread collarWarranty: 3 "
                           "months') become descriptions of two to four sentences — what the product is, the details "
                           "the reference states, how to wear or use it — and those details are moved into the "
                           "product's data, so every target is backed by its input (training/prose.py; a share of "
                           "products keeps its thin data). Clause cleaning is then not needed and is skipped. "
                           "Train and dev only; the test split is never rewritten. auto: on when at least half of the English "
                           "training references are spec strings (en-myntra: on; prose catalogs and Chinese: off).")
    max_dev_examples: int = Field(64, gt=0, description="Dev examples used for the dev loss / early stopping.")
    max_seq_len: int = Field(384, gt=16, description="Maximum tokens of prompt + target; longer targets are cut.")
    all_references: bool = Field(True, description="Train on every human reference of a product, not only the first.")

    @field_validator("prose_targets", mode="before")
    @classmethod
    def _on_off(cls, value):  # YAML reads on/off (and true/false) as booleans
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _fractions(self) -> DataArgs:
        if self.dev_file is None and self.dev_fraction + self.test_fraction >= 0.9:
            raise ValueError("data.dev_fraction + data.test_fraction must leave at least 10% for training")
        return self


class LoraArgs(BaseConfig):
    r: int = Field(16, gt=0, description="LoRA rank.")
    alpha: int = Field(32, gt=0, description="LoRA alpha (scale = alpha / r).")
    dropout: float = Field(0.05, ge=0, lt=1)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj",
                                                               "gate_proj", "up_proj", "down_proj"])


class TrainArgs(BaseConfig):
    epochs: float = Field(1.0, gt=0, description="Passes over the training data (ignored when max_steps is set).")
    max_steps: int | None = Field(None, gt=0, description="Stop after this many optimizer steps.")
    batch_size: int = Field(4, gt=0, description="Examples per forward pass.")
    grad_accum_steps: int = Field(2, gt=0, description="Forward passes per optimizer step.")
    lr: float = Field(2e-4, gt=0, description="Peak learning rate (AdamW).")
    warmup_ratio: float = Field(0.05, ge=0, lt=1, description="Share of steps with linear warm-up.")
    weight_decay: float = Field(0.01, ge=0)
    eval_steps: int = Field(25, gt=0, description="Evaluate dev loss (and maybe stop early) every N steps.")
    save_steps: int = Field(25, gt=0, description="Write a resumable checkpoint every N steps.")
    early_stopping_patience: int | None = Field(3, ge=1, description="Stop after N evaluations without dev-loss gain; null = off.")
    logging_steps: int = Field(5, gt=0)
    bf16: Literal["auto", True, False] = Field("auto", description="bf16 autocast: auto = if the CPU supports it.")
    seed: int = Field(42)
    num_threads: int | None = Field(None, gt=0, description="Torch CPU threads (default: all cores).")

    @model_validator(mode="after")
    def _save_matches_eval(self) -> TrainArgs:
        if self.early_stopping_patience and self.save_steps % self.eval_steps:
            raise ValueError("train.save_steps must be a multiple of train.eval_steps when early stopping is on")
        return self


class TrainConfig(BaseConfig):
    """`shopscribe train CONFIG.yaml key=value ...`"""

    model: str = Field(DEFAULT_MODEL, description="Base model: packaged name, .gguf file, local folder or hub id.")
    method: Literal["lora", "full"] = Field("lora", description="LoRA adapter or full fine-tuning.")
    out_dir: Path = Field(description="Run folder: adapter/model, tokenizer, config, logs, model card.")
    overwrite: bool = Field(False, description="Replace a finished run in out_dir instead of refusing.")
    init_from: Path | None = Field(None, description="A finished LoRA run of the same base model whose adapter "
                                   "training continues from (`shopscribe retrain`); default: a new adapter.")
    task: TaskArgs = Field(default_factory=TaskArgs)
    data: DataArgs
    lora: LoraArgs = Field(default_factory=LoraArgs)
    train: TrainArgs = Field(default_factory=TrainArgs)


class PreferenceConfig(BaseConfig):
    """`shopscribe prefer RUN --products FILE --out DIR [key=value ...]`: preference tuning (DPO) of a run."""

    run: Path = Field(description="The fine-tuned LoRA run to improve (its adapter is trained further).")
    products: Path = Field(description="Products to sample candidates for: the run's own training products "
                                       "(RUN/data/train.jsonl), never its test split.")
    out_dir: Path = Field(description="The new run folder (templates and data splits copied from the run).")
    overwrite: bool = Field(False, description="Replace a finished run in out_dir.")
    max_products: int = Field(160, gt=0, description="Products sampled (the first of the file).")
    candidates: int = Field(4, ge=2, description="Candidates sampled per product, guard off.")
    temperature: float = Field(0.8, gt=0, description="Sampling temperature of the candidates.")
    min_gap: float = Field(1.0, ge=0, description="Score gap between a product's best and worst candidate for a pair "
                                                  "(one finding costs 1-2 points; full coverage earns 1).")
    max_pairs: int = Field(256, gt=0)
    beta: float = Field(0.1, gt=0, description="DPO beta: how far the tuned model may move from the run.")
    lr: float = Field(5e-5, gt=0, description="Learning rate of the adapter under DPO.")
    epochs: float = Field(1.0, gt=0)
    batch_size: int = Field(2, gt=0, description="Pairs per forward pass.")
    grad_accum_steps: int = Field(2, gt=0)
    max_seq_len: int = Field(384, gt=16, description="Prompt + completion tokens (a longer pair is cut; a prompt "
                                                      "that fills it all is left out).")
    engine: Literal["auto", "llama.cpp", "transformers"] = Field("auto", description="Engine that samples candidates.")
    num_threads: int | None = Field(None, gt=0)
    seed: int = Field(0)
