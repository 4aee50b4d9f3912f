"""Decoding backends behind one interface: prompts plus each product's decoding controls in, texts out.

``TransformersEngine`` is the reference (any model transformers loads, full fine-tunes, beam search);
``LlamaCppEngine`` decodes GGUF models with llama.cpp, many products at once with continuous batching.
``load_engine(model, engine="auto")`` picks the fastest backend that supports the model.
"""

from shopscribe.engine.request import DecodeRequest, Engine
from shopscribe.engine.select import ENGINES, load_engine, supported_engines

__all__ = ["ENGINES", "DecodeRequest", "Engine", "load_engine", "supported_engines"]
