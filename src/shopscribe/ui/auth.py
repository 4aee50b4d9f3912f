"""Who is at the keyboard: the key given on the login page, kept in an HttpOnly, SameSite=Strict cookie
scoped to /ui (the gate reads it, ``service.gate``). Pages redirect to the login page without it; the JSON
calls answer 401 / 403, and need the ``X-ShopScribe-UI`` header (a cross-site form cannot send it)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import HTTPException, Request

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


def action_key(request: Request) -> ApiKeyInfo:
    """The key of a JSON call from the pages."""
    key: ApiKeyInfo | None = getattr(request.state, "key", None)
    if key is None:
        raise HTTPException(401, "log in with an API key at /ui/login")
    if request.method != "GET" and request.headers.get(UI_HEADER) != "1":
        raise HTTPException(403, f"workspace calls must carry the {UI_HEADER} header")
    if not key.allows(SCOPE):
        raise HTTPException(403, f"this key's scopes {list(key.scopes)} do not include '{SCOPE}'")
    return key


def actor(key: ApiKeyInfo) -> str:
    """Who did it, as the audit log and the pages name them: the key's name, with its team."""
    return f"{key.name} ({key.team})" if key.team else key.name


def login_url(next_url: str, message: str = "") -> str:
    return f"/ui/login?next={quote(next_url)}" + (f"&message={quote(message)}" if message else "")


def key_viewer(key: ApiKeyInfo) -> Viewer:
    """Whose jobs a key sees: its own, its team's, or (admin) every job."""
    return Viewer(key.name, key.team, key.admin)
