"""Request and response bodies of the HTTP API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PRODUCT_EXAMPLE = {"id": "sku-1", "locale": "en", "title": "Roadster Men Navy Blue Slim Fit Jeans",
                   "brand": "Roadster", "attributes": {"gender": "Men", "primary_color": "Blue"}}


class ProductIn(BaseModel):
    """A product in the catalog record schema; fields the schema does not name are kept (``extra``), as the
    catalog loaders keep them."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [PRODUCT_EXAMPLE]})

    id: str | int = Field(description="Unique product id.")
    locale: str = Field("en", description="en or zh-CN (aliases such as zh, zh_cn are accepted).")
    title: str | None = None
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, str | list[str]] | str | None = Field(
        None, description="An object of key → value(s), or an attribute string (颜色#红色*材质#棉).")
    description: str | None = None
    bullet_points: list[str] | str | None = None
    reviews: list[str | dict[str, Any]] | None = None


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
    guard: dict[str, Any] | None = Field(None, description="status pass | flagged, violations, contradicted and "
                                         "unsupported claims, missing terms, clauses cut, what was cut")
    claims: list[Claim] = Field(default_factory=list, description="The claim evidence map of the final text.")
    attempts: int
    model: str
    model_version: str
    timings: Timings


class BatchCopyResult(BaseModel):
    results: list[CopyResult]


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
