"""`optimize`: supported facts kept, unsupported claims dropped, praise first, honest advice,
keywords, length; a model rewrite is used only when it passes the checks."""

import json

import pytest

from shopscribe.catalog.record import ProductRecord
from shopscribe.config import load_config
from shopscribe.optimize import OptimizeConfig, optimize
from shopscribe.optimize.plan import compose, plan_rewrite
from tests.conftest import write_jsonl

INSIGHTS = {"group": "dress", "aspects": [
    {"aspect": "fit", "label": "fit & size", "positive": 1, "negative": 5, "share_negative": 0.83, "direction": "small"},
    {"aspect": "quality", "label": "quality & material", "positive": 6, "negative": 1, "share_negative": 0.14},
    {"aspect": "appearance", "label": "look & design", "positive": 4, "negative": 0, "share_negative": 0.0},
]}
EN = ProductRecord(id="d1", locale="en", title="Floral midi dress", brand="Acme",
                   attributes={"material": ["cotton"], "color": ["blue"], "size": ["S", "M", "L"]},
                   description="A blue cotton midi dress with a floral print. Made of 100% silk for a luxe feel. "
                               "Machine washable. Clinically proven to keep you cool.")


def test_plan_keeps_supported_sentences_and_drops_unsupported_claims():
    plan = plan_rewrite(EN, INSIGHTS, ["summer dress"])
    assert [s.text for s in plan.kept][:1] == ["A blue cotton midi dress with a floral print."]
    assert any("silk" in s.text for s in plan.dropped)
    assert {"blue", "cotton"} <= set(plan.facts)
    assert plan.praise == ["quality & material", "look & design"]
    assert plan.complaint["advice"] == "Runs small: consider one size up."


def test_compose_leads_with_praise_and_fits_the_limit():
    plan = plan_rewrite(EN, INSIGHTS, ["summer dress"])
    draft = compose(plan, 400)
    assert draft.startswith("Customers praise its quality & material and look & design.")
    assert "Runs small" in draft and "summer dress" in draft and "silk" not in draft
    short = compose(plan, 60)
    assert len(short) <= 60 and "blue cotton" in short


def test_no_advice_when_reviews_do_not_say_which_way():
    insights = {"aspects": [{**INSIGHTS["aspects"][0], "direction": None}]}
    plan = plan_rewrite(EN, insights, [])
    assert plan.complaint["aspect"] == "fit" and plan.complaint["advice"] is None


def test_optimize_command_without_model_writes_checked_rewrites_and_page(tmp_path):
    zh = ProductRecord(id="z1", locale="zh-CN", title="碎花连衣裙", attributes={"材质": ["棉"], "颜色": ["蓝色"]},
                       description="蓝色棉质连衣裙，清新碎花。采用真丝面料，国家级品质。")
    products = write_jsonl(tmp_path / "p.jsonl", [EN.model_dump(exclude_defaults=True),
                                                  {**zh.model_dump(exclude_defaults=True), "keywords": "夏季,通勤"}])
    insights = tmp_path / "insights.json"
    insights.write_text(json.dumps({"groups": [INSIGHTS]}), encoding="utf-8")
    cfg = load_config(OptimizeConfig, None, [f"products={products}", f"out={tmp_path / 'o.jsonl'}",
                                             f"insights={insights}", "insights_by=group", "insights_group=dress",
                                             "keywords=[summer dress]"])
    result = optimize(cfg, log=lambda m: None)
    rows = {json.loads(x)["id"]: json.loads(x) for x in (tmp_path / "o.jsonl").read_text().splitlines()}
    assert rows["z1"]["text"].startswith("买家称赞它的质量/做工") and "国家级" not in rows["z1"]["text"]
    assert "夏季" in rows["z1"]["text"] and "版型偏小" in rows["z1"]["text"]
    assert all(r["checks"]["passed"] for r in rows.values()), [r["checks"] for r in rows.values()]
    assert result.metrics["fact_retention"] == 1.0 and result.metrics["keyword_inclusion"] == 1.0
    page = result.html.read_text(encoding="utf-8")
    assert "before" in page and "Dropped" in page and "Runs small" in page


def test_model_rewrite_is_used_only_if_it_passes(tiny_model_dir, tmp_path):
    products = write_jsonl(tmp_path / "p.jsonl", [EN.model_dump(exclude_defaults=True)])
    cfg = load_config(OptimizeConfig, None, [f"products={products}", f"out={tmp_path / 'o.jsonl'}",
                                             f"model={tiny_model_dir}", "decoding.max_new_tokens=12"])
    result = optimize(cfg, log=lambda m: None)
    row = json.loads((tmp_path / "o.jsonl").read_text().splitlines()[0])
    assert row["source"] == "draft" and row["model_note"].startswith("model rewrite rejected")  # random model
    assert row["checks"]["passed"] and result.metrics["model_rewrites_used"] == 0.0


def test_unknown_insight_group_is_a_clear_error(tmp_path):
    insights = tmp_path / "i.json"
    insights.write_text(json.dumps({"groups": [INSIGHTS]}), encoding="utf-8")
    products = write_jsonl(tmp_path / "p.jsonl", [EN.model_dump(exclude_defaults=True)])
    cfg = load_config(OptimizeConfig, None, [f"products={products}", f"out={tmp_path / 'o.jsonl'}",
                                             f"insights={insights}", "insights_by=group", "insights_group=nope"])
    with pytest.raises(Exception, match="insights_group 'nope'"):
        optimize(cfg, log=lambda m: None)
