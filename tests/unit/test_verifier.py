"""The learned claim verifier (issue 24): packing, training data built by construction, training and
resuming, and the guard taking the stricter verdict (tiny random encoders; the real model's accuracy is
measured by benchmarks/verifier.py)."""

from __future__ import annotations

import json
import random

import pytest

from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import ShopScribeError
from shopscribe.quality.verifier import LABELS, ClaimVerifier, evidence_text, pack
from shopscribe.training.verifier import VerifierTrainConfig, train_verifier
from shopscribe.training.verifier_data import (ValueBank, build_example, build_examples, detail_clauses, held_out,
                                               training_records)
from tests.conftest import SAMPLE, build_char_tokenizer


def catalog() -> list[ProductRecord]:
    return [ProductRecord.model_validate(json.loads(line)) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    """A tiny random BertModel with a character tokenizer, saved as a folder."""
    import torch
    from transformers import BertConfig, BertModel

    texts = SAMPLE.read_text(encoding="utf-8").splitlines()
    tokenizer = build_char_tokenizer(texts + ["⇒-ThisIsTheDaWwithLisrt"])
    tokenizer.sep_token = "</s>"
    tokenizer.cls_token = "<s>"
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=1100, pad_token_id=tokenizer.pad_token_id)
    folder = tmp_path_factory.mktemp("tiny-encoder")
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_verifier(tiny_encoder, tmp_path_factory):
    records = catalog()
    examples = build_examples(records, seed=1)
    out = tmp_path_factory.mktemp("verifier")
    cfg = VerifierTrainConfig(catalogs=[str(SAMPLE)], out=out, epochs=1, batch_size=4, base=tiny_encoder)
    train_verifier(cfg, examples[:12], log=lambda m: None)
    return out


def test_claims_packed_in_one_pass_are_judged_as_if_each_were_alone(tiny_verifier):
    verifier = ClaimVerifier.load(tiny_verifier)
    record = catalog()[1]
    claims = ["It draws 8 W.", "It is red.", "A smart desk lamp for work.", "It comes with a gift box."]
    together = verifier.verify(record, claims)
    alone = [verifier.verify(record, [c])[0] for c in claims]
    for a, b in zip(together, alone):
        assert a.label == b.label
        for label in LABELS:
            assert a.probabilities[label] == pytest.approx(b.probabilities[label], abs=2e-3)
        assert sum(a.probabilities.values()) == pytest.approx(1.0, abs=1e-3)


def test_many_claims_go_in_several_sequences_and_none_is_lost(tiny_verifier):
    verifier = ClaimVerifier.load(tiny_verifier)
    claims = [f"Claim number {i} says the lamp has {i} settings." for i in range(40)]
    packs = pack(verifier.tokenizer, evidence_text(catalog()[1]), claims)
    assert len(packs) > 1 and sum(len(p.spans) for p in packs) == 40
    assert [v.claim for v in verifier.verify(catalog()[1], claims)] == claims


def test_training_resumes_after_its_last_finished_epoch(tiny_encoder, tmp_path):
    examples = build_examples(catalog(), seed=2)[:8]
    cfg = VerifierTrainConfig(catalogs=[str(SAMPLE)], out=tmp_path, epochs=1, batch_size=4, base=tiny_encoder)
    train_verifier(cfg, examples, log=lambda m: None)
    said = []
    train_verifier(cfg.model_copy(update={"epochs": 2}), examples, log=said.append)
    assert any("resuming after epoch 1" in m for m in said)
    info = json.loads((tmp_path / "verifier.json").read_text())
    assert [h["epoch"] for h in info["history"]] == [1, 2]


def test_examples_are_labelled_by_construction():
    records = catalog()
    bank = ValueBank(records)
    rng = random.Random(0)
    seen = set()
    for record in records * 3:
        ex = build_example(record, bank, rng, None, records)
        if ex is None:
            continue
        low = ex.evidence.lower()
        for claim, label, how in zip(ex.claims, ex.labels, ex.how):
            seen.add(how)
            if how == "removed sentence":  # what was cut from the data is no longer in it
                assert claim.lower()[-15:] not in low
            if how == "given sentence":
                assert label == "supported"
    assert {"attribute", "swapped value", "transplanted sentence", "praise"} <= seen


def test_a_swapped_value_is_a_whole_word_and_not_in_the_data():
    red = ProductRecord(id="a", locale="en", title="Nike Red Coloured Tee", attributes={"colour": ["red"]},
                        description="Red coloured tee, has a round neck, short sleeves")
    blue = ProductRecord(id="b", locale="en", title="Puma Blue Tee", attributes={"colour": ["blue"]},
                         description="Blue tee, has a polo collar, long sleeves")
    bank = ValueBank([red, blue])
    for seed in range(20):
        ex = build_example(red, bank, random.Random(seed), None, [red, blue])
        for claim, how in zip(ex.claims, ex.how):
            if how == "swapped in sentence":
                assert "Coloured" in claim or "coloured" in claim  # "red" swapped, not the "red" inside "coloured"


