"""Issue 10: details grounded or caught, numbers bound to their role, units and numerals, phrase
superlatives and strict packs, clause cutting and clause-level target cleaning."""

import pytest

from shopscribe.catalog.record import ProductRecord
from shopscribe.quality.compliance import ComplianceChecker
from shopscribe.quality.faithfulness import check_faithfulness, cut_clauses
from shopscribe.quality.families import learn_families, packaged_families
from shopscribe.quality.units import find_quantities, parse_chinese_number
from shopscribe.tasks.task import load_task
from shopscribe.training.faithful import cut_unfaithful_clauses, invented_detail_share

SHOES = ProductRecord(id="s", locale="en", title="Red Tape Men Brown Leather Derbys", brand="Red Tape",
                      attributes={"gender": ["Men"], "primary_color": ["Brown"], "price_inr": ["1199"]})
TOP = ProductRecord(id="t", locale="zh-CN", category="上衣",
                    attributes={"类型": ["上衣"], "衣领型": ["v领"], "衣袖长": ["长袖"], "材质": ["棉"]})


def _verdicts(text, record, families=None):
    return {c.text.lower(): (c.status, c.reason) for c in check_faithfulness(text, record, families=families).claims}


def test_a_neckline_on_shoes_is_impossible_and_an_unnamed_sole_is_unsupported():
    v = _verdicts("Brown derbys with a round neck, long sleeves and a padded footbed.", SHOES)
    assert v["round neck"][0] == "contradicted" and v["round neck"][1].startswith("impossible")
    assert v["long sleeves"][0] == "contradicted"
    assert v["padded footbed"] == ("unsupported", "part (sole) the data does not state")
    assert v["brown"][0] == "supported"


def test_another_value_of_an_exclusive_family_is_contradicted_in_chinese():
    v = _verdicts("长袖上衣，圆领设计，搭配短袖和口袋。", TOP)
    assert v["长袖"][0] == "supported"
    assert v["圆领"][0] == "contradicted" and v["短袖"][0] == "contradicted"
    assert v["口袋"][0] == "unsupported"
    # a loose shirt said to hug the body (a rater's "senseless": 宽松的版型…舒适贴合身躯)
    loose = ProductRecord.model_validate({"id": "l", "locale": "zh-CN", "attributes": {"类型": "上衣", "版型": "宽松"}})
    assert _verdicts("宽松的版型，穿着舒适贴合身躯。", loose)["贴合身躯"][0] == "contradicted"


def test_a_price_never_becomes_a_year_or_a_count():
    v = _verdicts("Since its inception in 1199, the brand has grown.", SHOES)
    assert any(status == "contradicted" and "price 1199" in (reason or "") for status, reason in v.values())
    assert _verdicts("Pack of 1199 pieces.", SHOES)["1199 pieces"][0] == "contradicted"
    assert _verdicts("Priced at Rs 1199.", SHOES)["1199"][0] == "supported"


def test_units_spellings_and_chinese_numerals():
    (inch,) = find_quantities("15.6-inch")
    (inch2,) = find_quantities("15.6 英寸")
    assert inch.matches(inch2)
    (watts,) = find_quantities("2000 watts")
    (w,) = find_quantities("2000 w")
    assert watts.matches(w)
    (frac,) = find_quantities("3/8-inch")
    assert frac.dimension == "length"
    assert [q.low for q in find_quantities("五分钟")] == [5.0]
    assert [(q.dimension, q.low) for q in find_quantities("三年质保")] == [("age", 36.0)]
    assert [q.low for q in find_quantities("两只装")] == [2.0]
    assert find_quantities("一款裙子") == []  # a count of one is an article
    assert parse_chinese_number("三百五十") == 350 and parse_chinese_number("十二") == 12
    laptop = ProductRecord(id="l", locale="zh-CN", title="笔记本", attributes={"硬盘容量": ["512GB SSD"]})
    assert _verdicts("５１２Ｇ大容量固态硬盘。", laptop)["５１２ｇ"][0] == "supported"
    assert _verdicts("续航五小时。", laptop)["五小时"][0] == "unsupported"


