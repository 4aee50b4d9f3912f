"""Best-of-n reranking and the learned critic (real sentence encoder, tiny generator)."""

import json

import numpy as np
import pytest

from shopscribe.catalog import load_catalog
from shopscribe.config import load_config
from shopscribe.critic import Critic, CriticConfig, train_critic
from shopscribe.errors import ConfigError, ShopScribeError
from shopscribe.generation import GenerateConfig, generate, read_done
from shopscribe.generation.config import RerankArgs
from shopscribe.generation.rerank import Reranker
from shopscribe.evaluation.metrics import self_bleu
from shopscribe.tasks import load_task
from tests.conftest import SAMPLE, write_jsonl


def _machine_like(record) -> str:
    """Model-style copy: a stiff list of the attribute values."""
    return " ".join(f"{k} {v}." for k, vs in record.attributes.items() for v in vs)


@pytest.fixture(scope="module")
def critic_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("critic")
    records = [r for r in load_catalog(SAMPLE).records if r.locale == "en"]
    outputs = write_jsonl(folder / "outputs.jsonl", [{"id": r.id, "text": _machine_like(r)} for r in records])
    result = train_critic(CriticConfig(products=SAMPLE, generations=[outputs], out=folder / "critic"),
                          log=lambda m: None)
    assert result.metrics["heldout_auc"] > 0.9  # list-of-values copy is easy to tell from human copy
    return folder / "critic"


def test_critic_prefers_human_copy_on_unseen_text_and_round_trips(critic_dir):
    critic = Critic.load(critic_dir)
    human = "A soft cotton tee in navy that keeps its shape wash after wash."
    machine = "color navy. material cotton. fit regular."
    p = critic.score([human, machine], ["T-shirt; color navy; material cotton"] * 2)
    assert p[0] > p[1]
    assert json.loads((critic_dir / "critic.json").read_text())["human_texts"] > 0


def test_critic_refuses_outputs_for_unknown_products(tmp_path):
    outputs = write_jsonl(tmp_path / "o.jsonl", [{"id": "nope", "text": "x"}])
    with pytest.raises(ShopScribeError, match="o.jsonl:1: field 'id'"):
        train_critic(CriticConfig(products=SAMPLE, generations=[outputs], out=tmp_path / "c"), log=lambda m: None)
    with pytest.raises(ShopScribeError, match="not a critic folder"):
        Critic.load(tmp_path)


def test_reranker_penalises_violations_unsupported_claims_and_overlong_text():
    task = load_task("describe")
    record = next(r for r in load_catalog(SAMPLE).records if r.locale == "zh-CN")
    policy = task.length(record.locale, 60)
    reranker = Reranker(task, RerankArgs(candidates=3))
    good = "这款" + "".join(record.attribute_values()[:2]) + "，穿着舒适。"
    banned = good + "国家级品质，全网最佳。"
    invented = good + "采用100%羊绒，重量5000克。"
    best, scores = reranker.pick([record], [[banned, invented, good]], [policy])[0]
    assert best == 2 and scores[0].violations >= 1 and scores[1].faithfulness < 1
    assert reranker.score(record, good * 10, policy).length_fit == 0.0


@pytest.mark.parametrize("guard", [False, True])
def test_best_of_n_generation_stores_candidates(tiny_model_dir, tmp_path, critic_dir, guard):
    rows = [{"id": f"p{i}", "locale": "en", "title": f"Cap {i}", "attributes": {"color": "red"}} for i in range(3)]
    products, out = write_jsonl(tmp_path / "p.jsonl", rows), tmp_path / "out.jsonl"
    cfg = load_config(GenerateConfig, None, [f"model={tiny_model_dir}", f"products={products}", f"out={out}",
                                             "decoding.max_new_tokens=16", "decoding.strategy=sample",
                                             "rerank.candidates=3", f"rerank.critic={critic_dir}", f"guard={guard}"])
    generate(cfg, log=lambda m: None)
    done = read_done(out)
    assert sorted(done) == ["p0", "p1", "p2"]
    for row in done.values():
        cands = row["rerank"]["candidates"]
        assert len(cands) == 3 and all(c["critic"] is not None for c in cands)
        assert cands[row["rerank"]["chosen"]]["score"] == max(c["score"] for c in cands)


def test_best_of_n_needs_more_than_greedy(tmp_path):
    with pytest.raises(ConfigError, match="rerank.candidates"):
        load_config(GenerateConfig, None, ["model=x", "products=p.jsonl", "out=o.jsonl", "rerank.candidates=4"])


def test_self_bleu_is_high_for_repeated_copy_and_low_for_varied_copy():
    same = ["soft cotton tee in navy blue for every day"] * 4
    varied = ["soft cotton tee", "waterproof hiking boots with grip", "ceramic mug holds hot tea", "a wool scarf"]
    assert self_bleu(same, "en") > 90 > 10 > self_bleu(varied, "en")
    assert np.isfinite(self_bleu(["只有一条"], "zh-CN"))
