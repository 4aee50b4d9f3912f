import pytest

from shopscribe.config import load_config
from shopscribe.errors import ConfigError
from shopscribe.training import TrainConfig


def test_yaml_plus_dotted_overrides(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("out_dir: runs/a\ndata: {train_file: c.jsonl}\ntrain: {lr: 1.0e-4}\n")
    cfg = load_config(TrainConfig, path, ["train.lr=3e-4", "lora.r=8", "lora.target_modules=[q_proj]"])
    assert cfg.train.lr == 3e-4 and cfg.lora.r == 8 and cfg.lora.target_modules == ["q_proj"]
    assert str(cfg.data.train_file) == "c.jsonl"


def test_mistyped_key_is_an_error_naming_it(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("out_dir: x\ndata: {train_file: c.jsonl}\n")
    with pytest.raises(ConfigError, match=r"train\.epoch"):
        load_config(TrainConfig, path, ["train.epoch=3"])


def test_cross_field_check(tmp_path):
    with pytest.raises(ConfigError, match="save_steps"):
        load_config(TrainConfig, None, ["out_dir=x", "data.train_file=c", "train.eval_steps=3", "train.save_steps=5"])


def test_missing_file_and_bad_override():
    with pytest.raises(ConfigError, match="not found"):
        load_config(TrainConfig, "nope.yaml")
    with pytest.raises(ConfigError, match="key=value"):
        load_config(TrainConfig, None, ["train.lr"])
