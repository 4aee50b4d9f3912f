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
    found = checker.check("Drink two cups a day and your blood sugar returns to normal.")
    assert LEARNED_RULE in {f.rule_id for f in found}
    assert checker.check("Blue cotton shirt with a spread collar and long sleeves.") == []
    monkeypatch.setenv("SHOPSCRIBE_COMPLIANCE_MODEL", "none")
    assert ComplianceChecker.for_locale("en").learned is None
    assert PACKAGED.is_dir()


def test_the_packaged_claim_verifier_is_on_by_default_and_fails_closed(monkeypatch, tmp_path):
    from shopscribe.generation.pipeline import load_verifier
    from shopscribe.quality.verifier import PACKAGED_VERIFIER

    monkeypatch.delenv("SHOPSCRIBE_VERIFIER", raising=False)
    verifier = load_verifier("auto", tmp_path, log=lambda m: None)
    assert verifier is not None and verifier.folder == PACKAGED_VERIFIER.resolve()
    assert (PACKAGED_VERIFIER / "adapter" / "adapter_model.safetensors").stat().st_size < 4_000_000
    pot = ProductRecord(id="pot-1", locale="en", title="Steel Cooking Pot 24 cm with Steel Lid",
                        category="Kitchen", attributes={"material": "stainless steel", "lid": "stainless steel",
                                                        "capacity": "5 L"})
    said, invented = verifier.verify(pot, ["It is made of stainless steel.",
                                           "It comes with a removable silicone steamer tray."])
    assert said.label == "supported", said
    assert invented.label != "supported", invented
    monkeypatch.setenv("SHOPSCRIBE_VERIFIER", "none")
    assert load_verifier("auto", tmp_path, log=lambda m: None) is None
