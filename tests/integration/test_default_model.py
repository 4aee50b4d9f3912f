"""Integration tests on the real default model (Gemma 3 270M from its PyPI package)."""

import json

import pytest
from typer.testing import CliRunner

from shopscribe.catalog import load_catalog
from shopscribe.config import load_config
from shopscribe.engine.hf import TransformersEngine
from shopscribe.generation import GenerateConfig, Generator, generate
from shopscribe.models import load_causal_lm
from shopscribe.tasks import load_task
from shopscribe.training import TrainConfig, train

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory, ):
    from tests.conftest import SAMPLE

    out = tmp_path_factory.mktemp("gemma") / "run"
    cfg = load_config(TrainConfig, None, [
        f"out_dir={out}", f"data.train_file={SAMPLE}", "train.max_steps=8", "train.batch_size=2",
        "train.grad_accum_steps=1", "train.lr=1e-3", "train.eval_steps=4", "train.save_steps=4",
        "train.warmup_ratio=0", "data.max_dev_examples=4", "data.max_seq_len=160", "train.logging_steps=1"])
    return train(cfg, log=lambda m: None)


def test_default_model_generates_chinese_and_english():
    loaded = load_causal_lm("gemma3-270m")
    records = load_catalog(__import__("tests.conftest", fromlist=["SAMPLE"]).SAMPLE).records
    pick = [next(r for r in records if r.locale == "en"), next(r for r in records if r.locale == "zh-CN")]
    engine = TransformersEngine(loaded.model, loaded.tokenizer)
    outputs = Generator(engine, load_task("describe"), max_chars=120).generate(pick)
    assert all(o.text and len(o.text) <= 120 for o in outputs)
    assert any("\u4e00" <= c <= "\u9fff" for c in outputs[1].text)  # Chinese in, Chinese out


def test_a_few_training_steps_lower_the_loss(trained_run):
    assert trained_run.steps == 8
    assert trained_run.best_dev_loss < trained_run.first_dev_loss
    assert (trained_run.out_dir / "adapter" / "adapter_model.safetensors").is_file()


def test_trained_run_generates(trained_run, tmp_path):
    out = tmp_path / "copy.jsonl"
    generate(load_config(GenerateConfig, None, [f"model={trained_run.out_dir}",
                                                f"products={trained_run.out_dir / 'data' / 'test.jsonl'}",
                                                f"out={out}", "limit=3", "batch_size=3"]), log=lambda m: None)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 3
    # 8 training steps write invented details at times: the guard may cut an output to nothing (on some
    # machines all three), and then it is flagged with what it cut (never silently empty)
    for r in rows:
        assert r["text"] or (r["guard"]["status"] == "flagged" and r["guard"]["before_cut"]["text"])
    # without the guard, the run writes copy for every product
    raw = tmp_path / "raw.jsonl"
    generate(load_config(GenerateConfig, None, [f"model={trained_run.out_dir}",
                                                f"products={trained_run.out_dir / 'data' / 'test.jsonl'}",
                                                f"out={raw}", "limit=3", "batch_size=3", "guard=false"]),
             log=lambda m: None)
    raw_rows = [json.loads(line) for line in raw.read_text().splitlines()]
    assert len(raw_rows) == 3 and all(r["text"] for r in raw_rows)


def test_every_guard_of_a_trained_run_on_llama_cpp_uses_the_claim_verifier(trained_run, monkeypatch):
    from shopscribe.generation import CopyOptions, EngineArgs
    from shopscribe.generation.pipeline import CopyModel

    # choosing a run's output layer probes a pipeline before the model is returned: its guard, kept for
    # every later pipeline, once had no verifier (the packaged verifier was loaded after it)
    monkeypatch.delenv("SHOPSCRIBE_VERIFIER", raising=False)
    model = CopyModel.load(str(trained_run.out_dir), EngineArgs(engine="llama.cpp"), log=lambda m: None)
    try:
        assert model.verifier is not None
        assert model.pipeline(CopyOptions()).guard.verifier is model.verifier
    finally:
        model.close()


