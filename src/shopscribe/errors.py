"""Exceptions raised by ShopScribe.

Library code raises these; only the CLI and the service turns them into
exit codes or HTTP responses.

    ShopScribeError
    ├── ConfigError            a config file or override is invalid
    ├── CatalogError           a catalog file cannot be read or has bad rows
    │   └── CatalogValidationError   rows failed validation (carries every problem)
    ├── TaskError              unknown task, bad template, bad length policy
    ├── ModelSourceError       a model cannot be found, fetched or verified
    │   └── CorruptModelError  a model file is truncated or damaged
    ├── TrainingError          a training run cannot start or resume
    ├── GenerationError        generation cannot start or resume
    ├── EngineError            a decoding backend is missing, cannot load a model or fails
    │   └── EngineUnavailable  the backend's package is not installed (says how to get it)
    └── StorageError           the service's database cannot be opened, migrated or written
        └── KeyNotFound        no (active) API key has that name
"""

from __future__ import annotations

from dataclasses import dataclass


class ShopScribeError(Exception):
    """Base class of every error ShopScribe raises on purpose."""


class ConfigError(ShopScribeError):
    """A config file, key or override is invalid."""


class CatalogError(ShopScribeError):
    """A catalog file cannot be read."""


@dataclass(frozen=True)
class RowProblem:
    """One problem with one row of a catalog file."""

    file: str
    row: int
    field: str
    reason: str
    product_id: str | None = None

    def __str__(self) -> str:
        pid = f" (id={self.product_id})" if self.product_id else ""
        return f"{self.file}:{self.row}{pid}: field '{self.field}': {self.reason}"


class CatalogValidationError(CatalogError):
    """Rows of a catalog failed validation; ``problems`` lists all of them."""

    def __init__(self, problems: list[RowProblem], max_shown: int = 20):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:max_shown])
        more = f"\n  ... and {len(problems) - max_shown} more" if len(problems) > max_shown else ""
        super().__init__(
            f"{len(problems)} bad row(s) in catalog:\n{shown}{more}\n"
            "Fix the rows, or pass --on-error skip to write them to a rejects file and go on."
        )


class TaskError(ShopScribeError):
    """A task name, template or length policy is invalid."""


class ModelSourceError(ShopScribeError):
    """A model cannot be found or prepared."""


class CorruptModelError(ModelSourceError):
    """A model file exists but is truncated or damaged."""


class TrainingError(ShopScribeError):
    """A training run cannot start or resume."""


class GenerationError(ShopScribeError):
    """Generation cannot start or resume."""


class EngineError(ShopScribeError):
    """A decoding backend cannot load the model or fails while decoding."""


class EngineUnavailable(EngineError):
    """The backend asked for is not installed; the message says how to install it."""


class StorageError(ShopScribeError):
    """The service's database cannot be opened, migrated or written."""


class KeyNotFound(StorageError):
    """No active API key has that name."""
