"""Data that disagrees with itself (catalog/conflicts.py): a title colour against a colour attribute."""

from shopscribe.catalog.conflicts import find_conflicts, without_conflicts
from tests.conftest import write_jsonl
from shopscribe.catalog.record import ProductRecord
from shopscribe.generation import generate, read_done


def record(title, colour, locale="en", key="primary_color"):
    return ProductRecord(id="p", locale=locale, title=title, brand="Parx", attributes={key: colour, "gender": "Men"})


def test_a_title_colour_the_attribute_contradicts_is_a_conflict_and_neither_side_reaches_the_model():
    trousers = record("Parx Men Brown Tapered Fit Solid Regular Trousers", "Red")
    [conflict] = find_conflicts(trousers)
    assert conflict.field == "attributes.primary_color" and conflict.value == "Red"
    assert conflict.title_says == ["brown"] and "names neither" in conflict.reason
    seen, found = without_conflicts(trousers)
    assert found == [conflict]
    assert seen.title == "Parx Men Tapered Fit Solid Regular Trousers"
    assert seen.attributes == {"gender": ["Men"]}
    two = record("Parx Men Black & Yellow Floral Print Top", "Red")
    assert without_conflicts(two)[0].title == "Parx Men Floral Print Top"


def test_shades_of_the_same_colour_and_metals_are_not_conflicts():
    agree = [("Parx Men Navy Blue Slim Fit Shirt", "Blue"), ("Parx Women Maroon Kurta", "Red"),
             ("Parx Men Olive Green Shorts", "Green"), ("Parx Men Peach-Coloured Jeans", "Orange"),
             ("Parx Men Tan Brown Boots", "Brown"), ("Parx Women Multicoloured Printed Top", "Red"),
             ("Parx Men Slim Fit Checked Shirt", "Red"),  # no colour in the title: nothing to disagree with
             ("Parx Gold-Plated Sterling Silver Hoop Earrings", "Gold"), ("Parx Charcoal Jacket", "Black")]
    for title, colour in agree:
        assert find_conflicts(record(title, colour)) == [], title
    zh = record("男士黑色修身衬衫", "红色", locale="zh-CN", key="颜色")
    assert find_conflicts(zh)[0].title_says == ["黑"]
    assert "黑" not in without_conflicts(zh)[0].title
    assert find_conflicts(record("男士藏青色修身衬衫", "蓝色", locale="zh-CN", key="颜色")) == []


def test_generate_names_the_conflict_in_the_output_row(tiny_model_dir, tmp_path):
    from tests.unit.test_generation import _cfg

    rows = [{"id": "p1", "locale": "en", "title": "Parx Men Brown Regular Trousers", "brand": "Parx",
             "attributes": {"primary_color": "Red", "gender": "Men"}},
            {"id": "p2", "locale": "en", "title": "Parx Men Red Regular Trousers", "brand": "Parx",
             "attributes": {"primary_color": "Red", "gender": "Men"}}]
    out = tmp_path / "g.jsonl"
    generate(_cfg(tiny_model_dir, write_jsonl(tmp_path / "p.jsonl", rows), out), log=lambda m: None)
    done = read_done(out)
    [conflict] = done["p1"]["guard"]["data_conflicts"]
    assert conflict["field"] == "attributes.primary_color" and conflict["title_says"] == ["brown"]
    assert done["p2"]["guard"]["data_conflicts"] == []
    # whatever colour the model still writes is not backed by the data it was given: the guard cuts or flags it
    text = done["p1"]["text"].lower()
    assert done["p1"]["guard"]["status"] == "flagged" or not ({"red", "brown"} & set(text.split()))


def test_imported_copy_for_the_review_workspace_names_the_conflict_too(tiny_model_dir):
    from shopscribe.generation.config import CopyOptions
    from shopscribe.generation.pipeline import CopyModel
    from shopscribe.workspace.imports import checked_results

    model = CopyModel.describe(str(tiny_model_dir))
    options = CopyOptions()
    trousers = record("Parx Men Brown Tapered Fit Solid Regular Trousers", "Red")
    [(_, row)] = checked_results([trousers], {"p": "Brown trousers from Parx."}, model.guard(options, model.task(options)),
                                 "describe", "tiny@v1")
    assert row["guard"]["data_conflicts"][0]["value"] == "Red"
