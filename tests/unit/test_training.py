import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from shopscribe.config import load_config
from shopscribe.errors import TrainingError
from shopscribe.training import TrainConfig, train


def _cfg(model_dir, catalog, out, *extra):
    return load_config(TrainConfig, None, [
        f"model={model_dir}", f"out_dir={out}", f"data.train_file={catalog}", "train.batch_size=4",
        "train.grad_accum_steps=1", "train.lr=3e-3", "train.eval_steps=5", "train.save_steps=5",
        "train.early_stopping_patience=null", "train.bf16=false", "data.max_seq_len=192", "lora.r=4",
        "train.logging_steps=1", *extra])


def test_lora_run_writes_everything_and_loss_falls(tiny_model_dir, sample_catalog, tmp_path):
    out = tmp_path / "run"
    result = train(_cfg(tiny_model_dir, sample_catalog, out, "train.max_steps=30"), log=lambda m: None)
    assert result.steps == 30
    for name in ("adapter/adapter_config.json", "adapter/adapter_model.safetensors", "adapter/tokenizer.json",
                 "config.yaml", "README.md", "shopscribe_run.json", "templates/describe.en.txt",
                 "data/train.jsonl", "data/test.jsonl"):
        assert (out / name).is_file(), name
    assert any((out / "logs").iterdir())  # TensorBoard events
    card = (out / "README.md").read_text()
    front = yaml.safe_load(card.split("---")[1])
    assert front["base_model"] == str(tiny_model_dir) and front["metrics"]["dev_loss_best"] is not None
    assert yaml.safe_load((out / "config.yaml").read_text())["train"]["max_steps"] == 30
    assert result.best_dev_loss < result.first_dev_loss
    test_ids = {json.loads(line)["id"] for line in (out / "data" / "test.jsonl").read_text().splitlines()}
    train_ids = {json.loads(line)["id"] for line in (out / "data" / "train.jsonl").read_text().splitlines()}
    assert test_ids and not test_ids & train_ids


def test_full_finetune_and_refuses_to_overwrite(tiny_model_dir, sample_catalog, tmp_path):
    out = tmp_path / "full"
    train(_cfg(tiny_model_dir, sample_catalog, out, "method=full", "train.max_steps=3"), log=lambda m: None)
    assert (out / "model" / "model.safetensors").is_file()
    with pytest.raises(TrainingError, match="overwrite"):
        train(_cfg(tiny_model_dir, sample_catalog, out, "method=full", "train.max_steps=3"), log=lambda m: None)


def test_sigkill_then_resume_finishes(tiny_model_dir, sample_catalog, tmp_path):
    out = tmp_path / "killed"
    args = [f"model={tiny_model_dir}", f"out_dir={out}", f"data.train_file={sample_catalog}", "train.max_steps=100",
            "train.batch_size=4", "train.grad_accum_steps=1", "train.eval_steps=5", "train.save_steps=5",
            "train.early_stopping_patience=null", "train.bf16=false", "data.max_seq_len=192", "lora.r=4"]
    code = ("import sys; from shopscribe.config import load_config; from shopscribe.training import TrainConfig, train;"
            "train(load_config(TrainConfig, None, sys.argv[1:]), log=lambda m: None)")
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while time.time() < deadline and not list((out / "checkpoints").glob("checkpoint-1[0-9]")):
        assert proc.poll() is None, "training ended before it could be killed"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "shopscribe_run.json").exists()
    result = train(load_config(TrainConfig, None, args), log=lambda m: None)
    assert result.resumed_from is not None and "checkpoint-" in result.resumed_from
    assert result.steps == 100 and (out / "adapter" / "adapter_model.safetensors").is_file()


def test_resume_with_different_config_is_refused(tiny_model_dir, sample_catalog, tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "config.yaml").write_text("model: other\n")
    with pytest.raises(TrainingError, match="different config"):
        train(_cfg(tiny_model_dir, sample_catalog, out, "train.max_steps=2"), log=lambda m: None)