def test_learned_families_add_catalog_values_and_exclusivity():
    records = [ProductRecord(id=str(i), locale="zh-CN", attributes={"类型": ["裙"], "裙型": [v]})
               for i, v in enumerate(["鱼尾裙", "a字", "百褶"])]
    families = learn_families(records)
    assert "鱼尾裙" in families.families["attr:裙型"].values and families.families["attr:裙型"].exclusive
    v = _verdicts("这条鱼尾裙很好看。", records[1], families)
    assert v["鱼尾裙"][0] == "contradicted"
    assert "neckline" in packaged_families().families


def test_phrase_superlatives_and_strict_terms():
    en = ComplianceChecker.for_locale("en")
    assert en.check("The most advanced blender ever made.") and en.check("Our best-selling kurta.")
    assert not en.check("Most customers choose a size up.") and not en.check("Make the most of your kitchen.")
    zh = ComplianceChecker.for_locale("zh-CN")
    assert zh.check("最时尚的裙子") and not zh.check("最大功率2000W") and not zh.check("最近很流行")
    assert not zh.check("最新款") and ComplianceChecker.for_locale("zh-CN", strict=True).check("最新款，首发")


def test_cut_clauses_keeps_the_rest_tidy():
    text = "Brown derbys, has a round neck and long sleeves, padded footbed."
    start = text.index("round")
    assert cut_clauses(text, [(start, start + 10)]) == ("Brown derbys, padded footbed.", 1)
    assert cut_clauses("长袖上衣，圆领设计。", [(5, 7)]) == ("长袖上衣。", 1)
    # the first clause names the product: it loses the span only, and a brand is never split
    assert cut_clauses("圆领长袖上衣，短袖设计。", [(0, 2)])[0] == "长袖上衣，短袖设计。"
    # a span inside a word takes the whole word (纯白 of 纯白色); a verb left without its object drops the clause
    assert cut_clauses("这款纯白色连衣裙，运用碎花元素。", [(2, 4)])[0] == "这款连衣裙，运用碎花元素。"
    assert cut_clauses("这款连衣裙采用纯白色为主体，运用碎花元素。", [(7, 9)])[0] == "运用碎花元素。"
    head = "EthnoVogue women printed woven maxi dress"
    start = head.index("woven")
    assert cut_clauses(head, [(start, start + 5)], ("EthnoVogue",))[0] == "EthnoVogue women printed maxi dress"


def test_clause_cleaning_cuts_invented_details_and_lists_them():
    task = load_task("describe")
    record = SHOES.model_copy(update={"description": "Brown leather derbys, has a mandarin collar"})
    families = learn_families([record])
    assert invented_detail_share([record], task, families) == 1.0
    cleaned = cut_unfaithful_clauses([record], task, families)
    assert cleaned.records[0].description == "Brown leather derbys"
    assert cleaned.dropped[0]["cuts"][0]["claims"] == ["mandarin collar (contradicted)"]


def test_claims_commands_name_bad_rows_and_show_verdicts(tmp_path):
    from typer.testing import CliRunner

    from shopscribe.cli.app import app

    catalog = tmp_path / "c.jsonl"
    catalog.write_text('{"id": "s", "locale": "en", "title": "Red Tape Men Brown Leather Derbys", '
                       '"attributes": {"primary_color": "Brown"}}\n{"locale": "en", "attributes": {}}\n')
    bad = CliRunner().invoke(app, ["claims", "families", str(catalog)])
    assert bad.exit_code != 0 and "c.jsonl:2" in bad.output and "id" in bad.output
    ok = CliRunner().invoke(app, ["claims", "check", str(catalog), "--id", "s", "--text", "Derbys with a round neck",
                                  "--on-error", "skip"])
    assert ok.exit_code == 0 and "impossible" in ok.output
    assert (tmp_path / "c.rejects.jsonl").read_text().count("\n") == 1


