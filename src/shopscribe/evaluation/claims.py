"""Measure the claim checker against a labelled set of generated sentences.

Each labelled row: a product id (from a catalog), a sentence, and its claims as
``{surface: supported|unsupported|contradicted}``. A labelled claim is matched
to a predicted claim whose span overlaps it. Accuracy counts every labelled
claim (right only if matched with the same status) and every predicted claim
with no label (always wrong), so spurious claims are penalised.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.faithfulness import check_faithfulness


@dataclass
class ClaimEval:
    correct: int = 0
    total: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def evaluate_claim_labels(labels_path: Path, products: dict[str, ProductRecord],
                          unlabelled_ok: tuple[str, ...] = (), families=None) -> ClaimEval:
    """``unlabelled_ok``: kinds (prefixes, e.g. "detail:") a set was not labelled for; an unlabelled
    predicted claim of such a kind is not counted (sets written before the checker knew them)."""
    result = ClaimEval()
    for line in Path(labels_path).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        sentence = row["sentence"]
        norm = unicodedata.normalize("NFKC", sentence).lower()
        predicted = check_faithfulness(sentence, products[row["product_id"]], families=families).claims
        used = set()
        for surface, status in row["claims"].items():
            start = norm.find(unicodedata.normalize("NFKC", surface).lower())
            end = start + len(surface)
            match = next((i for i, c in enumerate(predicted) if i not in used and start >= 0
                          and c.start < end and start < c.end), None)
            result.total += 1
            if match is not None:
                used.add(match)
            got = predicted[match].status if match is not None else None
            if got == status:
                result.correct += 1
            else:
                result.errors.append({"sentence": sentence, "claim": surface, "label": status, "predicted": got})
        for i, c in enumerate(predicted):
            if i not in used and not c.kind.startswith(unlabelled_ok or ("\0",)):
                result.total += 1
                result.errors.append({"sentence": sentence, "claim": c.text, "label": None, "predicted": c.status})
    return result
