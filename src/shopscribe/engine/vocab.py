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
import re
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import EngineError

_CJK = re.compile(r"[\u3400-\u9fff]")
_BYTE = re.compile(r"<0x[0-9A-F]{2}>")
_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9\u3400-\u9fff]")


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


def _numbers(field, keep: list[int]) -> list:
    """A numeric array field's items at ``keep``, read from its parts without gguf-py's per-item path."""
    import numpy as np

    return np.concatenate([field.parts[field.data[i]] for i in keep]).tolist()


def _strings(field, keep: list[int]) -> list[str]:
    return [bytes(field.parts[field.data[i]]).decode("utf-8") for i in keep]


def catalog_vocab(tokenizer, texts: list[str]) -> list[int]:
    """Full ids to keep: every special and byte token, every token of ``texts``, and every other token made
    only of Chinese (CJK) characters the texts use — another segmentation of words the catalog writes."""
    ids = set(tokenizer.added_tokens_decoder) | set(tokenizer.all_special_ids)
    for text in texts:
        ids.update(tokenizer(text, add_special_tokens=False)["input_ids"])
    chars = set("".join(texts))
    pieces = _word_pieces(texts)
    for tid, piece in enumerate(tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))):
        word = (piece or "").replace("\u2581", "")
        if (_BYTE.fullmatch(word) or (word and _CJK.search(word) and all(c in chars for c in word))
                or (word and word.lower() in pieces)):
            ids.add(tid)
    return sorted(ids)


def _word_pieces(texts: list[str], longest: int = 16) -> set[str]:
    """Every substring (up to ``longest`` characters) of every lower-cased Latin word or number in ``texts``:
    any spelling or split of a word the catalog uses ("Cotton", "cott" + "on")."""
    words = {w for text in texts for w in _WORD.findall(text.lower())}
    return {w[i:j] for w in words for i in range(len(w)) for j in range(i + 1, min(len(w), i + longest) + 1)}


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
