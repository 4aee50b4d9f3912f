"""Reviews: personal-data masking, loading errors, sentiment classifier, aspect insights."""

import json
from importlib import resources
from pathlib import Path

import pytest

from shopscribe.errors import CatalogValidationError
from shopscribe.reviews import SentimentConfig, SentimentModel, load_reviews, mask_pii, score_reviews, train_sentiment
from shopscribe.reviews.aspects import clauses, find_mentions, summarise
from shopscribe.reviews.insights import InsightsConfig, build_insights
from shopscribe.reviews.lexicon import lexicon_predict
from tests.conftest import write_jsonl

REVIEWS = Path(str(resources.files("shopscribe.resources") / "sample_reviews.jsonl"))

PLANTED = [
    ("Call me on (555) 123-4567 or +1 555-987-6543 about it", ["555", "123-4567", "987-6543"], "PHONE"),
    ("联系我13812345678或者138-1234-5678", ["13812345678", "138-1234-5678"], "PHONE"),
    ("我的电话是+86 139 1234 5678。", ["139 1234 5678"], "PHONE"),
    ("座机010-12345678", ["010-12345678"], "PHONE"),
    ("write to zhang.san@qq.com or Jo.Smith@mail.example.co.uk", ["zhang.san", "Jo.Smith"], "EMAIL"),
    ("订单号：202311220001234 还没发货", ["202311220001234"], "ORDER"),
    ("最近下单号为：1442083355，少带光盘", ["1442083355"], "ORDER"),
    ("order #A7731902 arrived late; Order number 112-3456789-0123456", ["A7731902", "112-3456789"], "ORDER"),
    ("@王小明 千万别买, thanks @mike_b", ["王小明", "mike_b"], "NAME"),
]


@pytest.mark.parametrize("text,secrets,kind", PLANTED)
def test_planted_personal_data_is_masked(text, secrets, kind):
    masked, counts = mask_pii(text)
    assert all(s not in masked for s in secrets) and counts.get(kind)


@pytest.mark.parametrize("text", ["Battery lasts 10 hours, 5000 mAh, model 2023", "I paid $12.99 for 2 packs",
                                  "尺码偏小，买了2件，160cm穿M", "in order to get 3 of them", "5-6天送达"])
def test_ordinary_numbers_are_not_masked(text):
    assert mask_pii(text) == (text, {})


def test_masking_happens_on_load_and_in_the_rejects_file(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [
        {"id": "a", "text": "great, call 13812345678", "label": "pos"},
        {"id": "b", "text": "  ", "label": "negative"},
        {"id": "c", "text": "bad", "label": "meh", "title": "mail x@y.com"},
        {"id": "a", "text": "dup"},
    ])
    with pytest.raises(CatalogValidationError) as err:
        load_reviews(path)
    message = str(err.value)
    assert "r.jsonl:2 (id=b): field 'text'" in message and "r.jsonl:3 (id=c): field 'label'" in message
    assert "r.jsonl:4 (id=a): field 'id': duplicate" in message
    loaded = load_reviews(path, on_error="skip", rejects_path=tmp_path / "rej.jsonl")
    assert [r.text for r in loaded.reviews] == ["great, call [PHONE]"] and loaded.reviews[0].label == "positive"
    rejects = (tmp_path / "rej.jsonl").read_text(encoding="utf-8")
    assert len(rejects.splitlines()) == 3 and "x@y.com" not in rejects


def test_locale_is_guessed_and_labels_are_needed_to_train(tmp_path):
    path = write_jsonl(tmp_path / "r.jsonl", [{"text": "质量很好"}, {"text": "works fine"}])
    loaded = load_reviews(path)
    assert [r.locale for r in loaded.reviews] == ["zh-CN", "en"] and loaded.reviews[0].id == "row-1"
    with pytest.raises(CatalogValidationError, match="missing label"):
        load_reviews(path, need_label=True)


@pytest.fixture(scope="module")
def sentiment_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sentiment")
    result = train_sentiment(SentimentConfig(reviews=REVIEWS, out=out, encoder="e5", heldout_fraction=0),
                             log=lambda m: None)
    assert result.metrics == {}
    return out


def test_sentiment_model_separates_unseen_reviews_and_scoring_resumes(sentiment_dir, tmp_path):
    model = SentimentModel.load(sentiment_dir)
    assert model.stack is not None  # stacked with the lexicon baseline by default
    unseen = write_jsonl(tmp_path / "u.jsonl", [
        {"id": "u1", "text": "Absolutely love it, works perfectly and looks great.", "label": "positive"},
        {"id": "u2", "text": "Terrible, it broke on day two and support ignored me.", "label": "negative"},
        {"id": "u3", "text": "非常满意，质量很好，还会回购。", "label": "positive"},
        {"id": "u4", "text": "太差了，用两天就坏了，退货。", "label": "negative"},
    ])
    p = model.predict(load_reviews(unseen).reviews)
    assert p[0] > 0.5 > p[1] and p[2] > 0.5 > p[3]
    out = tmp_path / "scores.jsonl"
    first = score_reviews(sentiment_dir, unseen, out, chunk=2, log=lambda m: None)
    lines = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join(lines[:2]) + "\n" + lines[2][:10], encoding="utf-8")  # killed mid-write
    again = score_reviews(sentiment_dir, unseen, out, chunk=2, log=lambda m: None)
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert first.scored == 4 and again.skipped_done == 2 and again.scored == 2
    assert sorted(r["id"] for r in rows) == ["u1", "u2", "u3", "u4"] and again.metrics["accuracy"] == 1.0


