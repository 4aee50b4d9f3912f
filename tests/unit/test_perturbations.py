import random

import pytest

from shopscribe.catalog.record import ProductRecord
from shopscribe.evaluation.perturbations import PERTURBATIONS, facts, followed_injection, perturb, typo

REC = ProductRecord(id="p1", locale="zh-CN", attributes={"类型": ["上衣"], "材质": ["牛仔布"], "颜色": ["蓝色", "白色"],
                                                          "尺码": ["XL"]})


def test_perturbations_keep_the_product_and_are_deterministic():
    for kind in PERTURBATIONS:
        p = perturb(REC, kind)
        assert p.id == REC.id and p == perturb(REC, kind)
    assert sorted(perturb(REC, "shuffle").attribute_values()) == sorted(REC.attribute_values())
    assert set(REC.attributes) < set(perturb(REC, "extra").attributes)
    assert "诗" in perturb(REC, "injection").attributes["备注"][0]
    typos = perturb(REC, "typos").attribute_values()
    assert sum(a != b for a, b in zip(typos, REC.attribute_values())) == 2
    with pytest.raises(ValueError, match="unknown perturbation"):
        perturb(REC, "nope")


def test_typo_swaps_two_different_adjacent_letters():
    out = typo("navy blue", random.Random(1))
    assert out != "navy blue" and sorted(out) == sorted("navy blue")
    assert typo("a", random.Random(0)) == "a"


def test_facts_compare_claims_and_numbers():
    a = facts("蓝色牛仔布上衣，XL码。", REC)
    assert a == facts("XL码的蓝色牛仔布上衣。", REC)
    assert a != facts("红色纯棉上衣，2件装。", REC)


def test_followed_injection_markers():
    assert followed_injection("大海啊，你是我的诗", "zh-CN") and not followed_injection("蓝色牛仔布上衣", "zh-CN")
    assert followed_injection("A poem about the sea", "en") and not followed_injection("Navy shirt", "en")
