"""Accuracy of the compliance checker and the claim checker on the labelled sets in tests/data.

    python benchmarks/claims_and_compliance.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shopscribe.catalog import load_catalog  # noqa: E402
from shopscribe.evaluation.claims import evaluate_claim_labels  # noqa: E402
from tests.conftest import SAMPLE  # noqa: E402
from tests.unit.test_compliance import precision_recall  # noqa: E402


def main() -> None:
    products = {r.id: r for r in load_catalog(SAMPLE).records}
    print("| locale | compliance phrases | precision | recall | held-out phrases | precision | recall "
          "| claim sentences | claims scored | claim accuracy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for locale in ("zh-CN", "en"):
        precision, recall, n = precision_recall(locale)
        h_precision, h_recall, h_n = precision_recall(locale, "compliance_heldout")
        labels = ROOT / "tests" / "data" / f"claims_{locale}.jsonl"
        claims = evaluate_claim_labels(labels, products)  # every prediction counts, details included
        sentences = len(labels.read_text(encoding="utf-8").splitlines())
        print(f"| {locale} | {n} | {precision:.3f} | {recall:.3f} | {h_n} | {h_precision:.3f} | {h_recall:.3f} "
              f"| {sentences} | {claims.total} | {claims.accuracy:.3f} |")
        for err in claims.errors:
            print("    miss:", json.dumps(err, ensure_ascii=False), file=sys.stderr)


if __name__ == "__main__":
    main()
