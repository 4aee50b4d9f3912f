"""The learned compliance check beside the rule packs (issue 24): fitted on labelled phrases and legal copy,
a finding of its own where no rule names the sentence, saved and found through SHOPSCRIBE_COMPLIANCE_MODEL,
and bad training rows named by file, row and field (a hashing encoder built here; e5 for the round trip)."""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

from shopscribe.embeddings import Encoder
from shopscribe.errors import ShopScribeError
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.compliance.learned import (ENV, LEARNED_RULE, LearnedCompliance, fit_learned_compliance,
                                                   sentence_spans)
from shopscribe.training.compliance import read_labelled


def hashing_encoder(dim: int = 256) -> Encoder:
    """Character bigrams hashed into ``dim`` buckets, L2-normalised: enough for a linear head to learn words."""
    def fn(texts):
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, t in enumerate(texts):
            t = t.lower()
            for a in range(len(t) - 1):
                out[i, zlib.crc32(t[a:a + 2].encode()) % dim] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
    return Encoder("hashing", fn, dim)


VIOLATIONS = ["melts belly fat while you sleep", "cures your back pain for good", "melts fat overnight",
              "your back pain disappears for good", "doctors say it melts fat", "pain gone for good, melts fat",
              "melts belly fat fast", "back pain cured for good"]
LEGAL = ["cotton shirt with two pockets", "a steel pot with a glass lid", "soft wool socks in grey",
         "a backpack with a laptop sleeve", "ceramic mug, 350 ml", "linen trousers with a drawstring waist",
         "a wooden chair with a woven seat", "leather belt with a brass buckle"]


@pytest.fixture(scope="module")
def model():
    labelled = [{"text": t, "locale": "en", "violation": True} for t in VIOLATIONS]
    labelled += [{"text": t, "locale": "en", "violation": False} for t in LEGAL[:4]]
    legal = [{"text": t, "locale": "en"} for t in LEGAL[4:]]
    return fit_learned_compliance(labelled, legal, hashing_encoder(), threshold=0.5, max_false_alarms=0.0)


def test_a_sentence_no_rule_names_is_a_learned_finding_and_a_rule_finding_is_not_doubled(model):
    checker = ComplianceChecker.for_locale("en", learned=model)
    text = "A cotton shirt with two pockets. It melts belly fat while you sleep. The best shirt ever."
    found = checker.check(text)
    learned = [f for f in found if f.rule_id == LEARNED_RULE]
    assert [f.text for f in learned] == ["It melts belly fat while you sleep."]
    assert text[learned[0].start:learned[0].end] == learned[0].text and "p = " in learned[0].explanation
    assert any(f.rule_id.startswith("EN-UNSUB") for f in found)  # the rule's finding, and no learned one on it
    assert not any(f.rule_id == LEARNED_RULE and "best" in f.text for f in found)
    assert ComplianceChecker.for_locale("en", learned=None).check("It melts belly fat while you sleep.") == []
    assert model.info["examples"]["en"]["cross_validated"]["recall"] >= 0.5


def test_sentences_are_scored_once_and_a_batch_of_texts_in_one_encoding(model):
    from shopscribe.quality.compliance.learned import score_all

    calls = []
    encoder = hashing_encoder()
    counted = LearnedCompliance(model.heads, model.thresholds, model.info,
                                Encoder("counted", lambda texts: calls.append(list(texts)) or encoder._fn(texts), 256))
    texts = ["A steel pot with a glass lid. It melts belly fat while you sleep.",
             "Soft wool socks in grey. A wooden chair with a woven seat."]
    score_all(counted, texts, "en")
    assert len(calls) == 1 and len(calls[0]) == 4  # four sentences, one encoder call
    found = [counted.violations(t, "en") for t in texts]
    # a repair that keeps a sentence and changes another encodes only the new one
    after_cut = counted.violations("A steel pot with a glass lid. Ceramic mug, 350 ml in grey.", "en")
    assert len(calls) == 2 and calls[1] == ["Ceramic mug, 350 ml in grey."]
    assert [len(f) for f in found] == [1, 0] and after_cut == []
    assert found == [model.violations(t, "en") for t in texts]  # the same verdicts as scored one by one


