"""``ServiceSettings``: environment variables (``SHOPSCRIBE_…``), a YAML file, then ``key=value`` overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shopscribe.config import apply_overrides, format_validation_error, read_yaml
from shopscribe.errors import ConfigError

DEFAULT_DB = Path("~/.local/share/shopscribe/service.db").expanduser()


class ServiceSettings(BaseSettings):
    """Everything ``shopscribe serve`` needs; each field is also ``SHOPSCRIBE_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="SHOPSCRIBE_", extra="forbid")

    database_url: str = Field(f"sqlite:///{DEFAULT_DB}", description="SQLAlchemy URL: an SQLite file by default; "
                              "postgresql+psycopg://user:password@host:5432/db in production.")
    models: dict[str, str] = Field(default_factory=lambda: {"gemma3-270m": "gemma3-270m"},
                                   description="Served model ids → model name, GGUF or fine-tuned run folder.")
    default_model: str | None = Field(None, description="The model id used when a request names none "
                                      "(default: the first of `models`).")
    sentiment_model: Path | None = Field(None, description="A classifier folder from `shopscribe sentiment train` "
                                         "for /v1/reviews/sentiment and /insights.")
    engine: str = Field("auto", description="auto | llama.cpp | transformers (see docs/engine.md).")
    parallel: int = Field(32, ge=1, le=256, description="Outputs the llama.cpp engine decodes together.")
    output_vocab: Literal["auto", "run", "full"] = Field(
        "auto", description="llama.cpp: the output layer cut as `shopscribe generate` cuts it (auto: a trained "
                            "run's vocabulary when it writes >= 99% of its held-out copy; full: never cut).")
    verifier: str = Field("auto", description="The guard's learned claim verifier: a folder from `shopscribe "
                                            "verifier train`; auto = the model's run folder's verifier/, else "
                                            "SHOPSCRIBE_VERIFIER's, else the packaged one; none = rules alone.")
    num_threads: int | None = Field(None, ge=1, description="Engine threads (default: the machine's cores, at most 8).")
    auth: bool = Field(True, description="Require an API key (Authorization: Bearer …). Off only for local trials.")
    queue_size: int = Field(256, ge=1, description="Products waiting for the engine before requests get 503.")
    batch_window_ms: int = Field(15, ge=0, description="How long the engine waits for more requests to batch.")
    max_products_per_call: int = Field(64, ge=1, description="Products one batch request may carry (413 above).")
    max_request_bytes: int = Field(1_000_000, ge=1_000, description="Largest request body (413 above).")
    rate_per_minute: int = Field(600, ge=1, description="Requests per key per minute (429 above); a key may set "
                                 "its own. Counted in the database: shared by workers, replicas and restarts.")
    tokens_per_minute: int = Field(60_000, ge=1, description="Work budget per key per minute, in tokens: each "
                                   "request costs its prompt tokens plus candidates × the new tokens it may "
                                   "generate (429 above); a key may set its own.")
    anon_rate_per_minute: int = Field(60, ge=1, description="Requests without a valid key per client address "
                                      "per minute (401 up to it, then 429).")
    max_chars_limit: int = Field(2_000, ge=10, le=5_000, description="Largest max_chars a request may ask "
                                 "(422 above).")
    max_candidates: int = Field(4, ge=1, le=8, description="Largest number of best-of-n candidates a request "
                                "may ask (422 above).")
    max_job_products: int = Field(200_000, ge=1, description="Products one catalog job may hold (422 above).")
    data_dir: Path = Field(Path("data"), description="The only folder server-side paths may name.")
    max_new_tokens: int = Field(256, ge=1, le=1024, description="Largest max_tokens an OpenAI-style call may ask.")
    job_workers: int = Field(1, ge=0, description="Job worker processes `serve` starts and restarts (0: jobs "
                             "wait for `shopscribe worker` processes).")
    job_batch: int = Field(32, ge=1, description="Products a worker claims and writes at a time.")
    job_lease_s: float = Field(600, gt=0, description="Seconds a claim lasts: a dead worker's products on another "
                               "machine are claimed again after it.")
    job_poll_s: float = Field(1.0, gt=0, description="How often an idle worker looks for work.")
    jobs_backend: Literal["local", "ray"] = Field("local", description="Where job workers write products: local = "
                                                  "in the worker process; ray = on a Ray actor pool (`jobs.backend=ray`"
                                                  "; needs shopscribe[ray]).")
    ray_address: str | None = Field(None, description="jobs_backend=ray: the cluster to join (default: RAY_ADDRESS, "
                                    "else a local Ray started by the worker).")
    ray_actors: int = Field(1, ge=1, description="jobs_backend=ray: actors per model, each writing one claimed batch "
                            "at a time (each loads the engine and the model once).")
    ray_actor_threads: int | None = Field(None, ge=1, description="jobs_backend=ray: engine threads and Ray CPUs per "
                                          "actor (default: num_threads, else 2).")
    max_upload_bytes: int = Field(200_000_000, ge=1_000, description="Largest catalog upload to POST /v1/jobs.")
    registry_poll_s: float = Field(5.0, gt=0, description="How often the service looks for a newly promoted model "
                                   "version (`shopscribe models promote|rollback`) and switches to it.")
    registry_dir: Path = Field(Path("~/.local/share/shopscribe/versions"), description="Where the workspace's "
                               "retrain button writes new model versions.")
    log_json: bool = Field(True, description="Structured JSON logs with a request id.")

    @field_validator("default_model")
    @classmethod
    def _known(cls, value, info):
        models = info.data.get("models") or {}
        if value is not None and value not in models:
            raise ValueError(f"default_model '{value}' is not one of models {sorted(models)}")
        return value

    @property
    def model_ids(self) -> list[str]:
        return list(self.models)

    def resolved_default_model(self) -> str:
        return self.default_model or next(iter(self.models))


def load_settings(path: str | Path | None = None, overrides: list[str] | None = None) -> ServiceSettings:
    """Settings from the environment, then a YAML file, then ``key=value`` overrides (later wins)."""
    from pydantic import ValidationError

    data = apply_overrides(read_yaml(path) if path is not None else {}, list(overrides or []))
    for key, value in (data.pop("jobs", None) or {}).items():  # jobs.backend=ray is jobs_backend=ray
        data[f"jobs_{key}"] = value
    try:
        return ServiceSettings(**data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path or "command line"))) from exc
