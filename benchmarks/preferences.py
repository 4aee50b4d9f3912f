"""Preference tuning on describe-zh (issue 25, item 4): what DPO on guard-ranked candidates does to the raw
(guard-off) copy and to the published copy.

1. The core loop's describe-zh run (trained here if absent: 60 steps, the core-loop config).
2. ``shopscribe prefer``: 4 sampled candidates for PRODUCTS of its training products, guard off, ranked by the
   guard; best-against-worst pairs; DPO (TRL) on the run's adapter.
3. Both runs write copy for the test split, greedy, guard off and guard on. Per system: outputs with a claim the
   data contradicts or does not back, with a text-quality finding (repeat, fragment, doubled, wrong type…),
   with a compliance finding; jieba ROUGE-1/2/L, BLEU-4, character ROUGE-L, mean length, flagged.

    python benchmarks/preferences.py          # ~45 min on 2 cores (train, sample, DPO, 4 evaluations)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_loop import DATA, RESULTS, SETS, WORK  # noqa: E402

PRODUCTS = 160
PANEL = HERE.parent.parent / "shared" / "editor-panel"


def sft_run() -> Path:
    from shopscribe.config import load_config
    from shopscribe.models.sources import RUN_MARKER
    from shopscribe.training import TrainConfig, train

    run = WORK / "describe-zh" / "run"
    if not (run / RUN_MARKER).is_file():
        task, data_file, overrides = SETS["describe-zh"]
        cfg = load_config(TrainConfig, HERE.parent / "configs" / "train" / "gemma3-270m" / "benchmark_lora.yaml",
                          [f"out_dir={run}", f"data.train_file={DATA / data_file}", f"task.name={task}",
                           "overwrite=true", *overrides])
        train(cfg)
    return run


def write(run: Path, name: str, guard: bool) -> dict:
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.adgen_scores import adgen_scores
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.generation import CopyModel, GenerateConfig, generate, read_done
    from shopscribe.generation.config import CopyOptions
    from shopscribe.quality.guard import PublishingGuard  # noqa: F401 (the guard the run builds)

    products = run / "data" / "test.jsonl"
    records = load_catalog(products).records
    out = WORK / "preferences" / f"{name}-{'guard' if guard else 'raw'}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in (out, out.with_name(out.name + ".settings.json")):
        stale.unlink(missing_ok=True)
    cfg = GenerateConfig(model=str(run), products=products, out=out, guard=guard, engine="llama.cpp")
    model = CopyModel.load(str(run), cfg.engine_args(), catalog=records, log=lambda m: None)
    started = time.time()
    generate(cfg, log=lambda m: None, model=model)
    seconds = time.time() - started
    rows = read_done(out)
    texts = {pid: row["text"] for pid, row in rows.items()}
    metrics, _ = score_system(model.task(cfg), records, texts, model.task_args(cfg).max_chars)
    checker = CopyModel.describe(str(run))
    options = CopyOptions()
    guard_ = checker.guard(options, checker.task(options))
    by_id = {r.id: r for r in records}
    verdicts = {pid: guard_.verdict(text, by_id[pid]) for pid, text in texts.items()}
    n = len(texts)
    adgen = adgen_scores([texts[r.id] for r in records], [r.description or "" for r in records])
    return {
        "system": name, "guard": guard, "products": n, "generate_s": round(seconds, 1),
        "with_unbacked_claim": round(sum(bool(v.unsupported or v.contradicted) for v in verdicts.values()) / n, 3),
        "with_contradiction": round(sum(bool(v.contradicted) for v in verdicts.values()) / n, 3),
        "with_quality_finding": round(sum(bool(v.quality) for v in verdicts.values()) / n, 3),
        "with_repeat": round(sum(any(q["kind"] == "quality:repeat" for q in v.quality) for v in verdicts.values()) / n, 3),
        "with_compliance_finding": round(sum(bool(v.violations) for v in verdicts.values()) / n, 3),
        "flagged": round(sum(row.get("guard", {}) and row["guard"]["status"] == "flagged" for row in rows.values()) / n, 3)
        if guard else None,
        "mean_chars": round(sum(len(t) for t in texts.values()) / n, 1),
        "rougeL_chars": metrics["rougeL"], "adgen": adgen, "outputs": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=PRODUCTS)
    parser.add_argument("--max-pairs", type=int, default=256,
                        help="pairs DPO trains on (a step of 4 pairs took 70-140 s on 2 cores)")
    parser.add_argument("--eval-only", action="store_true", help="reuse the tuned run")
    args = parser.parse_args()
    from shopscribe.config import load_config
    from shopscribe.training.config import PreferenceConfig
    from shopscribe.preferences.tune import tune_preferences

    path = RESULTS / "preferences.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    run = sft_run()
    tuned = WORK / "preferences" / "run"
    if not args.eval_only:
        cfg = load_config(PreferenceConfig, None, [f"run={run}", f"products={run / 'data' / 'train.jsonl'}",
                                                   f"out_dir={tuned}", "overwrite=true", f"max_products={args.products}",
                                                   "num_threads=2", f"max_pairs={args.max_pairs}"])
        result = tune_preferences(cfg)
        results["tuning"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in result.__dict__.items()}
        results["settings"] = json.loads(cfg.model_dump_json())
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    results["systems"] = [write(r, name, guard) for r, name in ((run, "sft"), (tuned, "dpo")) for guard in (False, True)]
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    for s in results["systems"]:
        print(json.dumps({k: v for k, v in s.items() if k != "outputs"}))


if __name__ == "__main__":
    main()
