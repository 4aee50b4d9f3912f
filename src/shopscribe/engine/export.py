"""GGUF files for the llama.cpp engine: where a model's GGUF is, and exports of trained runs.

* a packaged model or a ``.gguf`` file is used as it is (the exact Q4_K_M weights a LoRA run trained on);
* a LoRA run's adapter is converted to a GGUF LoRA adapter with llama.cpp's ``convert_lora_to_gguf.py``
  and applied at run time on that base; a full fine-tune is converted with ``convert_hf_to_gguf.py``
  (Q8_0). Both are cached in the run folder under ``engine/`` with the key of the files they came from,
  and rebuilt when those change.

The conversion scripts come from the llama.cpp source that ``llama-cpp-python``'s source package
carries; ``install.sh`` unpacks them into ``<cache>/llama.cpp`` (``SHOPSCRIBE_LLAMA_CPP`` overrides).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shopscribe.errors import EngineError, EngineUnavailable
from shopscribe.models.loading import read_run_info
from shopscribe.models.sources import PACKAGED, cache_dir, resolve_model


@dataclass(frozen=True)
class GgufModel:
    """What the llama.cpp engine loads: a GGUF model and, for a LoRA run, its GGUF adapter."""

    model: Path
    lora: Path | None = None


def llama_cpp_tools() -> Path:
    folder = Path(os.environ.get("SHOPSCRIBE_LLAMA_CPP", cache_dir() / "llama.cpp"))
    if not (folder / "convert_lora_to_gguf.py").is_file():
        raise EngineUnavailable(f"llama.cpp's conversion scripts are not at {folder}: run install.sh (it unpacks "
                                "them from the llama-cpp-python source package) or set SHOPSCRIBE_LLAMA_CPP to a "
                                "llama.cpp checkout")
    return folder


def gguf_source(spec: str | Path) -> Path | None:
    """The GGUF a packaged name, a ``.gguf`` path or a prepared model folder came from; None if none."""
    spec_str = str(spec)
    if spec_str in PACKAGED:
        return PACKAGED[spec_str].locate()
    path = Path(spec_str).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return path
    marker = path / "shopscribe_prepared.json"
    if marker.is_file():
        source = Path(json.loads(marker.read_text(encoding="utf-8"))["source"])
        return source if source.is_file() else None
    return None


def can_export(spec: str | Path) -> bool:
    """True when ``gguf_for`` can give this model a GGUF without converting anything unsupported."""
    try:
        folder = resolve_model(spec) if str(spec) not in PACKAGED else None
    except Exception:
        return False
    run = read_run_info(folder) if folder is not None else None
    if run is None:
        return gguf_source(spec) is not None
    if run.get("method") == "full":
        return (folder / "model" / "config.json").is_file()
    return gguf_source(run["base_model"]) is not None


def gguf_for(spec: str | Path, progress: Callable[[str], None] | None = None) -> GgufModel:
    """The GGUF files for ``spec``, exporting a trained run once (cached beside it)."""
    direct = gguf_source(spec)
    if direct is not None:
        return GgufModel(direct)
    folder = resolve_model(spec, progress=progress)
    run = read_run_info(folder)
    if run is None:
        raise EngineError(f"{spec} has no GGUF (a Hugging Face folder): use engine=transformers")
    if run.get("method") == "full":
        return GgufModel(_cached_export(folder / "model", folder / "engine" / "model.q8_0.gguf", _convert_full,
                                        progress))
    base = gguf_source(run["base_model"])
    if base is None:
        raise EngineError(f"the base model of {folder} ({run['base_model']}) has no GGUF: use engine=transformers")
    adapter = _cached_export(folder / "adapter", folder / "engine" / "adapter.gguf", _convert_lora, progress,
                             base=resolve_model(run["base_model"], progress=progress))
    return GgufModel(base, adapter)


def _files_key(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.suffix in (".safetensors", ".bin", ".json"):
            h.update(p.name.encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def _cached_export(source: Path, target: Path, convert, progress, **kwargs) -> Path:
    """``target`` when its recorded key matches ``source``'s files; else convert again (atomically)."""
    if not source.is_dir():
        raise EngineError(f"{source} is missing: did training finish? Re-run `shopscribe train` to resume")
    key = _files_key(source)
    record = target.with_name(target.name + ".json")
    if target.is_file() and record.is_file() and json.loads(record.read_text())["source_key"] == key:
        return target
    (progress or (lambda _m: None))(f"exporting {source} for llama.cpp -> {target} (once; cached)")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    convert(source, tmp, **kwargs)
    tmp.replace(target)
    record.write_text(json.dumps({"source": str(source), "source_key": key}), encoding="utf-8")
    return target


def _run_script(script: str, args: list[str]) -> None:
    tools = llama_cpp_tools()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tools / "gguf-py"), str(tools)]),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(tools / script), *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise EngineError(f"{script} failed ({proc.returncode}): {proc.stderr.strip()[-800:]}")


def _convert_lora(adapter: Path, out: Path, base: Path) -> None:
    _run_script("convert_lora_to_gguf.py", ["--base", str(base), "--outtype", "f16", "--outfile", str(out),
                                            str(adapter)])


def _convert_full(model: Path, out: Path) -> None:
    _run_script("convert_hf_to_gguf.py", ["--outtype", "q8_0", "--outfile", str(out), str(model)])