@pytest.mark.parametrize("text,product,impossible", [
    ("这款裙子采用v领设计，修饰了腿部线条。", {"类型": "裙", "裙领型": "v领"}, True),
    ("腰部的翻领设计，更有层次感。", {"类型": "上衣", "衣领型": "翻领"}, True),
    ("拉链的设计，可以很好的遮盖脖颈。", {"类型": "裤", "裤款式": "拉链"}, True),
    ("宽松的版型，修饰颈部线条。", {"类型": "上衣", "版型": "宽松"}, True),
    ("v领设计，修饰脸型。", {"类型": "上衣", "衣领型": "v领"}, False),
    ("圆领设计，修饰颈部线条。", {"类型": "裙", "裙领型": "圆领"}, False),
    ("高腰设计，拉长腿部比例。", {"类型": "裤", "裤腰型": "高腰"}, False),
    ("喇叭袖的设计，修饰手臂线条。", {"类型": "上衣", "衣袖型": "喇叭袖"}, False),
    ("短款上衣，拉长腿部比例。", {"类型": "上衣", "衣长": "短款"}, False),
    ("吊带领设计，修饰颈部线条。", {"类型": "裤", "裤长": "连体裤"}, False),
    ("袖口处采用圆领设计，简约大方。", {"类型": "上衣", "衣领型": "圆领"}, True),
    ("裤脚采用高腰的设计。", {"类型": "裤", "裤腰型": "高腰"}, True),
    ("袖口采用荷叶边设计，甜美可爱。", {"类型": "上衣", "衣款式": "荷叶边"}, False),
    ("棉质面料，很好地遮住你的脸部线条。", {"类型": "裙", "材质": "棉"}, True),
    ("白色的衬衫，衬托白皙脸庞。", {"类型": "上衣", "颜色": "白色"}, False),
    ("宽松的版型，很好的遮盖下脸庞。", {"类型": "裙", "版型": "宽松"}, True),  # a complement between verb and zone
    ("圆领设计，增添了腰部的层次感。", {"类型": "上衣", "衣领型": "圆领"}, True),
    ("腰带采用翻领设计，干练利落。", {"类型": "上衣", "衣领型": "翻领", "衣款式": "腰带"}, True),
    ("双排扣设计，修饰颈部线条。", {"类型": "上衣", "衣门襟": "双排扣"}, True),
    ("双排扣设计，修饰腰部线条。", {"类型": "上衣", "衣门襟": "双排扣"}, False),
    ("腰带的设计，勾勒出纤细的腰身。", {"类型": "上衣", "衣款式": "腰带"}, False),
    # what sits at the waist reaches the waist and legs, not the neck or the arms
    ("腰部的收腰设计，修饰颈部线条。", {"类型": "裙", "裙款式": "收腰"}, True),
    ("腰间的收腰设计，展现出纤细的手臂。", {"类型": "裙", "裙款式": "收腰"}, True),
    ("腰部的收腰设计，拉长腿部比例。", {"类型": "裙", "裙款式": "收腰"}, False),
    # a neckline named near a neck effect makes it the neckline's, not on trousers, which have none
    ("这款阔腿裤领部采用精致的领扣装饰，修饰颈部线条。", {"类型": "裤", "裤型": "阔腿裤"}, True),
    # sleeves at the neckline
    ("领口处插肩袖的设计，修饰颈部曲线。", {"类型": "上衣", "衣袖型": "插肩袖"}, True),
    ("领口采用v领设计，修饰颈部线条。", {"类型": "上衣", "衣领型": "v领"}, False),
    # a collar on the shoulders; a neckline that opens them, and sleeves, do sit there
    ("上身时，肩部采用立体翻领，展现出自信。", {"类型": "上衣", "衣领型": "翻领"}, True),
    ("肩部采用一字领设计，性感迷人。", {"类型": "上衣", "衣领型": "一字领"}, False),
    ("肩部的插肩袖设计，随性慵懒。", {"类型": "上衣", "衣袖型": "插肩袖"}, False),
    # sleeves on the body of a dress; a neckline or a hood there is how people write
    ("裙身采用长袖的设计，更显优雅。", {"类型": "裙", "裙袖长": "长袖"}, True),
    ("裙身处处都采用了泡泡袖的设计，甜美。", {"类型": "裙", "裙袖型": "泡泡袖"}, True),
    ("裙身采用秀气的圆领设计，简约大方。", {"类型": "裙", "裙领型": "圆领"}, False),
    ("衣身采用连帽设计，休闲随性。", {"类型": "上衣", "衣领型": "连帽"}, False),
    # what a sleeve does for "a woman's" waist is still the waist
    ("七分袖的设计，修饰出女性的纤细腰身。", {"类型": "裙", "裙袖长": "七分袖"}, True),
])
def test_a_part_acting_on_or_sitting_at_a_zone_it_cannot_reach_is_impossible(text, product, impossible):
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "attributes": product})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:placement" and c.impossible]
    assert bool(found) == impossible, found
    assert all(c.status == "contradicted" for c in found)


