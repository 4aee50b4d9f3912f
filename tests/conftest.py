"""Shared fixtures: a tiny randomly initialised Llama with a character tokenizer, built once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

SAMPLE = Path(str(resources.files("shopscribe.resources") / "sample_catalog.jsonl"))


def build_char_tokenizer(texts: list[str]):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<s>", "</s>"]
    chars = sorted({c for t in texts for c in t} | set(" \n0123456789abcdefghijklmnopqrstuvwxyz:：."))
    vocab = {tok: i for i, tok in enumerate(specials + chars)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    tok.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", unk_token="<unk>",
                                   bos_token="<s>", eos_token="</s>")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A folder with a tiny random LlamaForCausalLM + char tokenizer, loadable by from_pretrained."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from shopscribe.tasks import load_task

    texts = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    for name in ("describe", "title", "summarize"):
        texts += list(load_task(name).templates.values())
    tokenizer = build_char_tokenizer(texts)
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
                                         max_position_embeddings=1024, pad_token_id=tokenizer.pad_token_id,
                                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id))
    folder = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def sample_catalog(tmp_path) -> Path:
    path = tmp_path / "catalog.jsonl"
    path.write_bytes(SAMPLE.read_bytes())
    return path


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path
