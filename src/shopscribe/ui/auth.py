"""Who is at the keyboard: the key given on the login page, kept in an HttpOnly, SameSite=Strict cookie
scoped to /ui (the gate reads it, ``service.gate``). Pages redirect to the login page without it; the JSON
calls answer 401 / 403, and need the ``X-ShopScribe-UI`` header (a cross-site form cannot send it)."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from fastapi import HTTPException, Request

from shopscribe.storage import usage
from shopscribe.storage.jobs import Viewer
from shopscribe.storage.keys import ApiKeyInfo

COOKIE = "shopscribe_key"  # the gate reads it on /ui requests (service.gate)
UI_HEADER = "x-shopscribe-ui"
SCOPE = "review"


class LoginRequired(Exception):
    """A page was asked for without a usable key: the handler redirects to the login page."""

    def __init__(self, next_url: str, message: str = ""):
        self.next_url, self.message = next_url, message


def page_key(request: Request) -> ApiKeyInfo:
    """The key of a page request (redirect to the login page without one that holds ``review``)."""
    key: ApiKeyInfo | None = getattr(request.state, "key", None)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if key is None:
        raise LoginRequired(target)
    if not key.allows(SCOPE):
        raise LoginRequired(target, f"the key '{key.name}' has no '{SCOPE}' scope")
    return key


async def action_key(request: Request) -> ApiKeyInfo:
    """The key of a JSON call from the pages, counted in the key's requests a minute like an API call
    (429 over them): a reviewer's page cannot flood the server either."""
    key: ApiKeyInfo | None = getattr(request.state, "key", None)
    if key is None:
        raise HTTPException(401, "log in with an API key at /ui/login")
    if request.method != "GET" and request.headers.get(UI_HEADER) != "1":
        raise HTTPException(403, f"workspace calls must carry the {UI_HEADER} header")
    if not key.allows(SCOPE):
        raise HTTPException(403, f"this key's scopes {list(key.scopes)} do not include '{SCOPE}'")
    state = request.app.state
    rate = key.rate_per_minute or state.settings.rate_per_minute
    refused = await asyncio.to_thread(usage.charge, state.db, f"key:{key.name}", requests=1, rate=rate)
    if refused is not None:
        raise HTTPException(429, f"rate limit reached for this key ({rate} requests a minute)",
                            headers={"Retry-After": str(refused.retry_after_s)})
    return key


async def spend_tokens(request: Request, key: ApiKeyInfo, tokens: int) -> None:
    """Charge a regeneration's work to the key's token budget a minute (429 over it, nothing charged)."""
    state = request.app.state
    budget = key.tokens_per_minute or state.settings.tokens_per_minute
    refused = await asyncio.to_thread(usage.charge, state.db, f"key:{key.name}", tokens=tokens, budget=budget)
    if refused is not None:
        raise HTTPException(429, f"work budget reached for this key ({budget} tokens a minute; another draft "
                                 f"needs {tokens})", headers={"Retry-After": str(refused.retry_after_s)})


def actor(key: ApiKeyInfo) -> str:
    """Who did it, as the audit log and the pages name them: the key's name, with its team."""
    return f"{key.name} ({key.team})" if key.team else key.name


def login_url(next_url: str, message: str = "") -> str:
    return f"/ui/login?next={quote(next_url)}" + (f"&message={quote(message)}" if message else "")


def key_viewer(key: ApiKeyInfo) -> Viewer:
    """Whose jobs a key sees: its own, its team's, or (admin) every job."""
    return Viewer(key.name, key.team, key.admin)