@pytest.mark.parametrize("text,product,impossible", [
    # an ornament or a fastening shapes no part of the body (issue 25: the blind rating's senseless copy)
    ("裙身采用绑带的设计，修饰了腿部线条，更显纤细。", {"类型": "裙", "裙款式": "绑带"}, True),
    ("马甲的纽扣设计，不仅能很好的修剪脖颈。", {"类型": "上衣", "衣门襟": "纽扣"}, True),
    ("钉珠的设计，凸显出女性的优雅气质，更显高挑。", {"类型": "上衣", "衣款式": "钉珠"}, True),
    ("刺绣的点缀，让整体看起来更加显瘦。", {"类型": "上衣", "衣款式": "刺绣"}, True),
    ("而纽扣的设计，可以很好的遮盖了裙身的赘肉。", {"类型": "裙", "裙款式": "纽扣"}, True),
    ("同时还增加了蝴蝶结的装饰，让整体看起来更加的显瘦。", {"类型": "裙", "裙款式": "蝴蝶结"}, True),
    ("竖条纹的设计，视觉上更显瘦。", {"类型": "裙", "图案": "条纹"}, False),
    # ... but a tie or a bow at the waist cinches it, and what shapes the body may stand between
    ("系带的设计，勾勒出纤细的腰身。", {"类型": "上衣", "衣门襟": "系带"}, False),
    ("腰部的蝴蝶结设计，更显瘦。", {"类型": "裙", "裙款式": "蝴蝶结"}, False),
    ("纽扣点缀，修身的版型更显瘦。", {"类型": "上衣", "衣门襟": "纽扣", "版型": "修身"}, False),
    ("拉链设计，方便穿脱，黑色显瘦。", {"类型": "裤", "裤款式": "拉链", "颜色": "黑色"}, False),
    # a part acts on its own zone only, whatever the verb
    ("立领设计，修饰颈部线条，同时提升了腰部的比例。", {"类型": "上衣", "衣领型": "立领"}, True),
    ("圆领设计，可以很好的遮挡下身。", {"类型": "上衣", "衣领型": "圆领"}, True),
    ("高腰设计，提升腰线，拉长腿部比例。", {"类型": "裤", "裤腰型": "高腰"}, False),
    # a pattern's lines may slim the legs or the body, not flatter a neck
    ("条纹设计，修饰了脖颈线条，更显优雅。", {"类型": "上衣", "图案": "条纹"}, True),
    ("竖条纹设计，修饰腿部线条，更显瘦。", {"类型": "裤", "图案": "条纹"}, False),
    # a collar at the hem, a shoe for a part
    ("下摆的翻领设计，更显优雅。", {"类型": "上衣", "衣领型": "翻领"}, True),
    ("裤脚采用高跟鞋设计，让裤腿看起来更加纤长。", {"类型": "裤", "裤长": "九分裤"}, True),
    ("下摆的荷叶边设计，甜美可爱。", {"类型": "上衣", "衣款式": "荷叶边"}, False),
])
def test_an_ornament_cannot_shape_the_body(text, product, impossible):
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "attributes": product})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:placement" and c.impossible]
    assert bool(found) == impossible, found


