import json
from pathlib import Path

import pytest

from shopscribe.errors import ConfigError
from shopscribe.quality.compliance import ComplianceChecker, load_pack

DATA = Path(__file__).resolve().parent.parent / "data"


def precision_recall(locale: str, name: str = "compliance") -> tuple[float, float, int]:
    checker = ComplianceChecker.for_locale(locale)
    rows = [json.loads(line) for line in (DATA / f"{name}_{locale}.jsonl").read_text(encoding="utf-8").splitlines()]
    flagged = [bool(checker.check(r["text"])) for r in rows]
    tp = sum(f and r["violation"] for f, r in zip(flagged, rows))
    fp = sum(f and not r["violation"] for f, r in zip(flagged, rows))
    fn = sum(not f and r["violation"] for f, r in zip(flagged, rows))
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), len(rows)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_labelled_set_precision_and_recall(locale):
    precision, recall, n = precision_recall(locale)
    assert n >= 150
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_held_out_phrases_written_after_the_rules(locale):
    precision, recall, n = precision_recall(locale, "compliance_heldout")
    assert n >= 40 and precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_findings_carry_rule_span_severity_and_fix():
    text = "这款是最高端的羊绒衫，国家级品质，高端大气。"
    findings = ComplianceChecker.for_locale("zh-CN").check(text)
    assert [(f.rule_id, f.text) for f in findings] == [("ZH-ABS-SUPERLATIVE", "最高端"), ("ZH-ABS-NATIONAL", "国家级")]
    f = findings[0]
    assert text[f.start:f.end] == "最高端" and f.severity == "high" and f.fix and f.explanation


def test_blanket_safety_and_green_claims_on_a_garment():
    checker = ComplianceChecker.for_locale("zh-CN")
    found = checker.check("纯棉面料，不含任何化学成分，不会污染环境。")
    assert [(f.rule_id, f.text) for f in found] == [("ZH-ABS-SAFE-GREEN", "不含任何化学成分"),
                                                    ("ZH-ABS-SAFE-GREEN", "不会污染环境")]
    assert checker.check("化学纤维面料，环保印染，亲肤透气。") == []


def test_user_pack_without_code(tmp_path):
    (tmp_path / "mine.yaml").write_text(
        "pack: my-shop\nlocale: en\nrules:\n  - id: SHOP-1\n    pattern: '(?i)\\bsparkly\\b'\n"
        "    severity: medium\n    explanation: house style\n    fix: remove\n", encoding="utf-8")
    checker = ComplianceChecker.for_locale("en", [tmp_path])
    assert [f.rule_id for f in checker.check("A sparkly mop.")] == ["SHOP-1"]


def test_bad_pack_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("pack: x\nlocale: en\nrules:\n  - id: A\n    pattern: '('\n    severity: high\n"
                    "    explanation: e\n    fix: f\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="rule #1 .*regular expression"):
        load_pack(path)


def test_banned_terms_for_decoding():
    terms = ComplianceChecker.for_locale("zh-CN").banned_terms()
    assert "国家级" in terms and "最佳" in terms and "包邮" not in terms  # low severity is not banned


def test_a_term_spelled_apart_is_found_where_it_was_written():
    checker = ComplianceChecker.for_locale("en")
    text = "Our mop is the b e s t, really."
    (f,) = [f for f in checker.check(text) if f.rule_id == "EN-UNSUB-SUPERLATIVE"]
    assert text[f.start:f.end] == f.text and f.text.replace(" ", "").lower().endswith("best")
    zh = ComplianceChecker.for_locale("zh-CN")
    assert any(f.text == "国 家 级" for f in zh.check("本品为国 家 级好物"))
    assert checker.check("Size: S M L XL, in a 2 in 1 pack.") == []


@pytest.mark.parametrize("locale,violation,legal", [
    ("zh-CN", "这款护腰垫专治腰椎间盘突出", "护腰垫采用透气网布，腰部有魔术贴"),
    ("zh-CN", "每天泡一杯，血压血糖都降下来", "茶汤红亮，最高可冲泡8次"),
    ("zh-CN", "挂在车里招财又转运", "车载挂件采用桃木雕刻"),
    ("zh-CN", "手慢无，最后3件", "活动时间：11月1日至11月11日"),
    ("zh-CN", "颜值天花板，性价比之王", "天花板吸顶灯，直径50厘米"),
    ("zh-CN", "别家的都是黑心棉", "可自动识别家具位置"),
    ("zh-CN", "不瘦不要钱", "视觉上显瘦十斤的开衫"),
    ("en", "Say goodbye to knee pain with these insoles.", "Insoles with a cushioned heel cup."),
    ("en", "Lose two jean sizes without dieting.", "Available in jean sizes 26 to 34."),
    ("en", "Endorsed by the NHS and loved by doctors.", "NHS-compliant scrub fabric, 65% polyester."),
    ("en", "Earn $3,000 a month with this embroidery machine.", "Embroidery area up to 3,000 stitches a minute."),
    ("en", "Unlike those cheap knock-offs, it lasts.", "A copy holder for typing, 30 cm tall."),
    ("en", "Totally harmless for babies and pets.", "Dishwasher-safe, BPA-free plastic."),
])
def test_kinds_added_after_the_second_fresh_phrases(locale, violation, legal):
    checker = ComplianceChecker.for_locale(locale)
    assert checker.check(violation), violation
    assert checker.check(legal) == [], [f.text for f in checker.check(legal)]
