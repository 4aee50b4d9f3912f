"""Request and response bodies of the HTTP API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shopscribe.catalog import limits
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.generation import config as pipeline
from shopscribe.quality.guard import GuardReport
from shopscribe.tasks.args import TaskArgs
from shopscribe.tasks.task import copy_task_names

# the copy tasks of the task registry (describe, title, summarize): the routes and jobs offer these
CopyTask = Literal[tuple(copy_task_names())]  # type: ignore[valid-type]

PRODUCT_EXAMPLE = {"id": "sku-1", "locale": "en", "title": "Roadster Men Navy Blue Slim Fit Jeans",
                   "brand": "Roadster", "attributes": {"gender": "Men", "primary_color": "Blue"}}


Bullet = Annotated[str, StringConstraints(max_length=limits.MAX_BULLET_CHARS)]
ReviewText = Annotated[str, StringConstraints(max_length=limits.MAX_REVIEW_CHARS)]


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: ReviewText
    rating: float | None = None
    title: str | None = Field(None, max_length=limits.MAX_TITLE_CHARS)


class ProductIn(BaseModel):
    """A product in the catalog record schema; fields the schema does not name are kept (``extra``), as the
    catalog loaders keep them. Every field has a size limit (422 with the field's path above it)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PRODUCT_EXAMPLE]})

    id: Annotated[str, StringConstraints(max_length=limits.MAX_ID_CHARS)] | int = Field(
        description="Unique product id.")
    locale: str = Field("en", max_length=16, description="en or zh-CN (aliases such as zh, zh_cn are accepted).")
    title: str | None = Field(None, max_length=limits.MAX_TITLE_CHARS)
    brand: str | None = Field(None, max_length=limits.MAX_TITLE_CHARS)
    category: str | None = Field(None, max_length=limits.MAX_TITLE_CHARS)
    attributes: dict[str, str | list[str]] | str | None = Field(
        None, description=f"An object of key → value(s) (at most {limits.MAX_ATTRIBUTES} keys, each key and value "
                          f"at most {limits.MAX_ATTRIBUTE_CHARS} characters), or an attribute string (颜色#红色*材质#棉; "
                          f"at most {limits.MAX_ATTRIBUTE_STRING_CHARS}).")
    description: str | None = Field(None, max_length=limits.MAX_TEXT_CHARS)
    bullet_points: Annotated[list[Bullet], Field(max_length=limits.MAX_BULLETS)] | Bullet | None = None
    reviews: Annotated[list[ReviewText | ReviewIn], Field(max_length=limits.MAX_REVIEWS)] | None = None

    @field_validator("attributes")
    @classmethod
    def _attributes_within_limits(cls, value):
        if isinstance(value, str):
            if len(value) > limits.MAX_ATTRIBUTE_STRING_CHARS:
                raise ValueError(f"{len(value)} characters; the limit is {limits.MAX_ATTRIBUTE_STRING_CHARS}")
            return value
        if value is not None:
            if len(value) > limits.MAX_ATTRIBUTES:
                raise ValueError(f"{len(value)} keys; the limit is {limits.MAX_ATTRIBUTES}")
            for key, values in value.items():
                for text in [key, *([values] if isinstance(values, str) else values)]:
                    if len(text) > limits.MAX_ATTRIBUTE_CHARS:
                        raise ValueError(f"'{key[:40]}': a key or value of {len(text)} characters; the limit is "
                                         f"{limits.MAX_ATTRIBUTE_CHARS}")
        return value


class CopyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(None, description="A served model id (GET /v1/models); default: the server's.")
    tone: str | None = Field(None, max_length=200, description="Tone of voice, e.g. 'friendly and concise'.")
    audience: str | None = Field(None, max_length=200, description="Who the copy speaks to; joins the tone.")
    max_chars: int | None = Field(None, ge=10, le=5000, description="Character limit of the copy.")
    keywords: list[str] = Field(default_factory=list, max_length=20, description="Terms the copy should use.")
    guard: bool = Field(True, description="The publishing guard: compliance, faithfulness, must-keep terms.")
    candidates: int = Field(1, ge=1, le=8, description="Best-of-n: candidates sampled and reranked.")
    strict_compliance: bool = Field(False, description="Also the strict packs (contested terms such as 最新).")

    def to_copy_options(self, task: str) -> pipeline.CopyOptions:
        """The pipeline's options (``generation.config.CopyOptions``) this body asks for."""
        tone = ", ".join(t for t in (self.tone, f"for {self.audience}" if self.audience else None) if t) or None
        task_args = TaskArgs(name=task, **{k: v for k, v in (("tone", tone), ("max_chars", self.max_chars)) if v})
        sample = self.candidates > 1  # best-of-n samples its candidates
        return pipeline.CopyOptions(task=task_args, keywords=list(self.keywords), guard=self.guard,
                                    strict_compliance=self.strict_compliance,
                                    decoding=DecodingArgs(strategy="sample") if sample else DecodingArgs(),
                                    rerank=pipeline.RerankArgs(candidates=self.candidates))


class CopyRequest(CopyOptions):
    product: ProductIn = Field(..., description="The product (attributes as an object or an attribute string, "
                               "as the catalog loaders accept).")


class BatchCopyRequest(CopyOptions):
    products: list[ProductIn] = Field(..., min_length=1, description="Products in the catalog record schema.")


class Length(BaseModel):
    chars: int
    status: str = Field(description="ok | trimmed | short …: the task's length policy verdict.")


class Claim(BaseModel):
    kind: str
    text: str
    status: str = Field(description="supported | contradicted | unsupported")
    evidence: str | None = None
    reason: str | None = None


class Timings(BaseModel):
    queued_ms: float = Field(description="Waiting for the engine (other requests' batches).")
    total_ms: float


class CopyResult(BaseModel):
    id: str
    locale: str
    task: str
    text: str
    length: Length
    guard: GuardReport | None = Field(None, description="The guard's verdict (quality.guard.GuardReport, as in "
                                      "JSONL rows and job results): status pass | flagged, violations, contradicted "
                                      "and unsupported claims, missing terms, clauses cut, what was cut; null: guard off")
    claims: list[Claim] = Field(default_factory=list, description="The claim evidence map of the final text.")
    attempts: int
    model: str
    model_version: str
    timings: Timings


class BatchCopyResult(BaseModel):
    results: list[CopyResult]


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: CopyTask = "describe"
    model: str | None = None
    path: str | None = Field(None, description="A catalog file under the server's data folder (data_dir).")
    products: list[dict[str, Any]] | None = Field(None, description="Products inline, instead of a file.")
    tone: str | None = Field(None, max_length=200)
    max_chars: int | None = Field(None, ge=10, le=5000)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    guard: bool = True
    strict_compliance: bool = False

    def to_copy_options(self) -> pipeline.CopyOptions:
        task_args = TaskArgs(name=self.task, **{k: v for k, v in (("tone", self.tone), ("max_chars", self.max_chars))
                                                if v})
        return pipeline.CopyOptions(task=task_args, keywords=list(self.keywords), guard=self.guard,
                                    strict_compliance=self.strict_compliance)


# --- OpenAI-compatible ------------------------------------------------------------------------------

class ShopScribeExtras(BaseModel):
    """Fields beyond OpenAI's (sent as extra body fields, as vLLM and llama.cpp's server take them)."""

    task: str | None = Field(None, description="describe | title | summarize: run the copy pipeline on `product`.")
    product: ProductIn | None = Field(None, description="The product for `task`.")
    guard: bool = Field(True, description="With `task`: the publishing guard.")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(ShopScribeExtras):
    model_config = ConfigDict(extra="allow")  # OpenAI fields ShopScribe does not use are accepted and ignored

    model: str
    messages: list[ChatMessage] = Field(..., min_length=1)
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    n: int = Field(1, ge=1, le=8)
    stream: bool = False
    seed: int | None = None


class CompletionRequest(ShopScribeExtras):
    model_config = ConfigDict(extra="allow")

    model: str
    prompt: str | list[str]
    max_tokens: int | None = Field(16, ge=1)
    temperature: float | None = Field(None, ge=0, le=2)
    top_p: float | None = Field(None, gt=0, le=1)
    n: int = Field(1, ge=1, le=8)
    stream: bool = False
    seed: int | None = None


class ErrorBody(BaseModel):
    detail: Any = Field(description="What went wrong; for 422 a list of {type, loc, msg} with the field path.")


ERRORS = {code: {"model": ErrorBody, "description": text} for code, text in {
    401: "No API key, or an unknown or revoked one", 403: "The key's scopes do not allow this",
    404: "Unknown model or job", 413: "Request body or products per call over the limit",
    422: "Invalid body: the field path and the reason", 429: "Rate limit reached (Retry-After)",
    503: "The engine queue is full (Retry-After)"}.items()}
