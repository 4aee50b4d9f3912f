"""Model sources (packaged, GGUF, local folder, hub id) and loading."""

from shopscribe.models.loading import LoadedModel, format_prompt, load_causal_lm, load_tokenizer, stop_token_ids
from shopscribe.models.sources import DEFAULT_MODEL, PACKAGED, check_gguf, resolve_model

__all__ = ["DEFAULT_MODEL", "PACKAGED", "LoadedModel", "check_gguf", "format_prompt", "load_causal_lm",
           "load_tokenizer", "resolve_model", "stop_token_ids"]
