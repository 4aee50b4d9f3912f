from pathlib import Path

import pytest

from shopscribe.catalog import ProductRecord, load_catalog
from shopscribe.evaluation.claims import evaluate_claim_labels
from shopscribe.quality.faithfulness import check_faithfulness
from shopscribe.quality.units import find_quantities
from tests.conftest import SAMPLE

DATA = Path(__file__).resolve().parent.parent / "data"


# accuracy with every prediction scored, measured 2026-12-06: en 0.818 (143 claims), zh-CN 0.728 (136); these
# sets were labelled before the checker had detail claims, so its detail claims are unlabelled and count as
# wrong. A regression floor on sets written beside the checker, not a measure of its accuracy on new products
# (that is benchmarks/claim_families.py and, for unseen categories, benchmarks/claims/cross_category/).
FLOOR = {"en": 0.80, "zh-CN": 0.70}


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_labelled_claims_accuracy_does_not_fall(locale):
    products = {r.id: r for r in load_catalog(SAMPLE).records}
    result = evaluate_claim_labels(DATA / f"claims_{locale}.jsonl", products)  # every prediction counts
    sentences = len((DATA / f"claims_{locale}.jsonl").read_text(encoding="utf-8").splitlines())
    assert sentences >= 100
    assert result.accuracy >= FLOOR[locale], result.errors


def test_spellings_of_one_quantity_are_one_quantity():
    """Thousands separators (before a unit only), Chinese numerals with electrical units, and halves."""
    def one(text):
        (q,) = find_quantities(text)
        return q.dimension, q.low

    assert one("a 2,000mah battery") == one("2000 mah") == one("两千毫安") == ("charge", 2000)
    assert one("1,500 ml") == one("1.5 litres") == ("volume", 1500)
    assert one("an hour and a half") == one("90 min") == ("time", 90)
    assert one("half an hour") == ("time", 30) and one("two and a half years")[1] == one("30 months")[1]
    assert [q.low for q in find_quantities("sizes 36,38,40")] == [36, 38, 40]  # a list, not thirty-six thousand


def test_units_normalise_across_languages():
    (ml,) = find_quantities("1700毫升")
    (litre,) = find_quantities("1.7 l")
    assert ml.matches(litre)
    (jin,) = find_quantities("2斤")
    (kg,) = find_quantities("1 kg")
    assert jin.matches(kg)
    (frac,) = find_quantities('1-9/16"')
    assert abs(frac.low - 1.5625 * 2.54) < 1e-6
    (full_width,) = find_quantities("5000mah")
    assert full_width.dimension == "charge"


def test_evidence_map_marks_spans_and_supporting_attributes():
    record = ProductRecord(id="p", locale="en", brand="Pulse", title="Pulse Power Bank",
                           attributes={"capacity": ["5000 mAh"], "material": ["copper"]})
    text = "A Pulse 4390 mAh power bank. Its steel body is solid."
    report = check_faithfulness(text, record)
    first, second = report.sentences
    assert first.attributes == [] and [(c.kind, c.status) for c in first.claims] == [
        ("brand", "supported"), ("quantity:charge", "contradicted")]
    claim = first.claims[1]
    assert text[claim.start:claim.end] == "4390 mAh" and claim.evidence == "5000 mah"
    assert [(c.text, c.status) for c in second.claims] == [("steel", "contradicted")]
    assert report.rate("contradicted") == 2 / 3


def test_number_words_counting_a_thing_are_numbers():
    hub = ProductRecord.model_validate({"id": "h", "locale": "en", "title": "Acme USB hub",
                                        "attributes": {"ports": "4", "colour": "black"}})
    bare = hub.model_copy(update={"attributes": {"colour": "black"}})
    claims = {c.text: c.status for c in check_faithfulness("A black hub with four USB ports.", hub).claims}
    assert claims["four USB ports"] == "supported"
    claims = {c.text: c.status for c in check_faithfulness("A black hub that charges two devices at once.",
                                                          bare).claims}
    assert claims["two devices"] == "unsupported"
    assert not [c for c in check_faithfulness("Suits all four seasons.", bare).claims if c.kind == "number"]
    # a counted part is judged by its detail claim, once
    pockets = [c for c in check_faithfulness("Jeans with two side pockets.", bare).claims]
    assert [c.kind for c in pockets if "pocket" in c.text] == ["detail:pockets"]


def test_markup_is_stripped_from_outputs():
    from shopscribe.generation.generator import clean_output

    assert clean_output("<strong>Black</strong> USB <br/>hub with **four** ports.") == "Black USB hub with four ports."
    assert clean_output("## Blue jeans\nslim fit") == "Blue jeans\nslim fit"
    assert clean_output("Fits 3 < 5 kg and a > b") == "Fits 3 < 5 kg and a > b"


def test_run_together_data_still_supports_what_it_states():
    """Myntra descriptions run sentences together ("3 inner pocketsNon-Padded", "30 mWarranty: 1 year")."""
    record = ProductRecord(id="w", locale="en", title="Sonata Men Brown Watch",
                           description="Brown solid backpackHas 3 inner pocketsNon-Padded backWater resistance: "
                                       "30 mWarranty: 6 monthsWarranty provided by brand")
    for claim in ("Inside, there are three pockets.", "A six-month warranty is included.", "It takes water to 30 m."):
        found = check_faithfulness(claim, record, exclude_field=None).claims
        assert found and all(c.status == "supported" for c in found), (claim, found)


def test_a_unit_written_once_stands_for_both_numbers():
    record = ProductRecord(id="p", locale="zh-CN", title="努比亚红魔手机", attributes={"机身内存ROM": ["12+256GB"]})
    ok = check_faithfulness("存储组合为12GB+256GB。", record, exclude_field=None).claims
    wrong = check_faithfulness("存储组合为8GB+256GB。", record, exclude_field=None).claims
    assert [c.status for c in ok] == ["supported", "supported"]
    assert [c.status for c in wrong] == ["contradicted", "supported"]