@pytest.mark.parametrize("text,product,senseless", [
    # storage is what a pocket does, not ribbed cuffs, a zip or a slit
    ("收口处采用螺纹设计，方便收纳，更显时尚感。", {"类型": "上衣", "衣款式": "螺纹"}, True),
    ("裤脚采用开叉设计，方便收纳。", {"类型": "裤", "裤款式": "开叉"}, True),
    ("口袋的设计，方便收纳小物件。", {"类型": "裤", "裤款式": "口袋"}, False),
    ("不对称的口袋设计，又具有收纳的作用。", {"类型": "上衣", "衣款式": "口袋"}, False),
    # the product paired with its own kind
    ("这款卫衣采用经典日系设计，搭配上经典的卫衣，显得更加时髦。", {"类型": "上衣", "衣样式": "卫衣"}, True),
    ("这款英伦的马甲衫，搭配上经典的马甲。", {"类型": "上衣", "衣样式": "马甲"}, True),
    ("这款衬衫采用纯白色调，上身搭配马甲，更显干练。", {"类型": "上衣", "衣样式": "衬衫"}, False),
    ("这款风衣采用姜黄色，内搭简洁打底衫，休闲随性。", {"类型": "上衣", "衣样式": "风衣"}, False),
    ("这款连衣裙搭配衬衫领设计，干练。", {"类型": "裙", "裙领型": "衬衫领"}, False),
])
def test_storage_without_a_pocket_and_a_garment_paired_with_its_own_kind_are_senseless(text, product, senseless):
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "attributes": product})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:sense"]
    assert bool(found) == senseless, found
    assert all(c.status == "contradicted" and c.impossible for c in found)


@pytest.mark.parametrize("locale,category,title,text,worn", [
    ("zh-CN", "家居", "抱枕", "这款抱枕透气舒适，夏天穿着也很凉爽。", True),
    ("zh-CN", "厨具", "保温杯", "保温杯采用不锈钢内胆，上身效果很好。", True),
    ("zh-CN", "上衣", "衬衫", "这款衬衫透气舒适，夏天穿着很凉爽。", False),
    ("zh-CN", "数码", "蓝牙耳机", "这款耳机佩戴舒适，音质清晰。", False),
    ("zh-CN", None, "礼品", "穿着舒适。", False),  # no known category: not judged
    ("en", "home", "Pillow", "A soft pillow, comfortable to wear in summer.", True),
    ("en", "kitchen", "Frying pan", "A wear-resistant non-stick coating that resists wear and tear.", False),
    ("en", "apparel", "Shirt", "A cotton shirt, comfortable to wear.", False),
])
def test_a_product_nobody_wears_said_to_be_worn_is_impossible(locale, category, title, text, worn):
    record = ProductRecord.model_validate({"id": "w", "locale": locale, "category": category, "title": title})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:sense"]
    assert bool(found) == worn, found
    assert all(c.status == "contradicted" and c.impossible for c in found)


@pytest.mark.parametrize("locale,attributes,title,text,cannot", [
    ("zh-CN", {"类型": "保温杯", "材质": "不锈钢"}, None, "500毫升不锈钢保温杯，杯口吸水，日常使用方便。", True),
    ("zh-CN", {"类型": "饭盒", "材质": ["钢化玻璃", "硅胶"]}, None, "玻璃饭盒，透气不闷。", True),
    ("zh-CN", {"类型": "毛巾", "材质": "棉"}, None, "纯棉毛巾，柔软吸水。", False),
    ("zh-CN", {"类型": "保温杯", "材质": ["不锈钢", "竹"]}, None, "竹盖吸湿。", False),  # bamboo may
    ("zh-CN", {"类型": "保温杯"}, None, "杯口吸水。", False),  # no material named: not judged
    ("en", {"material": "stainless steel"}, "Steel Water Bottle", "A steel bottle that absorbs moisture.", True),
    ("en", {}, "Glass Storage Jars", "Breathable glass jars for the pantry.", True),
    ("en", {"material": "bamboo"}, "Bamboo Cutting Board", "A bamboo board that absorbs water slowly.", False),
    ("en", {"material": "cotton"}, "Cotton Shirt", "A breathable shirt that wicks sweat.", False),
])
def test_a_property_the_material_cannot_have_is_impossible(locale, attributes, title, text, cannot):
    record = ProductRecord.model_validate({"id": "m", "locale": locale, "title": title, "attributes": attributes})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:sense"]
    assert bool(found) == cannot, found
    assert all(c.status == "contradicted" and c.impossible for c in found)


