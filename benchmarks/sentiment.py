"""Review-sentiment benchmark: the embedding classifiers against the lexicon baselines
(SnowNLP for Chinese, VADER for English) on reviews held out by product (or, without a
product id, by text), overall and per category.

    python benchmarks/sentiment.py            # both sets, ~30 min on 2 cores
    python benchmarks/sentiment.py --table

zh-online-shopping: the classifier trains on a random 6,000 of the training side and is
tested on up to 200 held-out reviews per category; en-amazon-blitzer: all of both sides.
Classifiers read the first 1,200 characters of a review (head and tail); the lexicon
baselines read all of it.
Embeddings are cached under $SHOPSCRIBE_BENCH_WORK/sentiment.
"""

from __future__ import annotations

import random
import time

import numpy as np

from common import cli, load_results
from core_loop import DATA, WORK

SETS = {"zh-online-shopping": ("sentiment/zh-online-shopping.dev.jsonl", 6000, 200),
        "en-amazon-blitzer": ("sentiment/en-amazon-blitzer.dev.jsonl", None, None)}
ENCODERS = ["e5", "use"]
MAX_CHARS = 1200  # SentimentConfig.max_chars: characters of each review the classifiers read
SYSTEMS = ["lexicon", "e5", "use", "e5+use", "e5+use+lexicon"]
STACKED = "e5+use+lexicon"  # the default classifier: e5+use head stacked with the lexicon score


def split(name: str):
    """The benchmark's train and test reviews for one set (fixed seeds)."""
    from shopscribe.reviews import load_reviews
    from shopscribe.reviews.sentiment import heldout_split

    file, max_train, test_per_category = SETS[name]
    train, test = heldout_split(load_reviews(DATA / file, need_label=True).reviews, 0.2, seed=0)
    rng = random.Random(0)
    if max_train and len(train) > max_train:
        train = rng.sample(train, max_train)
    if test_per_category:
        by_cat: dict[str, list] = {}
        for r in test:
            by_cat.setdefault(r.category, []).append(r)
        test = [r for rows in by_cat.values() for r in (rows if len(rows) <= test_per_category
                                                        else rng.sample(rows, test_per_category))]
    return train, test


def run_set(name: str) -> dict:
    from shopscribe.embeddings import load_encoder
    from shopscribe.linear import LinearHead
    from shopscribe.reviews.lexicon import lexicon_predict
    from shopscribe.reviews.sentiment import SentimentModel, classification_metrics, clip, fit_stack

    train, test = split(name)
    previous = load_results("sentiment").get(name, {})  # cached features keep the timing of the run that made them
    cache = WORK / "sentiment" / name
    cache.mkdir(parents=True, exist_ok=True)
    features, seconds = {}, {}
    for enc in ENCODERS:
        started = time.time()
        features[enc] = {side: _cached(cache / f"{enc}.{side}.npy", lambda rows=rows: load_encoder(enc).encode(
            [clip(r.full_text, MAX_CHARS) for r in rows])) for side, rows in (("train", train), ("test", test))}
        seconds[enc] = round(time.time() - started)
        if seconds[enc] < 5 and enc in previous.get("embed_seconds", {}):
            seconds[enc] = previous["embed_seconds"][enc]
    y = np.array([r.label == "positive" for r in train], dtype=int)
    started = time.time()
    lexicon_test = _cached(cache / "lexicon.test.npy", lambda: lexicon_predict(test))
    out = {"train_reviews": len(train), "test_reviews": len(test), "embed_seconds": seconds,
           "systems": {"lexicon": classification_metrics(test, lexicon_test)}}
    out["lexicon_seconds"] = round(time.time() - started)
    if out["lexicon_seconds"] < 5 and "lexicon_seconds" in previous:
        out["lexicon_seconds"] = previous["lexicon_seconds"]
    for system in SYSTEMS[1:]:
        parts = [p for p in system.split("+") if p in ENCODERS]
        x_train = np.hstack([features[p]["train"] for p in parts])
        x_test = np.hstack([features[p]["test"] for p in parts])
        head = LinearHead.fit(x_train, y, "+".join(parts), c=None)  # regularisation by cross-validation on train
        out.setdefault("chosen_c", {})[system] = head.info["c"]
        p_test = head.proba(x_test)
        if system == STACKED:
            model = SentimentModel(head, fit_stack(x_train, y, head, _cached(cache / "lexicon.train.npy",
                                                                            lambda: lexicon_predict(train))))
            p_test = model.stacked(p_test, lexicon_test)
        out["systems"][system] = classification_metrics(test, p_test)
    return out


def _cached(path, compute):
    if path.is_file():
        return np.load(path)
    x = compute()
    np.save(path, x)
    return x


def table(results: dict) -> str:
    lines = ["| set | category | n | lexicon acc / F1 | e5 acc / F1 | USE acc / F1 | e5+USE acc / F1 | "
             "e5+USE+lexicon (default) acc / F1 | default − lexicon (acc / F1 points) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        s = r["systems"]
        for cat in ["(all)"] + sorted(s["lexicon"]["per_category"]):
            row = {k: (v if cat == "(all)" else v["per_category"][cat]) for k, v in s.items()}
            cells = " | ".join(f"{row[k]['accuracy']:.3f} / {row[k]['macro_f1']:.3f}" for k in SYSTEMS)
            gain = (f"{100 * (row[STACKED]['accuracy'] - row['lexicon']['accuracy']):+.1f} / "
                    f"{100 * (row[STACKED]['macro_f1'] - row['lexicon']['macro_f1']):+.1f}")
            lines.append(f"| {name} | {cat} | {row['lexicon']['n']} | {cells} | {gain} |")
    return "\n".join(lines)


def main() -> None:
    cli(__doc__, "sentiment", list(SETS), run_set, table)


if __name__ == "__main__":
    main()