def test_heldout_metrics_are_reported_per_category(tmp_path):
    result = train_sentiment(SentimentConfig(reviews=REVIEWS, out=tmp_path / "m", encoder="e5",
                                             heldout_fraction=0.34, seed=3), log=lambda m: None)
    held = result.metrics
    assert held["n"] > 0 and set(held["per_category"]) <= {"apparel", "electronics", "kitchen", "衣服", "手机", "洗发水"}
    assert 0 <= held["accuracy"] <= 1 and 0 <= held["macro_f1"] <= 1


def test_lexicon_baselines_read_both_languages():
    reviews = load_reviews(REVIEWS).reviews
    p = lexicon_predict([r for r in reviews if r.id in ("r-en-06", "r-en-07", "r-zh-06", "r-zh-07")])
    assert p[0] > p[1] and p[2] > p[3]


def test_clauses_split_contrasts():
    assert clauses("Great fabric, but the size runs small. Shipping was fast!", "en") == \
        ["Great fabric,", "the size runs small", "Shipping was fast"]
    assert clauses("质量不错，就是尺码偏小。", "zh-CN") == ["质量不错", "就是尺码偏小"]


def test_aspect_summary_counts_praise_and_complaints_with_quotes():
    reviews = [r for r in load_reviews(REVIEWS).reviews if r.product_id == "tee-1"]
    neg = ("small", "tight", "awful", "shrank", "never")

    def predict(texts):  # a transparent stand-in for the classifier
        import numpy as np
        return np.array([0.05 if any(w in t.lower() for w in neg) else 0.95 for t in texts])

    [tee] = summarise(reviews, find_mentions(reviews, predict))
    fit = next(a for a in tee.aspects if a.aspect == "fit")
    assert fit.negative >= 3 and fit.share_negative > 0.5 and len(fit.complaints) <= 3
    assert tee.top_complaint().aspect == "fit"
    assert any(a.aspect == "quality" and a.positive for a in tee.top_praise())


def test_insights_page_per_product_without_personal_data(sentiment_dir, tmp_path):
    result = build_insights(InsightsConfig(reviews=REVIEWS, model=sentiment_dir, out=tmp_path / "ins"),
                            log=lambda m: None)
    page = result.html_path.read_text(encoding="utf-8")
    assert {g.group for g in result.groups} == {"tee-1", "buds-2", "kettle-3", "dress-1", "phone-2", "shampoo-3"}
    assert result.masked >= 6
    for secret in ("555) 123-4567", "jo.smith@example.com", "13812345678", "202311220001234", "王小明", "mike_b",
                   "A7731902", "li.lei@163.com"):
        assert secret not in page and secret not in result.json_path.read_text(encoding="utf-8")
    assert "尺码/版型" in page and "battery" in page


def test_review_endpoints_score_mask_and_summarise(sentiment_dir, tiny_model_dir, tmp_path):
    from fastapi.testclient import TestClient

    from shopscribe.service import create_app, load_settings

    settings = load_settings(None, [f"database_url=sqlite:///{tmp_path / 's.db'}", "engine=transformers",
                                    f"models={{tiny: '{tiny_model_dir}'}}", "auth=false", "job_workers=0",
                                    f"sentiment_model={sentiment_dir}"])
    reviews = [{"text": "Great fabric and the colour is lovely, call me on 415-555-0123", "product_id": "p1"},
               {"text": "The zipper broke after two days, terrible quality", "product_id": "p1"},
               {"text": "质量很好，做工精致", "product_id": "p2"}]
    with TestClient(create_app(settings)) as c:
        scored = c.post("/v1/reviews/sentiment", json={"reviews": reviews}).json()["results"]
        assert [r["label"] for r in scored] == ["positive", "negative", "positive"]
        assert "415-555-0123" not in scored[0]["text"] and scored[0]["masked"] == {"PHONE": 1}
        groups = c.post("/v1/reviews/insights", json={"reviews": reviews}).json()["groups"]
        assert {g["group"] for g in groups} == {"p1", "p2"}
        product = {"id": "p1", "locale": "en", "title": "Denim jacket", "attributes": {"material": "cotton"},
                   "description": "A cotton denim jacket. It is the best jacket in the world."}
        rewrite = c.post("/v1/copy/optimize", json={"product": product, "reviews": reviews[:2]}).json()
        assert rewrite["before"] == product["description"] and rewrite["source"] in ("draft", "model")
        assert rewrite["insights"]["group"] == "p1" and rewrite["checks"]["violations"] == []
        assert "best jacket in the world" not in rewrite["text"]  # the superlative claim is dropped
        bad = c.post("/v1/reviews/sentiment", json={"reviews": [{"text": ""}]})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:3] == ["body", "reviews", 0]
    with TestClient(create_app(load_settings(None, [f"database_url=sqlite:///{tmp_path / 's.db'}",
                                                    "engine=transformers", f"models={{tiny: '{tiny_model_dir}'}}",
                                                    "auth=false", "job_workers=0"]))) as c:
        assert c.post("/v1/reviews/sentiment", json={"reviews": reviews}).status_code == 404
