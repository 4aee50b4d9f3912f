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
