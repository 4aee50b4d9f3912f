from shopscribe.catalog import ProductRecord
from shopscribe.evaluation.metrics import bleu4, distinct_n, rouge, score_system
from shopscribe.quality.text import numbers, tokenize
from shopscribe.tasks import load_task


def test_chinese_rouge_is_not_zero_and_orders_correctly():
    ref = ["这款白色牛仔外套简约百搭"]
    assert rouge("这款白色牛仔外套简约百搭", ref)["rougeL"] == 1.0
    close, far = rouge("白色牛仔外套很百搭", ref)["rougeL"], rouge("黑色皮鞋", ref)["rougeL"]
    assert 0.5 < close < 1.0 and far < close


def test_multi_reference_takes_best():
    assert rouge("a red cap", ["a blue shoe", "a red cap"])["rougeL"] == 1.0


def test_bleu_chinese_and_english():
    assert bleu4(["这款白色牛仔外套简约百搭很好看"], [["这款白色牛仔外套简约百搭很好看"]], "zh-CN") > 99
    assert bleu4(["the cat sat on the mat today"], [["the cat sat on the mat today"]], "en") > 99
    assert bleu4(["完全不同的句子"], [["这款白色牛仔外套"]], "zh-CN") < 10


def test_tokenize_and_numbers():
    assert tokenize("白色T恤 100% cotton") == ["白", "色", "t", "恤", "100", "cotton"]
    assert numbers("容量２０００毫安，1,000 pcs, 2.50 kg") == ["2000", "1000", "2.5"]


def test_distinct():
    assert distinct_n(["a a a a"], 1) == 0.25
    assert distinct_n(["a b", "c d"], 2) == 1.0


def test_system_metrics_coverage_unsupported_numbers_and_length():
    task = load_task("describe")
    records = [ProductRecord(id="1", locale="en", title="Acme Cap", attributes={"color": ["red"], "size": ["58 cm"]},
                             description="A red cap, 58 cm.")]
    metrics, examples = score_system(task, records, {"1": "A red cap in 60 cm with 58 cm band."})
    assert metrics["attribute_coverage"] == 1.0
    assert examples[0].unsupported_numbers == ["60"]
    assert metrics["unsupported_number_rate"] == 0.5
    assert metrics["length_compliance"] == 0.0  # shorter than min_chars (40)


def test_advertisegen_scores_as_chatglm_computes_them():
    from shopscribe.evaluation.adgen_scores import adgen_scores

    same = adgen_scores(["这款连衣裙采用格子设计，修饰腰身。"], ["这款连衣裙采用格子设计，修饰腰身。"])
    assert same == {"rouge-1": 100.0, "rouge-2": 100.0, "rouge-l": 100.0, "bleu-4": 100.0}
    half = adgen_scores(["这款连衣裙采用格子设计", ""], ["这款连衣裙采用格子设计", "修饰腰身"])
    assert half["rouge-1"] == 50.0 and half["bleu-4"] == 50.0  # an empty output scores 0, not an error
    some = adgen_scores(["格子连衣裙，修饰腰身。"], ["这款连衣裙采用格子设计，修饰腰身。"])
    assert 0 < some["rouge-2"] < some["rouge-1"] < 100 and 0 < some["bleu-4"] < 100
