"""Load a model + tokenizer for training or generation, and format prompts for it.

A trained ShopScribe run folder is loaded as its base model plus the LoRA
adapter (merged for fast inference) or as its fully fine-tuned weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import CorruptModelError, ModelSourceError
from shopscribe.models.sources import RUN_MARKER, resolve_model


@dataclass
class LoadedModel:
    model: object
    tokenizer: object
    base_model: str
    adapter: Path | None = None


def load_tokenizer(folder: str | Path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_causal_lm(spec: str | Path, *, dtype: str = "float32", progress=None) -> LoadedModel:
    """Load ``spec`` (anything ``resolve_model`` accepts, or a run folder)."""
    import torch
    from transformers import AutoModelForCausalLM

    folder = resolve_model(spec, progress=progress)
    run = read_run_info(folder)
    if run is not None:
        return _load_run(folder, run, dtype, progress)
    torch_dtype = getattr(torch, dtype)
    from safetensors import SafetensorError

    try:
        model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch_dtype)
    except (OSError, SafetensorError) as exc:
        raise CorruptModelError(f"cannot load model weights from {folder} ({exc}); if this is a cached packaged "
                                "model, rebuild it with `shopscribe models prepare NAME --force`") from exc
    return LoadedModel(model, load_tokenizer(folder), str(spec))


def _load_run(folder: Path, run: dict, dtype: str, progress) -> LoadedModel:
    if run.get("method") == "full":
        loaded = load_causal_lm(folder / "model", dtype=dtype, progress=progress)
        loaded.base_model = run["base_model"]
        return loaded
    from peft import PeftModel

    base = load_causal_lm(run["base_model"], dtype=dtype, progress=progress)
    adapter = folder / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise ModelSourceError(f"run folder {folder} has no finished adapter (adapter/adapter_config.json); "
                               "did training finish? Re-run `shopscribe train` with the same config to resume")
    model = PeftModel.from_pretrained(base.model, str(adapter)).merge_and_unload()
    return LoadedModel(model, load_tokenizer(adapter), run["base_model"], adapter)


def load_run_tokenizer(spec: str | Path, progress=None):
    """The tokenizer ``load_causal_lm(spec)`` would give, without loading any weights."""
    folder = resolve_model(spec, progress=progress)
    run = read_run_info(folder)
    if run is None:
        return load_tokenizer(folder)
    return load_tokenizer(folder / ("model" if run.get("method") == "full" else "adapter"))


def read_run_info(folder: Path) -> dict | None:
    marker = Path(folder) / RUN_MARKER
    if not marker.is_file():
        return None
    return json.loads(marker.read_text(encoding="utf-8"))


def format_prompt(tokenizer, prompt: str) -> str:
    """Wrap ``prompt`` in the model's chat template if it has one; else plain completion style."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                             add_generation_prompt=True)
    return prompt


def stop_token_ids(tokenizer) -> list[int]:
    """End-of-text ids: eos plus the chat end-of-turn markers the tokenizer knows."""
    ids = {tokenizer.eos_token_id}
    for marker in ("<end_of_turn>", "<|im_end|>", "<|eot_id|>"):
        tid = tokenizer.convert_tokens_to_ids(marker)
        if isinstance(tid, int) and tid != tokenizer.unk_token_id:
            ids.add(tid)
    return sorted(i for i in ids if i is not None)
