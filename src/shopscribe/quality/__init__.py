"""Quality: the checks copy must pass before it is published — compliance rule packs, claims against the
product data (faithfulness, claim families), and the publishing guard that applies them and gives a verdict."""

from shopscribe.quality.guard import GuardReport, GuardVerdict, PublishingGuard
from shopscribe.quality.text import numbers, tokenize

__all__ = ["GuardReport", "GuardVerdict", "PublishingGuard", "numbers", "tokenize"]
