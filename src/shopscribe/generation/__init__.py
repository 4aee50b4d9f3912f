"""Generation: the one copy pipeline (``pipeline.CopyModel``), its options, and resumable catalog runs."""

from shopscribe.appendlog import read_done
from shopscribe.engine.decoding import DecodingArgs
from shopscribe.generation.config import CopyOptions, EngineArgs, GenerateConfig, LengthArgs
from shopscribe.generation.generate import GenerateResult, generate
from shopscribe.generation.generator import Generation, Generator
from shopscribe.generation.pipeline import CopyModel

__all__ = ["CopyModel", "CopyOptions", "DecodingArgs", "EngineArgs", "GenerateConfig", "GenerateResult",
           "Generation", "Generator", "LengthArgs", "generate", "read_done"]