def test_training_prompts_mention_what_each_reference_names(tiny_model_dir):
    from transformers import AutoTokenizer

    from shopscribe.catalog import ProductRecord
    from shopscribe.tasks import load_task
    from shopscribe.training.data import encode_examples

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    record = ProductRecord(id="t1", locale="en", title="cap", attributes={"color": "red", "size": "m"},
                           description="a red cap", references=["a cap in size m"])
    examples, stats = encode_examples([record], load_task("describe"), tok, max_seq_len=512)
    prompts = [tok.decode([t for t, lab in zip(ex["input_ids"], ex["labels"]) if lab == -100]) for ex in examples]
    assert stats.examples == 2
    assert "Mention: red, cap\n" in prompts[0] and "Mention: m, cap\n" in prompts[1]  # values, then title words


def test_coverage_selection_prefers_copy_that_names_the_attributes():
    from shopscribe.catalog import ProductRecord
    from shopscribe.tasks import load_task
    from shopscribe.training.train import mention_coverage

    task = load_task("describe")
    attrs = {"gender": "Women", "primary_color": "Pink", "price_inr": "899"}
    full = ProductRecord(id="a", locale="en", attributes=attrs, description="Pink jeans for women")
    half = ProductRecord(id="b", locale="en", attributes=attrs, description="Pink jeans")
    none = ProductRecord(id="c", locale="en", attributes=attrs, description="Jeans for men")
    assert [mention_coverage(r, task) for r in (full, half, none)] == [1.0, 0.5, 0.0]  # price is not asked for


def test_faithful_targets_leave_out_copy_with_numbers_the_data_does_not_hold(tmp_path):
    from shopscribe.catalog import ProductRecord, write_jsonl
    from shopscribe.tasks import load_task
    from shopscribe.training.train import load_splits

    attrs = {"gender": "Men", "primary_color": "Brown", "price_inr": "1299"}
    kinds = {"good": ("Brown loafers with 4 eyelets", []),  # the 4 is in the title
             "bad": ("Brown loafersWarranty: 3 months", []),  # nothing left: not trained on
             "mixed": ("Brown loafers, 2 pairs of laces", ["Brown leather loafers for men"])}  # one reference kept
    records = [ProductRecord(id=f"{kind}-{n}", locale="en", attributes=attrs, description=desc, references=refs,
                             title=f"ID Men Brown 4-Eyelet Leather Loafers {kind} {'abcdef'[n]}")
               for n in range(6) for kind, (desc, refs) in kinds.items()]
    write_jsonl(records, tmp_path / "catalog.jsonl")
    cfg = _cfg("unused", tmp_path / "catalog.jsonl", tmp_path / "run", "data.faithful_targets=true")
    (tmp_path / "run").mkdir()
    splits = load_splits(cfg, load_task("describe"), tmp_path / "run", log=lambda m: None)

    trained = splits["train"] + splits["dev"]
    assert not [r for r in trained if r.id.startswith("bad")]
    assert {r.description for r in trained if r.id.startswith("mixed")} == {"Brown leather loafers for men"}
    assert {r.description for r in trained if r.id.startswith("good")} == {"Brown loafers with 4 eyelets"}
    dropped = {json.loads(line)["id"]: json.loads(line) for name in ("train", "dev")
               for line in (tmp_path / "run" / f"unfaithful.{name}.jsonl").read_text().splitlines()}
    test_ids = {r.id for r in splits["test"]}
    assert set(dropped) == {r.id for r in records if not r.id.startswith("good") and r.id not in test_ids}
    assert all(row["unsupported_numbers"] == (["3"] if pid.startswith("bad") else ["2"])
               for pid, row in dropped.items())
    assert all(row["references_kept"] == (0 if pid.startswith("bad") else 1) for pid, row in dropped.items())
    test = {r.id: r.description for r in splits["test"]}  # the test split keeps its human copy as it is
    assert all(desc == kinds[pid.split("-")[0]][0] for pid, desc in test.items())
