"""engine.vocab: which tokens a cut output layer keeps, and how a prompt token it cut is fed."""

import pytest

from shopscribe.engine.vocab import VocabMap, catalog_vocab
from shopscribe.errors import EngineError

PIECES = ["<pad>", "<eos>", "<0xE5>", "<0xA5>", "<0xBD>", "\u2581", "\u2581cotton", "\u2581cot", "ton", "c", "o", "t",
          "n", "\u2581s", "ilk", "s", "i", "l", "k", "\u2581silk", "好", "你好", "你"]


def test_a_cut_prompt_token_is_fed_as_the_longest_kept_pieces_of_its_text():
    keep = [i for i, p in enumerate(PIECES) if p not in ("\u2581cotton", "\u2581silk", "你好")]
    vocab = VocabMap(keep, PIECES)
    ids = {p: i for i, p in enumerate(PIECES)}
    assert vocab.respell([ids["\u2581cotton"]]) == [ids["\u2581cot"], ids["ton"]]
    assert vocab.respell([ids["\u2581silk"], ids["你好"]]) == [ids["\u2581s"], ids["ilk"], ids["你"], ids["好"]]
    assert vocab.respell([ids["ton"]]) == [ids["ton"]]  # kept tokens stay as they are
    assert all(vocab.to_reduced[i] >= 0 for i in vocab.respell(list(range(len(PIECES)))))


def test_a_character_no_kept_piece_starts_is_fed_as_its_utf8_bytes():
    pieces = PIECES + ["<0x90>", "<0x97>", "好吗"]  # 好 = E5 A5 BD, 吗 = E5 90 97
    keep = [i for i, p in enumerate(pieces) if p not in ("好", "你好", "好吗")]
    vocab = VocabMap(keep, pieces)
    ids = {p: i for i, p in enumerate(pieces)}
    assert vocab.respell([ids["好吗"]]) == [ids[f"<0x{b}>"] for b in ("E5", "A5", "BD", "E5", "90", "97")]
    no_bytes = VocabMap([i for i in keep if not pieces[i].startswith("<0x")], pieces)
    with pytest.raises(EngineError, match="output_vocab=full"):
        no_bytes.respell([ids["好吗"]])


def test_the_kept_vocabulary_spells_any_word_of_the_texts_scripts():
    """Every token of the texts, every single Latin character even where the texts never use it, and every
    CJK character only when the texts hold Chinese."""
    from tests.conftest import build_char_tokenizer

    tok = build_char_tokenizer(["红色衬衫，蓝色"])
    pieces = tok.convert_ids_to_tokens(list(range(len(tok))))
    latin = {pieces[i] for i in catalog_vocab(tok, ["red shirt"])}
    assert {"r", "e", "d", "z", "q", "</s>", " "} <= latin and not {"红", "蓝", "，"} & latin
    chinese = {pieces[i] for i in catalog_vocab(tok, ["红色"])}
    assert {"红", "色", "蓝", "衬", "，", "z"} <= chinese


def test_auto_cuts_the_layer_only_when_the_run_can_write_its_own_held_out_copy(tmp_path):
    """output_vocab=auto: a run whose training texts spell its dev references token for token gets the cut
    layer; one whose dev copy is in a script its training never used keeps the whole layer, and says why."""
    import json

    from shopscribe.engine.vocab import writable_share
    from shopscribe.generation.pipeline import CopyModel
    from shopscribe.models.loading import RUN_MARKER
    from tests.conftest import SAMPLE, build_char_tokenizer, write_jsonl

    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    english = [r for r in rows if r["locale"] == "en"]
    chinese = [r for r in rows if r["locale"] != "en"]
    tok = build_char_tokenizer([json.dumps(r, ensure_ascii=False) for r in rows])
    assert writable_share(tok, ["red shirt"], ["blue jeans"]) == 1.0
    assert writable_share(tok, ["red shirt"], ["红色衬衫"]) == 0.0
    run = tmp_path / "run"
    (run / "data").mkdir(parents=True)
    (run / RUN_MARKER).write_text(json.dumps({"task": "describe"}), encoding="utf-8")
    write_jsonl(run / "data" / "train.jsonl", english[:-4])
    write_jsonl(run / "data" / "dev.jsonl", english[-4:])
    said: list[str] = []
    model = CopyModel.describe(str(run))
    model.tokenizer, model.log = tok, said.append
    assert model.vocab_texts("auto", [])
    write_jsonl(run / "data" / "dev.jsonl", chinese[:4])
    assert model.vocab_texts("auto", []) is None and "whole" in said[0]
    assert model.vocab_texts("run", [])  # asked for: cut anyway
    assert model.vocab_texts("full", []) is None
