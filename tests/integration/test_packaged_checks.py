"""The learned checks that ship with the package are on by default: the compliance head beside the rule
packs, and the claim verifier beside the claim rules (issue 24: the guard fails closed on what no list names)."""

from __future__ import annotations

import pytest

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.compliance.learned import LEARNED_RULE, PACKAGED

pytestmark = pytest.mark.integration


def test_the_packaged_compliance_head_is_on_by_default(monkeypatch):
    monkeypatch.delenv("SHOPSCRIBE_COMPLIANCE_MODEL", raising=False)
    checker = ComplianceChecker.for_locale("en")
    assert checker.learned is not None and checker.learned.info.get("examples")
    # an unprovable health effect in words no rule pack lists
    found = checker.check("Sleep like a baby again: this pillow melts away years of back trouble overnight.")
    assert LEARNED_RULE in {f.rule_id for f in found}
    assert checker.check("Blue cotton shirt with a spread collar and long sleeves.") == []
    monkeypatch.setenv("SHOPSCRIBE_COMPLIANCE_MODEL", "none")
    assert ComplianceChecker.for_locale("en").learned is None
    assert PACKAGED.is_dir()