def test_storage_is_not_judged_on_a_bag():
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "category": "箱包",
                                           "attributes": {"类型": "双肩包"}})
    found = [c for c in check_faithfulness("大容量设计，方便收纳。", record).claims if c.kind == "detail:sense"]
    assert found == []


def test_what_a_sentence_says_of_an_invented_place_goes_with_it():
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "attributes": {"类型": "裤", "裤款式": "拉链"}})
    text = "这款裤子的裤脚采用拉链设计，方便了裤脚的穿脱，休闲百搭。宽松舒适，裤脚很宽。"
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:placement"]
    assert [c.text for c in found] == ["裤脚采用", "裤脚"]  # not the 裤脚 of the next sentence
    assert cut_clauses(text, [(c.start, c.end) for c in found])[0] == "这款裤子的拉链设计，休闲百搭。宽松舒适，裤脚很宽。"


@pytest.mark.parametrize("text,product,unplaced", [
    ("裤脚采用拉链设计，方便穿脱。", {"类型": "裤", "裤款式": "拉链"}, True),
    ("袖口的荷叶边设计，甜美可爱。", {"类型": "上衣", "衣款式": "荷叶边"}, True),
    ("袖口的荷叶边设计，甜美可爱。", {"类型": "上衣", "衣袖型": "荷叶边"}, False),
    ("下摆的开叉设计，行走自如。", {"类型": "裙", "裙下摆": "开叉"}, False),
    ("拉链设计，方便穿脱。", {"类型": "裤", "裤款式": "拉链"}, False),
])
def test_a_feature_placed_where_the_data_does_not_put_it_is_unsupported(text, product, unplaced):
    record = ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "attributes": product})
    found = [c for c in check_faithfulness(text, record).claims if c.kind == "detail:placement"]
    assert bool(found) == unplaced, found
    assert all(c.status == "unsupported" and not c.impossible for c in found)


@pytest.mark.parametrize("text,attributes,kind,status", [
    ("Navy shirt, worn by celebrities such as Rihanna and Beyonce.", {"gender": "Men"}, "detail:endorsement",
     "unsupported"),
    ("Parx has been supplying men with formal wear since the early nineteenth century.", {"gender": "Men"},
     "detail:origin", "unsupported"),
    ("The brand is now owned by the same family that owns a department store.", {"gender": "Men"}, "detail:origin",
     "unsupported"),
    ("Mr. Parz, who has been running the business for over a decade.", {"gender": "Men"}, "detail:origin",
     "unsupported"),
    ("A scent that has been used by women since ancient times.", {"gender": "Women"}, "detail:origin",
     "unsupported"),
    ("A unisex fragrance that can be worn by both men and women.", {"gender": "Women"}, "detail:gender",
     "contradicted"),
    ("Brown open-toed oxfords.", {"gender": "Men"}, "detail:toe", "unsupported"),
    ("The label has been in business since September.", {"gender": "Men"}, "detail:origin", "unsupported"),
    ("It is one of India's premier brands.", {"gender": "Men"}, "detail:origin", "unsupported"),
    ("A mist that reduces redness around the eyes.", {"gender": "Women"}, "detail:benefit", "unsupported"),
    ("Parx has teamed up with designer brand, The North Face to create these khakis.", {"gender": "Men"},
     "detail:endorsement", "unsupported"),
    ("Trousers created in collaboration with a famous designer.", {"gender": "Men"}, "detail:endorsement",
     "unsupported"),
])
def test_endorsements_brand_histories_and_gender_claims_are_checked(text, attributes, kind, status):
    record = ProductRecord.model_validate({"id": "e", "locale": "en", "title": "Item", "attributes": attributes})
    found = {c.kind: c.status for c in check_faithfulness(text, record).claims}
    assert found.get(kind) == status, found


