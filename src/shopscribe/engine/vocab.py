"""A catalog-sized output layer: the model's vocabulary cut to the tokens a catalog can need.

Per generated token Gemma 3 270M spends 63 % of its work in the 640 x 262,144 output layer, while a
catalog's copy uses a few thousand distinct tokens (describe-zh: 3,093; describe-en: 9,078, over all
their fields and references). ``reduced_gguf`` writes a copy of a GGUF whose vocabulary (and tied
embedding matrix, whose rows are the output layer) keeps only the given tokens plus every special and
byte token; ``VocabMap`` maps token ids between the two. The engine feeds prompts in the reduced ids
and scatters each output row back to full-vocabulary logits (other tokens -inf), so the decoding
controls see the same ids as ever. The kept set comes from the run's training targets, the task's
templates and the products' own fields (``catalog_vocab``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import EngineError

NORMAL = 1  # llama.cpp token type of an ordinary token; control, byte and user-defined tokens are always kept


@dataclass
class VocabMap:
    keep: list[int]  # kept full ids, ascending: reduced id i is full id keep[i]
    full_size: int

    def __post_init__(self):
        import numpy as np

        self.to_reduced = np.full(self.full_size, -1, dtype=np.int64)
        self.to_reduced[self.keep] = np.arange(len(self.keep))

    def reduce(self, ids: list[int]) -> list[int]:
        out = self.to_reduced[ids].tolist()
        if any(i < 0 for i in out):
            raise EngineError("a prompt token is outside the reduced output vocabulary; use output_vocab=full")
        return out


def _gguf():
    import sys

    from shopscribe.engine.export import llama_cpp_tools

    path = str(llama_cpp_tools() / "gguf-py")  # the gguf-py of the llama.cpp the engine was built from
    if path not in sys.path:
        sys.path.insert(0, path)
    import gguf

    return gguf


def _numbers(field, keep: list[int] | None = None) -> list:
    """A numeric array field's items (at ``keep``), read from its parts without gguf-py's per-item path."""
    import numpy as np

    index = field.data if keep is None else [field.data[i] for i in keep]
    return np.concatenate([field.parts[j] for j in index]).tolist()


def _strings(field, keep: list[int]) -> list[str]:
    return [bytes(field.parts[field.data[i]]).decode("utf-8") for i in keep]


def special_ids(src: Path) -> list[int]:
    reader = _gguf().GGUFReader(str(src))
    return [i for i, t in enumerate(_numbers(reader.fields["tokenizer.ggml.token_type"])) if t != NORMAL]


def catalog_vocab(tokenizer, texts: list[str], src: Path) -> list[int]:
    """Full ids to keep: every special and byte token, and every token of ``texts``."""
    ids = set(special_ids(src))
    for text in texts:
        ids.update(tokenizer(text, add_special_tokens=False)["input_ids"])
    return sorted(ids)


def reduced_gguf(src: Path, keep: list[int], cache: Path) -> Path:
    """A copy of ``src`` with only the ``keep`` tokens (cached by source and token set)."""
    key = hashlib.sha256(json.dumps([str(src), src.stat().st_size, keep]).encode()).hexdigest()[:16]
    out = cache / f"{src.stem}.vocab-{len(keep)}-{key}.gguf"
    if out.is_file():
        return out
    gguf = _gguf()
    reader = gguf.GGUFReader(str(src))
    new_id = {old: new for new, old in enumerate(keep)}
    arch = reader.fields["general.architecture"].contents()
    cache.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), arch=arch)
    for name, field in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        if name == "tokenizer.ggml.tokens":
            value = _strings(field, keep)
        elif name in ("tokenizer.ggml.scores", "tokenizer.ggml.token_type"):
            value = _numbers(field, keep)
        else:
            value = field.contents()
        if name.startswith("tokenizer.ggml.") and name.endswith("_token_id"):
            value = new_id[value]
        sub_type = field.types[-1] if field.types[0] == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, value, field.types[0], sub_type=sub_type)
    for tensor in reader.tensors:
        data = tensor.data[keep] if tensor.name == "token_embd.weight" else tensor.data
        writer.add_tensor(tensor.name, data, raw_shape=data.shape, raw_dtype=tensor.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out)
    return out