def test_detail_clauses_split_a_run_of_details():
    assert detail_clauses("Navy shirt, has a spread collar, long sleeves and a curved hem", "en") == [
        "Navy shirt", "has a spread collar", "long sleeves", "a curved hem"]
    assert detail_clauses("白色上衣，胸前刺绣点缀，下摆开衩。", "zh-CN") == ["白色上衣", "胸前刺绣点缀", "下摆开衩"]


def test_held_out_categories_and_labelled_products_never_reach_training(tmp_path):
    rows = [r.model_dump() for r in catalog()]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    lamp = next(r for r in rows if "Lamp" in (r["title"] or ""))
    kept = training_records([str(path)], {"en": ["lamp"], "zh-CN": []}, exclude_ids={rows[0]["id"]})
    ids = {r.id for r in kept.records}
    assert lamp["id"] not in ids and rows[0]["id"] not in ids
    lamps = sum(held_out(r, ["lamp"]) for r in catalog()[1:])
    assert lamps >= 1 and kept.left_out == {"labelled evaluation product": 1, "held-out category": lamps}
    assert not any(held_out(r, ["lamp"]) for r in kept.records)


def test_a_described_field_marked_as_target_is_not_evidence(tmp_path):
    rows = [r.model_dump() for r in catalog() if r.locale == "zh-CN"]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    found = training_records([f"{path}:description"])
    examples = build_examples(found.records, found.exclude_field_of)
    for ex in examples:
        record = next(r for r in found.records if r.id == ex.id)
        assert record.description[:12] not in ex.evidence


def test_the_guard_takes_the_stricter_verdict_shows_both_and_cuts(tiny_verifier, tmp_path):
    from shopscribe.quality.guard import PublishingGuard, combine_verdicts
    from shopscribe.tasks import load_task

    assert combine_verdicts([], "unsupported") == "unsupported"
    assert combine_verdicts([{"status": "contradicted"}], "supported") == "contradicted"
    assert combine_verdicts([{"status": "supported"}], None) == "supported"
    verifier = ClaimVerifier.load(tiny_verifier)
    verifier.thresholds = {"unsupported": 0.0}  # fail closed on everything: every sentence is unsupported
    record = catalog()[1]  # a desk lamp: outside the categories the rules were audited on
    guard = PublishingGuard(load_task("describe"), verifier=verifier)
    text = "A white desk lamp. It is great for work."
    verdict = guard.verdict(text, record)
    assert verdict.status == "flagged"
    assert len(verdict.sentences) == 2 and all(s["verifier"] != "supported" for s in verdict.sentences)
    assert all({"rules", "verifier", "probability", "status"} <= set(s) for s in verdict.sentences)
    assert [f["kind"] for f in verdict.unsupported + verdict.contradicted].count("verifier") == 2
    verifier.thresholds = {"unsupported": 1.01, "contradicted": 1.01}
    clean = PublishingGuard(load_task("describe"), verifier=verifier)
    clean_verdict = clean.verdict(text, record)
    assert all(s["status"] == combine_verdicts([], s["verifier"]) for s in clean_verdict.sentences)


def test_the_verifier_leaves_the_rules_audited_categories_to_the_rules_unless_told(tiny_verifier):
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.tasks import load_task

    verifier = ClaimVerifier.load(tiny_verifier)
    verifier.thresholds = {"unsupported": 0.0}
    shirt, lamp = catalog()[0], catalog()[1]
    guard = PublishingGuard(load_task("describe"), verifier=verifier)
    assert guard.judged(lamp) and not guard.judged(shirt)
    assert guard.verdict("A navy polo shirt.", shirt).sentences == []
    assert verifier._parts is None  # a catalog the rules decide never loads the model
    verifier.scope = "all"
    assert guard.judged(shirt) and guard.verdict("A navy polo shirt.", shirt).sentences


def test_an_incomplete_verifier_folder_is_refused_when_loaded(tiny_verifier, tmp_path):
    import shutil

    shutil.copytree(tiny_verifier, tmp_path / "v")
    (tmp_path / "v" / "head.npz").unlink()
    with pytest.raises(ShopScribeError, match="head.npz missing"):
        ClaimVerifier.load(tmp_path / "v")


def test_train_command_names_the_file_row_and_field_of_a_bad_exclusion_list(tmp_path):
    from typer.testing import CliRunner

    from shopscribe.cli.app import app

    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"product_id": "a"}\n{"id": "b"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["verifier", "train", "-c", str(SAMPLE), "-o", str(tmp_path / "v"),
                                      "--exclude-ids", str(bad)])
    assert result.exit_code != 0
    assert f"{bad}, row 2, field product_id" in result.output.replace("\n", "")


