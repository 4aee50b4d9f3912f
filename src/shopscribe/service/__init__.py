"""The HTTP service: ``create_app(settings)`` (FastAPI), run by ``shopscribe serve``.

Library code never imports from here; the service wires the library's pipeline to HTTP."""

from shopscribe.service.app import create_app
from shopscribe.service.settings import ServiceSettings, load_settings

__all__ = ["create_app", "ServiceSettings", "load_settings"]
