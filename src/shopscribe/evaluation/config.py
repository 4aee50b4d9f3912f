"""EvaluateConfig: one pydantic model for `shopscribe evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from shopscribe.config import BaseConfig
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.tasks.args import TaskArgs

System = Literal["baseline", "zero_shot", "fine_tuned"]


class EvaluateConfig(BaseConfig):
    """`shopscribe evaluate [--run RUN] [--products FILE] [--predictions NAME=FILE] --out-dir DIR`"""

    out_dir: Path = Field(description="Where report.json, report.html and system outputs go.")
    run: Path | None = Field(None, description="A trained run folder: evaluates it against its base model.")
    products: Path | None = Field(None, description="Products with references; default: the run's held-out test split.")
    systems: list[System] = Field(default_factory=lambda: ["baseline", "zero_shot", "fine_tuned"],
                                  description="Built-in systems to compare.")
    predictions: dict[str, Path] = Field(default_factory=dict,
                                         description="Extra systems: name -> output file of `shopscribe generate`.")
    base_model: str | None = Field(None, description="Model for zero_shot (default: the run's base model).")
    task: TaskArgs = Field(default_factory=TaskArgs)
    decoding: DecodingArgs = Field(default_factory=DecodingArgs)
    engine: Literal["auto", "llama.cpp", "transformers"] = Field("auto", description="Decoding backend for the "
                                                                 "model systems (see `shopscribe generate`).")
    batch_size: int | None = Field(None, gt=0, description="Products per batch (default: the engine's).")
    guard: bool = Field(False, description="Run model systems through the publishing guard (raw outputs by default).")
    raw_beside: bool = Field(False, description="With guard on, also write each model system's raw copy (guard "
                                                "off) and score it beside the published one, as '<system> (raw)'.")
    guard_systems: list[System] | None = Field(None, description="With guard on, the model systems that go "
                                               "through it (default: all); the others are scored raw.")
    limit: int | None = Field(None, gt=0, description="Evaluate on the first N products only.")
    on_error: Literal["fail", "skip"] = Field("fail")

    @model_validator(mode="after")
    def _needs_inputs(self) -> EvaluateConfig:
        if self.run is None and self.products is None:
            raise ValueError("give products (a catalog with references) or run (a trained run folder)")
        if self.run is None and "fine_tuned" in self.systems:
            self.systems = [s for s in self.systems if s != "fine_tuned"]
        return self