def test_unisex_on_a_unisex_product_is_supported():
    record = ProductRecord.model_validate({"id": "u", "locale": "en", "title": "Backpack",
                                           "attributes": {"gender": "Unisex"}})
    assert {c.status for c in check_faithfulness("A unisex backpack for men and women.", record).claims} <= {
        "supported"}


def _zh(attributes, title=None, category=None):
    return ProductRecord.model_validate({"id": "z", "locale": "zh-CN", "title": title, "category": category,
                                         "attributes": attributes})


def test_a_garment_part_on_a_product_of_no_known_category_that_is_no_garment_is_impossible():
    oat_drink = _zh({"单瓶净含量": ["1000mL"], "包装种类": ["瓶装"]}, title="某品牌咖啡大师燕麦露1L*2")
    status, reason = _verdicts("燕麦露采用V领设计。", oat_drink)["v领"]
    assert status == "contradicted" and "not a garment" in reason
    status, reason = _verdicts("V领设计。", _zh({}, title="某品牌谷物饮料1L"))["v领"]
    assert status == "contradicted" and "on food" in reason
    garment_hint = _zh({"颜色": ["黑色"]}, title="某品牌女装新款")
    assert _verdicts("V领设计。", garment_hint)["v领"][0] == "unsupported"


def test_a_skirt_named_in_the_attributes_narrows_the_type_and_has_no_sleeves():
    skirt = _zh({"类型": ["裙"], "裙长": ["半身裙"], "裙腰型": ["高腰"]}, category="裙")
    assert _verdicts("半身裙采用七分袖设计。", skirt)["七分袖"][0] == "contradicted"
    assert _verdicts("高腰设计。", skirt)["高腰"][0] == "supported"
    dress = _zh({"类型": ["裙"], "裙长": ["连衣裙"]}, category="裙")
    assert _verdicts("七分袖设计。", dress)["七分袖"][0] == "unsupported"


def test_a_value_the_data_negates_is_contradicted_and_a_literal_value_is_supported():
    purifier = _zh({"功效": ["非直饮"], "功能": ["深层过滤、除氯"]}, title="家用前置过滤器")
    families = learn_families([purifier, _zh({"功效": ["直饮"]}, title="净水器")])
    assert _verdicts("可直饮。", purifier, families)["直饮"][0] == "contradicted"
    bra = ProductRecord(id="b", locale="en", title="Striped Non Padded Bralette Bra", attributes={"gender": ["Women"]})
    assert _verdicts("A padded bra.", bra)["padded"][0] != "supported"


def test_a_part_whose_key_the_data_holds_is_there_whatever_its_value():
    shoe = _zh({"里料材质": ["头层猪皮"], "款式": ["板鞋"]}, title="小白鞋")
    assert _verdicts("头层猪皮内里。", shoe)["内里"][0] == "supported"
    unisex = ProductRecord(id="u", locale="en", title="Item", attributes={"gender": ["Women"]})
    assert _verdicts("A unisex scent.", unisex)["unisex"][0] == "contradicted"


def test_a_belt_the_data_lists_on_a_dress_is_not_another_product():
    dress = _zh({"类型": ["裙"], "裙款式": ["腰带"]}, category="裙")
    assert _verdicts("腰带收腰。", dress).get("腰带", ("supported",))[0] == "supported"


def test_grams_or_millilitres_as_a_seller_writes_them():
    shampoo = _zh({"化妆品净含量": ["800g/mL"]}, title="洗发水")
    assert _verdicts("净含量800mL。", shampoo)["800ml"][0] == "supported"
    assert _verdicts("净含量500mL。", shampoo)["500ml"][0] == "contradicted"


@pytest.mark.parametrize("text,flagged", [
    ("The cure time for the glue is 24 hours.", False),
    ("A bestselling author's cookbook stand.", False),
    ("Our bestselling stand for cookbooks.", True),
    ("This cream cures acne overnight.", True),
])
def test_look_alikes_a_few_words_away_stay_legal(text, flagged):
    assert bool(ComplianceChecker.for_locale("en").check(text)) is flagged


