import pytest

from shopscribe.errors import CorruptModelError, ModelSourceError
from shopscribe.models import check_gguf, load_causal_lm, resolve_model


def test_hub_id_offline_gives_how_to(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelSourceError, match="not available offline.*--local-dir"):
        resolve_model("someorg/some-model-that-is-not-here")


def test_truncated_and_fake_gguf_are_clear_errors(tmp_path):
    import numpy as np
    from gguf import GGUFWriter

    path = tmp_path / "m.gguf"
    writer = GGUFWriter(str(path), "llama")
    writer.add_tensor("w", np.ones((64, 64), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    check_gguf(path)  # intact file passes
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptModelError, match="truncated|damaged"):
        check_gguf(path)
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"<html>not a model</html>")
    with pytest.raises(CorruptModelError, match="not a GGUF"):
        resolve_model(fake)


def test_folder_without_config_and_missing_path(tmp_path):
    with pytest.raises(ModelSourceError, match="config.json"):
        resolve_model(tmp_path)
    with pytest.raises(ModelSourceError, match="does not exist"):
        resolve_model(tmp_path / "nope")


def test_damaged_weights_in_folder(tiny_model_dir, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(tiny_model_dir, broken)
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CorruptModelError, match="cannot load model weights"):
        load_causal_lm(broken)
