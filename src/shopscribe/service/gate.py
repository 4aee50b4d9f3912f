"""The gate every request passes before a route (a pure ASGI middleware, so nothing is buffered here):

- a request id (the client's ``x-request-id`` when it is 1–64 letters, digits or ``._:-``; else a new one);
- size caps: a declared Content-Length over the route's cap is refused (413) before a byte is read; a body
  without one is counted as it streams and refused when it passes the cap — nothing is joined in memory;
- authentication before any body is read (a bearer key, or on /ui the workspace's login cookie): a ``/v1/``
  or ``/ui/api/`` request without a valid key gets 401 (429 once its
  client address has sent ``anon_rate_per_minute`` of them in a minute), so a client without a key can
  never make the server read, parse or buffer its upload;
- one JSON log line and the metrics of each request."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from shopscribe.service.deps import LOCAL
from shopscribe.storage import usage
from shopscribe.storage.keys import find_key
from shopscribe.ui.auth import COOKIE as UI_COOKIE  # the review workspace's login

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UPLOAD_ROUTES = (("POST", "/v1/jobs"),)
KEYED = ("/v1/", "/ui/api/")  # refused without a valid key before any body is read


class BodyTooLarge(HTTPException):
    """Raised while a body streams in, once it passes the cap (an HTTPException: FastAPI passes it on)."""

    def __init__(self, limit: int, name: str):
        super().__init__(413, f"request body over {limit} bytes ({name})")


class Gate:
    def __init__(self, app, settings, metrics, log):
        self.app, self.settings, self.metrics, self.log = app, settings, metrics, log

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.monotonic()
        headers = Headers(scope=scope)
        rid = headers.get("x-request-id", "")
        rid = rid if REQUEST_ID.match(rid) else uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})
        state.update(request_id=rid, key_name="-", key=None)
        status = {"code": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        limit, name = self._cap(scope)
        refusal = await self._refusal(scope, headers, state, limit, name)
        if refusal is not None:
            await _answer(send_with_id, *refusal)
        else:
            try:
                await self.app(scope, _counted(receive, limit, name), send_with_id)
            except BodyTooLarge as exc:  # raised outside a route's handlers (the response has not started)
                await _answer(send_with_id, 413, {"detail": exc.detail})
        self._record(scope, state, status["code"], started)

    async def _refusal(self, scope, headers: Headers, state: dict, limit: int, name: str) -> tuple | None:
        """(status, body, headers) when the request is refused before any of its body is read."""
        size = headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > limit):
            return 413, {"detail": f"request body over {limit} bytes ({name})"}, {}
        if not self.settings.auth:
            state.update(key=LOCAL, key_name=LOCAL.name)
            return None
        token = _bearer(headers) or _ui_cookie(scope, headers)
        if token:
            key = await asyncio.to_thread(find_key, scope["app"].state.db, token)
            if key is not None:
                state.update(key=key, key_name=key.name)
                return None
        if not scope["path"].startswith(KEYED):
            return None  # /health, /ready, /metrics, /docs, the /ui pages: open (the route decides what it shows)
        return await self._unauthenticated(scope, "unknown or revoked API key" if token else
                                           "an API key is required: Authorization: Bearer <key>")

    async def _unauthenticated(self, scope, message: str) -> tuple:
        db, address = scope["app"].state.db, f"addr:{(scope.get('client') or ('-',))[0]}"
        rate = self.settings.anon_rate_per_minute
        refused = await asyncio.to_thread(usage.charge, db, address, requests=1, rate=rate)
        if refused is not None:
            self.metrics.rejected.labels("rate_no_key").inc()
            return 429, {"detail": "too many requests without a valid key from this address"}, {
                "Retry-After": str(refused.retry_after_s)}
        self.metrics.rejected.labels("bad_key" if "revoked" in message else "no_key").inc()
        return 401, {"detail": message}, {"WWW-Authenticate": "Bearer"}

    def _cap(self, scope) -> tuple[int, str]:
        if (scope["method"], scope["path"]) in UPLOAD_ROUTES:
            return self.settings.max_upload_bytes, "max_upload_bytes"
        return self.settings.max_request_bytes, "max_request_bytes"

    def _record(self, scope, state: dict, code: int, started: float) -> None:
        route = scope.get("route")
        path = getattr(route, "path", "unmatched")
        seconds = time.monotonic() - started
        self.metrics.requests.labels(path, scope["method"], str(code)).inc()
        self.metrics.latency.labels(path).observe(seconds)
        self.log.info(f"{scope['method']} {scope['path']} {code}",
                      extra={"request_id": state["request_id"], "method": scope["method"], "path": scope["path"],
                             "status": code, "ms": round(seconds * 1000, 1), "key": state["key_name"]})


def _bearer(headers: Headers) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _ui_cookie(scope, headers: Headers) -> str:
    """The key the workspace's login page stored, on /ui requests only."""
    if not scope["path"].startswith("/ui"):
        return ""
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == UI_COOKIE:
            return value.strip().strip('"')
    return ""


def _counted(receive, limit: int, name: str):
    """``receive`` that counts body bytes and raises BodyTooLarge once they pass ``limit``."""
    seen = 0

    async def wrapped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit, name)
        return message

    return wrapped


async def _answer(send, status: int, body: dict, headers: dict | None = None) -> None:
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                            *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())]})
    await send({"type": "http.response.body", "body": raw})
