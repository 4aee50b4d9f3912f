"""Advertising-law and marketplace compliance: rule packs as YAML data, a checker."""

from shopscribe.quality.compliance.checker import ComplianceChecker, Finding, Rule, RulePack, load_pack, load_packs

__all__ = ["ComplianceChecker", "Finding", "Rule", "RulePack", "load_pack", "load_packs"]