def test_a_lora_verifier_keeps_only_its_adapters_resumes_and_loads(tiny_encoder, tmp_path):
    examples = build_examples(catalog(), seed=3)[:8]
    cfg = VerifierTrainConfig(catalogs=[str(SAMPLE)], out=tmp_path, epochs=1, batch_size=4, base=tiny_encoder,
                              lora_rank=4)
    train_verifier(cfg, examples, log=lambda m: None)
    said = []
    train_verifier(cfg.model_copy(update={"epochs": 2}), examples, log=said.append)
    assert any("resuming after epoch 1" in m for m in said)
    assert not (tmp_path / "model").exists() and (tmp_path / "adapter" / "adapter_model.safetensors").is_file()
    from safetensors.torch import load_file

    weights = load_file(tmp_path / "adapter" / "adapter_model.safetensors")
    assert weights and all(str(v.dtype) == "torch.float16" for v in weights.values())
    verifier = ClaimVerifier.load(tmp_path)
    verdicts = verifier.verify(catalog()[1], ["It draws 8 W.", "It comes with a gift box."])
    assert [v.claim for v in verdicts] == ["It draws 8 W.", "It comes with a gift box."]
    assert all(sum(v.probabilities.values()) == pytest.approx(1.0, abs=1e-3) for v in verdicts)


def test_auto_takes_the_run_s_verifier_then_the_named_one_then_the_packaged_one(tiny_verifier, tmp_path,
                                                                               monkeypatch):
    import shutil

    from shopscribe.generation import pipeline

    run = tmp_path / "run"
    run.mkdir()
    packaged = tmp_path / "packaged"
    shutil.copytree(tiny_verifier, packaged)
    monkeypatch.setattr(pipeline, "PACKAGED_VERIFIER", packaged)
    quiet = lambda m: None  # noqa: E731
    monkeypatch.setenv("SHOPSCRIBE_VERIFIER", "none")
    assert pipeline.load_verifier("auto", run, quiet) is None
    monkeypatch.delenv("SHOPSCRIBE_VERIFIER")
    assert pipeline.load_verifier("auto", run, quiet).folder == packaged.resolve()
    monkeypatch.setenv("SHOPSCRIBE_VERIFIER", str(tiny_verifier))
    assert pipeline.load_verifier("auto", run, quiet).folder == tiny_verifier.resolve()
    shutil.copytree(tiny_verifier, run / "verifier")
    assert pipeline.load_verifier("auto", run, quiet).folder == (run / "verifier").resolve()
    assert pipeline.load_verifier("none", run, quiet) is None
    monkeypatch.delenv("SHOPSCRIBE_VERIFIER")
    monkeypatch.setattr(pipeline, "PACKAGED_VERIFIER", tmp_path / "nothing")
    assert pipeline.load_verifier("auto", tmp_path, quiet) is None


def test_labelled_claims_become_examples_and_bad_rows_are_named(tmp_path):
    from shopscribe.errors import ShopScribeError
    from shopscribe.training.verifier_data import labelled_examples

    first = catalog()[0]
    rows = [{"product_id": first.id, "claim": "It is navy.", "label": "supported"},
            {"product_id": first.id, "claim": "It is made of silk.", "label": "contradicted", "exclude": "description"}]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    examples, summary = labelled_examples([path], [str(SAMPLE)], repeat=2)
    assert len(examples) == 2 and summary["claims"] == 2
    assert examples[0].claims == ["It is navy.", "It is made of silk."]
    assert examples[0].labels == ["supported", "contradicted"] and examples[0].how == ["labelled"] * 2
    assert "Text:" not in examples[0].evidence  # the row said the description is written, not data
    left, summary = labelled_examples([path], [str(SAMPLE)], exclude_ids={first.id})
    assert left == [] and summary["left_out"] == {"labelled evaluation product": 2}
    path.write_text(json.dumps({"product_id": first.id, "claim": "x", "label": "true"}) + "\n", encoding="utf-8")
    with pytest.raises(ShopScribeError, match=r"labelled.jsonl, row 1, field label: invalid value 'true'"):
        labelled_examples([path], [str(SAMPLE)])
    path.write_text(json.dumps({"product_id": "nope", "claim": "x", "label": "supported"}) + "\n", encoding="utf-8")
    with pytest.raises(ShopScribeError, match=r"row 1, field product_id: invalid value 'nope' \(no such product"):
        labelled_examples([path], [str(SAMPLE)])


def test_a_wear_or_use_suggestion_is_not_judged_by_the_verifier(tiny_verifier):
    from shopscribe.quality.guard import PublishingGuard
    from shopscribe.tasks import load_task

    verifier = ClaimVerifier.load(tiny_verifier)
    verifier.thresholds = {"unsupported": 0.0}  # every sentence it judges is unsupported
    guard = PublishingGuard(load_task("describe"), verifier=verifier)
    verdict = guard.verdict("A white desk lamp. Use it to add a finishing touch to your home.", catalog()[1])
    assert [s["text"].strip() for s in verdict.sentences] == ["A white desk lamp."]
    found = verdict.unsupported + verdict.contradicted
    assert [f["text"] for f in found if f["kind"] == "verifier"] == ["A white desk lamp."]
