"""Preference tuning (training/preferences.py): candidates ranked by the guard, best-against-worst pairs,
DPO with TRL on the run's adapter — on the tiny model."""

from __future__ import annotations

import json

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.record import ProductRecord
from shopscribe.config import load_config
from shopscribe.quality.guard import PublishingGuard
from shopscribe.tasks.task import load_task
from shopscribe.training.config import PreferenceConfig
from shopscribe.preferences.tune import build_pairs, candidate_score, tune_preferences
from tests.unit.test_retrain import tiny_run

DRESS = ProductRecord(id="d1", locale="zh-CN", attributes={"类型": "连衣裙", "颜色": "黑色", "材质": "棉", "领型": "圆领"})


def test_the_guard_ranks_candidates_and_far_apart_ones_make_a_pair():
    task = load_task("describe")
    guard = PublishingGuard(task)
    policy = task.length("zh-CN", None)
    clean = "这款黑色连衣裙采用棉质面料，圆领设计简洁大方，日常穿着舒适又好搭配。"
    bad = "这款白色连衣裙采用真丝面料，显瘦又显瘦，显瘦又显瘦。"
    good, worse = candidate_score(clean, DRESS, guard, policy), candidate_score(bad, DRESS, guard, policy)
    assert good.score > worse.score
    assert worse.contradicted >= 1 and good.contradicted == 0 and good.coverage > worse.coverage
    pairs = build_pairs([DRESS], {"d1": [bad, clean, clean]}, guard, {"d1": policy}, min_gap=1.0)
    assert [(p["chosen"], p["rejected"]) for p in pairs] == [(clean, bad)]
    assert pairs[0]["rejected_score"]["contradicted"] >= 1
    assert candidate_score(clean + "。", DRESS, guard, policy).quality == ["quality:debris"]
    alike = "这款黑色连衣裙采用棉质面料，圆领设计简洁大方，日常穿着舒适。"
    assert build_pairs([DRESS], {"d1": [clean, alike]}, guard, {"d1": policy}, min_gap=1.0) == []


def test_dpo_tunes_a_new_run_from_the_old_one(tiny_model_dir, sample_catalog, tmp_path):
    import torch
    from safetensors.torch import load_file

    from shopscribe.generation import CopyModel

    run = tiny_run(tiny_model_dir, sample_catalog, tmp_path / "v1")
    cfg = load_config(PreferenceConfig, None, [
        f"run={run}", f"products={run / 'data' / 'train.jsonl'}", f"out_dir={tmp_path / 'v2'}", "engine=transformers",
        "max_products=3", "candidates=2", "min_gap=0", "max_seq_len=700", "batch_size=2", "grad_accum_steps=1",
        "lr=1e-2"])
    result = tune_preferences(cfg, log=lambda m: None)
    out = tmp_path / "v2"
    assert result.pairs >= 1 and result.steps >= 1 and result.products == 3
    pairs = [json.loads(line) for line in (out / "pairs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(pairs) == result.pairs and all(p["chosen_score"]["score"] >= p["rejected_score"]["score"] for p in pairs)
    info = json.loads((out / "shopscribe_run.json").read_text(encoding="utf-8"))
    assert info["preference_tuned_from"] == str(run) and info["preference"]["pairs"] == result.pairs
    before = load_file(run / "adapter" / "adapter_model.safetensors")
    after = load_file(out / "adapter" / "adapter_model.safetensors")
    assert before.keys() == after.keys()
    assert any(not torch.equal(before[k], after[k]) for k in before)  # the adapter moved
    assert (out / "data" / "test.jsonl").read_text() == (run / "data" / "test.jsonl").read_text()
    from shopscribe.generation.config import EngineArgs

    model = CopyModel.load(str(out), EngineArgs(engine="transformers"), log=lambda m: None)  # loads like any run
    assert model is not None
    assert load_catalog(out / "products.jsonl").records[0].id == load_catalog(cfg.products).records[0].id