def test_a_cut_learned_from_the_catalog_acts_on_waist_and_legs_only():
    skirt = _zh({"类型": ["裙"], "裙型": ["a字"]}, category="裙")
    families = learn_families([skirt])
    found = [c for c in check_faithfulness("a字的裙型，修饰了脖颈线条。", skirt, families=families).claims
             if c.kind == "detail:placement"]
    assert found and found[0].impossible
    assert not [c for c in check_faithfulness("a字的裙型，修饰腿部线条。", skirt, families=families).claims
                if c.kind == "detail:placement"]


def test_a_part_said_to_be_a_whole_garment_is_impossible():
    overalls = _zh({"类型": ["裤"], "裤型": ["直筒裤", "背带裤"]}, category="裤")
    status, reason = _verdicts("裤脚采用背带裤的设计，方便穿脱。", overalls)["裤脚采用背带裤"]
    assert status == "contradicted" and reason.startswith("impossible")
    assert "这款背带裤采用直筒设计" not in str(_verdicts("这款背带裤采用直筒设计。", overalls))
    assert "袖口采用衬衫" not in _verdicts("袖口采用衬衫袖设计。", TOP)  # 衬衫袖 is a sleeve style


@pytest.mark.parametrize("text,span,expected", [
    ("This mist helps to remove impurities from your skin. It smells fresh.", "remove impurities", "It smells fresh."),
    ("The perfume is a refreshing scent that lasts all day, with citrus notes.", "scent", "with citrus notes."),
    ("Green printed woven top, with short sleeves.", "woven", "Green printed top, with short sleeves."),
    ("这款上衣采用蕾丝的设计，穿着舒适。", "蕾丝", "穿着舒适。"),
    ("这款裤子宽松舒适。裤脚采用拼接工艺，修饰腿部线条。高腰设计，拉长比例。", "裤脚采用",
     "这款裤子宽松舒适。高腰设计，拉长比例。"),
    ("这款裤子宽松舒适，裤脚采用拼接工艺，修饰腿部线条。", "裤脚采用", "这款裤子宽松舒适，修饰腿部线条。"),
])
def test_a_cut_that_would_break_the_first_sentence_takes_the_whole_clause(text, span, expected):
    start = text.find(span)
    assert cut_clauses(text, [(start, start + len(span))])[0] == expected


def test_the_clauses_a_cut_leaves_without_their_subject_are_named():
    from shopscribe.generation.generator import orphan_finding
    from shopscribe.quality.faithfulness import orphaned_clauses

    text = "这款裤子宽松舒适。裤脚采用拼接工艺，修饰腿部线条，提升比例。高腰设计，拉长比例。"
    at = text.index("裤脚采用")
    found = [orphan_finding(text, a, b) for a, b in orphaned_clauses(text, [(at, at + 4)])]
    assert [f["text"] for f in found] == ["修饰腿部线条", "提升比例"]
    assert all(text[f["start"]:f["end"]] == f["text"] and f["kind"] == "detail:orphan" for f in found)
    assert orphaned_clauses("这款裤子宽松舒适，裤脚采用拼接工艺，修饰腿部线条。", [(9, 13)]) == []


def test_a_shirt_named_after_formal_derbys_is_another_product_and_formal_is_no_cue():
    # "formal" begins with "for": the product type after it is still the one the copy names
    v = _verdicts("Brown men's tan leather formal derby shirt", SHOES)
    assert v["shirt"][0] == "contradicted" and v["shirt"][1].startswith("impossible")
    assert "shirt" not in _verdicts("Brown leather derbys to wear with a formal shirt.", SHOES)


def test_a_claim_running_past_a_comma_is_cut_to_its_end():
    text = "Khaki trousers Parx has teamed up with designer brand, The North Face to create these khakis."
    claim = [c for c in check_faithfulness(text, SHOES).claims if c.kind == "detail:endorsement"][0]
    assert cut_clauses(text, [(claim.start, claim.end)]) == ("Khaki trousers Parx.", 2)
