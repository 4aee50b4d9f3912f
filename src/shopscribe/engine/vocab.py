"""A catalog-sized output layer: the model's vocabulary cut to the tokens a catalog can need.

Per generated token Gemma 3 270M spends 63 % of its work in the 640 x 262,144 output layer, while a
catalog's copy uses a few thousand distinct tokens (describe-zh: 3,093; describe-en: 9,078, over all
their fields and references). ``reduced_gguf`` writes a copy of a GGUF whose vocabulary (and tied
embedding matrix, whose rows are the output layer) keeps only the given tokens plus every special and
byte token; ``VocabMap`` maps token ids between the two. The engine feeds prompts in the reduced ids
and scatters each output row back to full-vocabulary logits (other tokens -inf), so the decoding
controls see the same ids as ever. The kept set comes from the run's training prompts and targets, the
task's templates and, where they are known, the products' own fields (``catalog_vocab``), plus every
single-character token of the scripts those texts are written in, so any word can still be spelled. A
prompt token that was cut (a product word the run never saw) is fed as kept pieces of the same text
(``VocabMap.respell``), so one cut model serves any product.
"""

from __future__ import annotations

import hashlib
import os
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import EngineError

_CJK = re.compile(r"[\u3400-\u9fff]")
_BYTE = re.compile(r"<0x[0-9A-F]{2}>")
# one character of Latin text, its punctuation and symbols (ASCII, Latin-1, general punctuation), and
# with CJK also CJK punctuation, full-width forms and every CJK character
_SINGLE = re.compile(r"[\x20-\x7e\u00a0-\u017f\u2000-\u206f\u2100-\u214f]")
_SINGLE_CJK = re.compile(r"[\x20-\x7e\u00a0-\u017f\u2000-\u206f\u2100-\u214f\u3000-\u303f\uff00-\uffef\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+|[^\sa-z0-9\u3400-\u9fff]")


@dataclass
class VocabMap:
    keep: list[int]  # kept full ids, ascending: reduced id i is full id keep[i]
    pieces: list[str]  # every full id's token text (the tokenizer's pieces)

    def __post_init__(self):
        import numpy as np

        self.full_size = len(self.pieces)
        self.to_reduced = np.full(self.full_size, -1, dtype=np.int64)
        self.to_reduced[self.keep] = np.arange(len(self.keep))
        self._kept = {self.pieces[i]: i for i in self.keep if self.pieces[i]}
        self._longest = max(map(len, self._kept))

    def respell(self, ids: list[int]) -> list[int]:
        """``ids`` with every cut token replaced by kept tokens spelling the same text: longest kept pieces
        first, a character no kept piece starts with as its UTF-8 byte tokens."""
        out: list[int] = []
        for tid in ids:
            out.extend([tid] if self.to_reduced[tid] >= 0 else self._spell(self.pieces[tid] or ""))
        return out

    def _spell(self, text: str) -> list[int]:
        ids, i = [], 0
        while i < len(text):
            j = next((j for j in range(min(len(text), i + self._longest), i, -1) if text[i:j] in self._kept), None)
            if j is None:
                for byte in text[i].encode("utf-8"):
                    if (tid := self._kept.get(f"<0x{byte:02X}>")) is None:
                        raise EngineError(f"the cut output vocabulary cannot spell {text!r}; use output_vocab=full")
                    ids.append(tid)
                i += 1
            else:
                ids.append(self._kept[text[i:j]])
                i = j
        return ids


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
    """Full ids to keep: every special and byte token, every token of ``texts``, every other token made
    only of Chinese (CJK) characters the texts use — another segmentation of words the catalog writes —,
    every Latin token that is a piece of a word the texts use, and every single-character token of the
    scripts they are written in (Latin and common punctuation always, CJK when the texts hold any) and
    every token of spaces and line breaks, so a word the texts never use can still be spelled."""
    ids = set(tokenizer.added_tokens_decoder) | set(tokenizer.all_special_ids)
    for text in texts:
        ids.update(tokenizer(text, add_special_tokens=False)["input_ids"])
    chars = set("".join(texts))
    single = _SINGLE_CJK if any(_CJK.match(c) for c in chars) else _SINGLE
    pieces = _word_pieces(texts)
    for tid, piece in enumerate(token_pieces(tokenizer)):
        word = (piece or "").replace("\u2581", "")
        if (_BYTE.fullmatch(word) or (word and _CJK.search(word) and all(c in chars for c in word))
                or (word and word.lower() in pieces) or single.fullmatch(word)
                or (piece and not piece.replace("\u2581", " ").strip())):  # spaces and line breaks
            ids.add(tid)
    return sorted(ids)


def writable_share(tokenizer, texts: list[str], held_out: list[str]) -> float:
    """The share of ``held_out``'s tokens that the vocabulary cut to ``texts`` keeps: how much of unseen copy
    the cut layer can write token for token (1.0 without held-out text)."""
    keep = set(catalog_vocab(tokenizer, texts))
    ids = [i for text in held_out for i in tokenizer(text, add_special_tokens=False)["input_ids"]]
    return sum(i in keep for i in ids) / len(ids) if ids else 1.0


def token_pieces(tokenizer) -> list[str]:
    """Every token id's text, as the tokenizer writes it (spaces as \u2581)."""
    return tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))


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
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")  # processes (Ray actors) may write it at once
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
