"""Prose training targets (training/prose.py): Myntra spec strings become two-to-four-sentence descriptions
whose every detail is in the product's data."""

import re

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.faithfulness import check_faithfulness, is_invented
from shopscribe.training.prose import parse_spec, prose_targets

SHIRT = ProductRecord(
    id="p1", locale="en", title="Parx Men Blue Slim Fit Checked Casual Shirt", brand="Parx",
    attributes={"gender": "Men", "primary_color": "Blue", "price_inr": "719"},
    description="Blue checked casual shirt, has a spread collar, long sleeves, button placket,  curved hem, "
                "one patch pocketWarranty: 3 monthsWarranty provided by brand/manufacturer")
SNEAKERS = ProductRecord(
    id="p2", locale="en", title="Puma Women Black Rebound Sneakers", brand="Puma",
    attributes={"gender": "Women", "primary_color": "Black"},
    description="A pair of round-toe black sneakers, has regular styling, lace-up detailMesh upperCushioned "
                "footbedFull rubber outsole provides better grip")


def sentences(text):
    return [s for s in re.split(r"(?<=\.)\s+", text) if s]


def full(record):
    """The record rewritten with its details moved into the data (thin_share 0)."""
    out, stats = prose_targets([record], thin_share=0.0)
    assert stats.rewritten == 1
    return out[0]


def test_a_spec_string_becomes_two_to_four_sentences_with_its_details_in_the_data():
    new = full(SHIRT)
    text = new.description
    assert 2 <= len(sentences(text)) <= 4
    assert text.startswith(("This blue slim fit checked casual shirt from Parx", "Parx brings you"))
    assert "a spread collar" in text and "a curved hem" in text
    assert new.attributes["details"] == ["a spread collar", "long sleeves", "a button placket", "a curved hem",
                                         "one patch pocket"]
    assert new.attributes["warranty"] == ["3 months"]
    assert "Warranty provided" not in text and new.references == []
    assert any(w in text for w in ("chinos", "jeans", "trousers"))  # how to wear it: a suggestion


def test_every_detail_of_the_new_target_is_backed_by_the_new_data():
    for record in (SHIRT, SNEAKERS):
        new = full(record)
        claims = check_faithfulness(new.description, new, exclude_field="description").claims
        assert not [c.text for c in claims if is_invented(c)], new.description
        # and the same text against the thin data it replaced would not be
    old_claims = check_faithfulness(full(SHIRT).description, SHIRT, exclude_field="description").claims
    assert any(is_invented(c) for c in old_claims)


def test_claims_in_the_spec_are_not_turned_into_details_and_plural_products_read_as_plural():
    new = full(SNEAKERS)
    assert "grip" not in new.description and "grip" not in " ".join(new.attributes["details"])
    assert "They have regular styling, a lace-up detail, a mesh upper and a cushioned footbed." in new.description
    assert new.description.startswith(("These black rebound sneakers from Puma are made for women.",
                                       "Puma brings you these black rebound sneakers, made for women."))


def test_thin_products_keep_their_data_and_get_what_it_is_and_how_to_use_it():
    out, stats = prose_targets([SHIRT], thin_share=1.0)
    new = out[0]
    assert stats.thin == 1 and new.attributes == SHIRT.attributes
    assert len(sentences(new.description)) == 2 and "collar" not in new.description


def test_prose_references_other_locales_and_the_spec_parser():
    prose = SHIRT.model_copy(update={"description": "What it is: a shirt cut from soft cotton that you will want "
                                                    "to wear every single day of the week and then some more."})
    zh = ProductRecord(id="z", locale="zh-CN", title="衬衫", attributes={"颜色": "蓝色"}, description="蓝色衬衫")
    out, stats = prose_targets([prose, zh])
    assert out == [prose, zh] and stats.kept_prose == 1 and stats.rewritten == 0
    spec = parse_spec("Blue backpack1 main compartment with zip closurePadded backWater-resistance: YesWarranty: 1 year")
    assert spec.features == ["1 main compartment with zip closure", "a padded back"]
    assert ("Warranty", "1 year") in spec.facts and ("Water-resistance", "Yes") in spec.facts


def test_a_prose_run_decodes_without_the_mention_boost(tmp_path):
    import shutil

    from shopscribe.tasks.task import load_task
    from shopscribe.training.train import decode_without_mention_boost

    task = load_task("describe")
    shutil.copy(task.source_dir / "tasks.yaml", tmp_path / "tasks.yaml")
    for path in task.source_dir.glob("describe.*.txt"):
        shutil.copy(path, tmp_path / path.name)
    assert task.mention_boost["en"] > 0
    kept = decode_without_mention_boost(tmp_path, "describe", "en")
    assert kept.mention_boost == {**task.mention_boost, "en": 0.0}
    assert kept.templates == task.templates


def test_auto_is_on_for_spec_string_catalogs_only():
    from shopscribe.catalog.loaders import load_catalog
    from shopscribe.training.prose import SPEC_SHARE_AUTO, spec_string_share
    from tests.conftest import SAMPLE

    assert spec_string_share([SHIRT, SNEAKERS]) == 1.0 >= SPEC_SHARE_AUTO
    prose = SHIRT.model_copy(update={"description": "A soft cotton shirt for warm days. Easy to wash and wear."})
    assert spec_string_share([prose, prose, SHIRT]) < SPEC_SHARE_AUTO
    assert spec_string_share(load_catalog(SAMPLE).records) < SPEC_SHARE_AUTO  # its copy is prose: off



def test_a_run_on_a_spec_string_catalog_trains_on_prose_and_keeps_no_boost(tiny_model_dir, tmp_path):
    import json

    from shopscribe.config import load_config
    from shopscribe.tasks.task import load_task
    from shopscribe.training import TrainConfig, train
    from tests.conftest import write_jsonl

    rows = [{**SHIRT.model_dump(exclude_none=True), "id": f"s{i}"} for i in range(20)]
    run = tmp_path / "run"
    train(load_config(TrainConfig, None, [
        f"model={tiny_model_dir}", f"out_dir={run}", f"data.train_file={write_jsonl(tmp_path / 'c.jsonl', rows)}",
        "train.batch_size=4", "train.grad_accum_steps=1", "train.eval_steps=5", "train.save_steps=5",
        "train.early_stopping_patience=null", "train.bf16=false", "data.max_seq_len=400", "lora.r=4",
        "train.max_steps=1"]), log=lambda m: None)
    assert json.loads((run / "prose_targets.json").read_text())["on"] is True
    assert load_task("describe", run / "templates").mention_boost["en"] == 0.0
    trained = [json.loads(line) for line in (run / "data" / "train.jsonl").read_text().splitlines()]
    assert all(r["description"] != SHIRT.description for r in trained)
