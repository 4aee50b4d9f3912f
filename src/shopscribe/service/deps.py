"""Request dependencies: the caller's key (authenticated by the gate, ``service.gate``) and its scope, the
per-key request rate and the per-key work budget — both counted in the database, so every worker process,
replica and restart shares them (``storage.usage``)."""

from __future__ import annotations

import asyncio

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopscribe.storage import usage
from shopscribe.storage.jobs import Viewer
from shopscribe.storage.keys import ApiKeyInfo
from shopscribe.ui.auth import key_viewer

bearer = HTTPBearer(auto_error=False, description="An API key from `shopscribe keys create`.")
LOCAL = ApiKeyInfo("local", "", ("admin",), None, None, None)  # auth=false: a trial on one's own machine


def require(scope: str):
    """A dependency: the caller's key, which must hold ``scope`` (or admin); 401 / 403 / 429 otherwise."""

    async def check(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> ApiKeyInfo:
        state = request.app.state
        key: ApiKeyInfo | None = getattr(request.state, "key", None)
        if key is None:  # the gate refuses /v1/ requests without a valid key; a route elsewhere lands here
            state.metrics.rejected.labels("no_key").inc()
            raise HTTPException(401, "an API key is required: Authorization: Bearer <key>",
                                headers={"WWW-Authenticate": "Bearer"})
        if not key.allows(scope):
            state.metrics.rejected.labels("scope").inc()
            raise HTTPException(403, f"this key's scopes {list(key.scopes)} do not include '{scope}'")
        rate = key.rate_per_minute or state.settings.rate_per_minute
        refused = await asyncio.to_thread(usage.charge, state.db, f"key:{key.name}", requests=1, rate=rate)
        if refused is not None:
            state.metrics.rejected.labels("rate").inc()
            raise HTTPException(429, f"rate limit reached for this key ({rate} requests a minute)",
                                headers={"Retry-After": str(refused.retry_after_s)})
        return key

    return check


async def spend_tokens(request: Request, key: ApiKeyInfo, tokens: int) -> None:
    """Charge ``tokens`` of work to the key's budget per minute; 429 (nothing charged) when it would pass it,
    413 when one request alone is larger than the whole budget."""
    state = request.app.state
    budget = key.tokens_per_minute or state.settings.tokens_per_minute
    if tokens > budget:
        state.metrics.rejected.labels("budget").inc()
        raise HTTPException(413, f"this request needs about {tokens} tokens of work; a key's budget is {budget} "
                                 "tokens a minute (send fewer products or candidates, a lower max_chars, or a job)")
    refused = await asyncio.to_thread(usage.charge, state.db, f"key:{key.name}", tokens=tokens, budget=budget)
    if refused is not None:
        state.metrics.rejected.labels("budget").inc()
        raise HTTPException(429, f"work budget reached for this key ({budget} tokens a minute; this request "
                                 f"needs {tokens})", headers={"Retry-After": str(refused.retry_after_s)})


def viewer(key: ApiKeyInfo) -> Viewer:
    """Whose jobs a key sees: its own, its team's, or (admin) every job."""
    return key_viewer(key)
