"""Request dependencies: the API key and its scope, the per-key rate limit."""

from __future__ import annotations

import math
import threading
import time

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shopscribe.storage.keys import ApiKeyInfo, find_key

bearer = HTTPBearer(auto_error=False, description="An API key from `shopscribe keys create`.")
LOCAL = ApiKeyInfo("local", "", ("admin",), None, None, None)  # auth=false: a trial on one's own machine


class RateLimiter:
    """A token bucket per key: ``rate`` requests a minute, bursts up to the same number."""

    def __init__(self):
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, rate: int) -> float:
        """0 when the request may go; else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(rate), now))
            tokens = min(float(rate), tokens + (now - last) * rate / 60)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) * 60 / rate
            self._buckets[key] = (tokens - 1, now)
            return 0.0


def require(scope: str):
    """A dependency: the caller's key, which must hold ``scope`` (or admin); 401 / 403 / 429 otherwise."""

    def check(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> ApiKeyInfo:
        state = request.app.state
        if not state.settings.auth:
            key = LOCAL
        else:
            if creds is None or not creds.credentials:
                state.metrics.rejected.labels("no_key").inc()
                raise HTTPException(401, "an API key is required: Authorization: Bearer <key>",
                                    headers={"WWW-Authenticate": "Bearer"})
            key = find_key(state.db, creds.credentials)
            if key is None:
                state.metrics.rejected.labels("bad_key").inc()
                raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
            if not key.allows(scope):
                state.metrics.rejected.labels("scope").inc()
                raise HTTPException(403, f"this key's scopes {list(key.scopes)} do not include '{scope}'")
        wait = state.limiter.check(key.name, key.rate_per_minute or state.settings.rate_per_minute)
        if wait:
            state.metrics.rejected.labels("rate").inc()
            raise HTTPException(429, "rate limit reached for this key", headers={"Retry-After": str(math.ceil(wait))})
        request.state.key_name = key.name
        return key

    return check
