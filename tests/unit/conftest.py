"""Unit tests check the library's own logic on tiny models built inside the tests: the learned checks that
ship with the package (the compliance head, the claim verifier; real models) are off here, and
tests/integration checks that they are on by default."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_packaged_learned_checks(monkeypatch):
    monkeypatch.setenv("SHOPSCRIBE_COMPLIANCE_MODEL", "none")
    monkeypatch.setenv("SHOPSCRIBE_VERIFIER", "none")