def test_readme_quickstart_command(tmp_path):
    from shopscribe.cli.app import app

    # the README's command, trained 2 steps and evaluated on 6 products to keep the suite short
    result = CliRunner().invoke(app, ["quickstart", "--out-dir", str(tmp_path / "qs"), "--limit", "6",
                                      "train.max_steps=2"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "qs" / "eval" / "report.json").read_text())
    assert set(report["systems"]) == {"baseline", "zero_shot", "fine_tuned", "fine_tuned (raw)"}
    assert report["n_products"] == 6
    published = (tmp_path / "qs" / "eval" / "outputs" / "fine_tuned.guarded.jsonl").read_text().splitlines()
    assert len(published) == report["n_products"] and all("guard" in json.loads(r) for r in published)
    assert (tmp_path / "qs" / "eval" / "report.html").is_file()


def test_optimize_with_the_default_model_publishes_only_checked_text(tmp_path):
    from tests.conftest import SAMPLE
    from shopscribe.optimize import OptimizeConfig, optimize

    result = optimize(load_config(OptimizeConfig, None, [f"products={SAMPLE}", f"out={tmp_path / 'o.jsonl'}",
                                                         "model=gemma3-270m", "limit=2", "keywords=[gift]"]),
                      log=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "o.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(r["checks"]["passed"] for r in rows)
    assert all(r["source"] == "model" or r["model_note"] for r in rows)  # used, or rejected with a reason
    assert result.metrics["keyword_inclusion"] == 1.0


def test_a_lora_run_exported_for_llama_cpp_writes_what_transformers_writes(trained_run):
    """The adapter is converted to GGUF once (cached beside the run) and applied on the Q4_K_M base. The
    quantised kernels (activations rounded to 8 bits, the adapter in f16) give slightly other logits than the
    transformers reference, so two greedy outputs may part ways, but only where the reference's scores for
    the two chosen tokens are a near-tie; a wrong adapter, prompt or scale would part them on a clear choice."""
    import torch

    from shopscribe.engine import load_engine
    from shopscribe.engine.controls import RowControls, penalise_repeats, repeated_ngram_next
    from shopscribe.engine.decoding import DecodingArgs
    from shopscribe.engine.select import has_llama_cpp

    if not has_llama_cpp():
        pytest.skip("llama-cpp-python is not installed (run install.sh)")
    records = load_catalog(trained_run.out_dir / "data" / "test.jsonl").records[:4]
    reference = load_engine(trained_run.out_dir, "transformers")
    prompts = Generator(reference, load_task("describe"), max_chars=120)
    requests = [prompts._request(r, 48, [], 1) for r in records]
    texts = {"transformers": [o[0] for o in reference.decode(requests, DecodingArgs())],
             "llama.cpp": [o[0] for o in load_engine(trained_run.out_dir, "llama.cpp").decode(requests, DecodingArgs())]}
    adapter = trained_run.out_dir / "engine" / "adapter.gguf"
    assert adapter.is_file() and adapter.with_name("adapter.gguf.json").is_file()
    assert all(t.strip() for t in texts["llama.cpp"])
    tok = reference.tokenizer
    for request, ours, theirs in zip(requests, texts["llama.cpp"], texts["transformers"]):
        ids = [tok(t, add_special_tokens=False)["input_ids"] for t in (ours, theirs)]
        k = next((i for i, (x, y) in enumerate(zip(*ids)) if x != y), None)
        if k is None:
            continue
        context = tok(request.prompt, add_special_tokens=True)["input_ids"] + ids[0][:k]
        with torch.no_grad():
            scores = reference.model(torch.tensor([context])).logits[0, -1].float()
        # the controls both engines apply before choosing: repeats penalised, repeated n-grams banned, the
        # Mention line's terms boosted (banned terms and digits are constraints: no row here meets one)
        decoding = DecodingArgs()
        penalise_repeats(scores, context, decoding.repetition_penalty)
        controls = RowControls(tok, [request], decoding, [])
        if decoding.no_repeat_ngram_size:
            banned = repeated_ngram_next(context, decoding.no_repeat_ngram_size)
            if banned:
                scores[sorted(banned)] = float("-inf")
        if controls.boost is not None:
            controls.boost.apply_row(0, torch.tensor(ids[0][:k], dtype=torch.long), scores)
        gap = abs(float(scores[ids[0][k]] - scores[ids[1][k]]))
        assert gap < 1.0, (request.prompt[-80:], ours, theirs, k, gap)