"""Generation: batched decoding, length enforcement and resumable catalog runs."""

from shopscribe.generation.config import DecodingArgs, GenerateConfig, LengthArgs
from shopscribe.generation.generate import GenerateResult, generate, read_done
from shopscribe.generation.generator import Generation, Generator

__all__ = ["DecodingArgs", "GenerateConfig", "GenerateResult", "Generation", "Generator", "LengthArgs",
           "generate", "read_done"]