def test_sentences_split_at_stops_but_not_inside_a_number_or_after_an_abbreviation():
    text = "Holds 2.5 kg of rice. It is dishwasher-safe! 适合通勤。轻便透气"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["Holds 2.5 kg of rice.", "It is dishwasher-safe!",
                                                            "适合通勤。", "轻便透气"]
    brand = "Red striped U.S. Polo Assn. Kids girls T-shirt. Machine wash cold water."
    assert [brand[a:b] for a, b in sentence_spans(brand)] == ["Red striped U.S. Polo Assn. Kids girls T-shirt.",
                                                              "Machine wash cold water."]
    assert sentence_spans("Dishwasher-safe. 好看！") == []  # too short to state anything


def test_saved_model_is_found_through_the_environment(tmp_path, monkeypatch):
    labelled = [{"text": t, "locale": "en", "violation": True} for t in VIOLATIONS]
    labelled += [{"text": t, "locale": "en", "violation": False} for t in LEGAL]
    fit_learned_compliance(labelled, [], "e5").save(tmp_path / "m")
    again = LearnedCompliance.load(tmp_path / "m")
    assert set(again.heads) == {"en"} and 0 < again.thresholds["en"] < 1
    monkeypatch.setenv(ENV, str(tmp_path / "m"))
    checker = ComplianceChecker.for_locale("en")
    assert checker.learned is not None
    assert [f.rule_id for f in checker.check("Doctors say it melts fat overnight.")] == [LEARNED_RULE]
    monkeypatch.setenv(ENV, "none")
    assert ComplianceChecker.for_locale("en").learned is None
    with pytest.raises(ShopScribeError, match="not a learned compliance folder"):
        LearnedCompliance.load(tmp_path)


def test_bad_labelled_rows_name_file_row_and_field(tmp_path):
    path = tmp_path / "l.jsonl"
    path.write_text(json.dumps({"text": "ok", "locale": "en", "violation": True}) + "\n"
                    + json.dumps({"text": "x", "locale": "fr", "violation": False}) + "\n", encoding="utf-8")
    with pytest.raises(ShopScribeError, match=r"l.jsonl, row 2, field locale: invalid value 'fr'"):
        read_labelled([path])
    path.write_text(json.dumps({"text": "ok", "locale": "en"}) + "\n", encoding="utf-8")
    with pytest.raises(ShopScribeError, match=r"row 1, field violation: missing"):
        read_labelled([path])


def test_train_command_writes_a_model_the_checker_uses(tmp_path):
    from typer.testing import CliRunner

    from shopscribe.cli.app import app

    labelled = tmp_path / "l.jsonl"
    labelled.write_text("".join(json.dumps({"text": t, "locale": "en", "violation": v}) + "\n"
                                for t, v in [*((t, True) for t in VIOLATIONS), *((t, False) for t in LEGAL)]),
                        encoding="utf-8")
    catalog = tmp_path / "c.jsonl"
    catalog.write_text("".join(json.dumps({"id": f"p{i}", "locale": "en", "title": t, "description": t + "."}) + "\n"
                               for i, t in enumerate(LEGAL)), encoding="utf-8")
    result = CliRunner().invoke(app, ["compliance", "train", "-l", str(labelled), "-c", str(catalog),
                                      "-o", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "m" / "learned_compliance.json").read_text())
    assert info["examples"]["en"]["of_which_catalog_copy"] > 0
    bad = CliRunner().invoke(app, ["compliance", "train", "-l", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "x")])
    assert bad.exit_code != 0 and "nope.jsonl" in bad.output


def test_the_copy_a_prose_run_writes_is_legal_copy_in_training(tmp_path):
    from shopscribe.training.compliance import prose_sentences, suggestion_sentences

    suggestions = suggestion_sentences()
    assert "Pair them with jeans or chinos for everyday wear." in suggestions
    assert "Wear them every day or with something smarter for an evening out." in suggestions
    catalog = tmp_path / "spec.jsonl"
    catalog.write_text("".join(json.dumps({
        "id": f"p{i}", "locale": "en", "title": f"Roadster Men Blue Slim Fit Jeans {i}", "brand": "Roadster",
        "attributes": {"gender": "Men"},
        "description": "Blue medium wash 5-pocket mid-rise jeans, clean look, has a button and zip closure"}) + "\n"
        for i in range(6)), encoding="utf-8")
    rows = prose_sentences([catalog], limit=400)
    texts = [r["text"] for r in rows]
    assert all(r["locale"] == "en" for r in rows) and set(suggestions) <= set(texts)
    assert any("Roadster" in t for t in texts)  # the prose targets' own sentences
    assert prose_sentences([catalog], limit=3) == rows[:3]
