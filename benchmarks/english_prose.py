"""English descriptions from thin data (issue 25, items 3 and 7): the two training recipes side by side.

- ``cut``: the core loop's describe-en recipe — Myntra's spec-string references with the clauses the data
  does not back cut away (``data.clean_clauses=auto``), numbers the data lacks left out;
- ``prose``: ``data.prose_targets=true`` — each reference rewritten as two to four sentences (what it is,
  the details it states, how to wear or use it) with those details moved into the product's data.

Same split, same 600 examples (``select=coverage``), same 60 steps, same products written (the first
PRODUCTS of the held-out test split, guard on, llama.cpp). Reported per recipe: the task's length
bounds, sentences per text, how much of the text is the title's own words, ROUGE-L against the human copy,
claims the checker finds unsupported in published text, flagged outputs, training time. An editor sheet
(``--sheet``) shuffles both with the human reference for a blind rating (../shared/editor-panel).

    python benchmarks/english_prose.py                  # both recipes, ~45 min on 2 cores
    python benchmarks/english_prose.py --only prose     # one recipe
    python benchmarks/english_prose.py --generate-only _final   # the trained runs, today's code
    python benchmarks/english_prose.py --sheet _final   # the rating sheet from those outputs
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from core_loop import DATA, RESULTS, SETS, WORK  # noqa: E402

RECIPES = {
    "cut": ["data.prose_targets=off"],
    "prose": ["data.prose_targets=on"],
}
PRODUCTS = 60
SHEET_PRODUCTS = 30
PANEL = HERE.parent.parent / "shared" / "editor-panel"


def train_recipe(name: str) -> dict:
    from shopscribe.config import load_config
    from shopscribe.training import TrainConfig, train

    task, data_file, overrides = SETS["describe-en"]
    out = WORK / "english-prose" / name
    cfg = load_config(TrainConfig, HERE.parent / "configs" / "train" / "gemma3-270m" / "benchmark_lora.yaml",
                      [f"out_dir={out / 'run'}", f"data.train_file={DATA / data_file}", f"task.name={task}",
                       "overwrite=true", *overrides, *RECIPES[name]])
    trained = train(cfg)
    return {"examples": trained.train_examples, "steps": trained.steps, "seconds": trained.seconds,
            "dev_loss_first": trained.first_dev_loss, "dev_loss_best": trained.best_dev_loss}


def run_recipe(name: str, train_stats: dict, suffix: str = "", offset: int = 0) -> dict:
    """Write copy for the first PRODUCTS test products with the recipe's run (guard on) and score it."""
    from shopscribe.catalog import load_catalog
    from shopscribe.evaluation.metrics import score_system
    from shopscribe.generation import CopyModel, GenerateConfig, generate, read_done

    out = WORK / "english-prose" / name
    run = out / "run"
    records = load_catalog(run / "data" / "test.jsonl").records[offset:offset + PRODUCTS]
    products = out / f"products{suffix}.jsonl"
    products.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    outputs = out / f"outputs{suffix}.jsonl"
    for stale in (outputs, outputs.with_name(outputs.name + ".settings.json")):
        stale.unlink(missing_ok=True)
    gen = GenerateConfig(model=str(run), products=products, out=outputs, guard=True, engine="llama.cpp")
    model = CopyModel.load(str(run), gen.engine_args(), catalog=records, log=lambda m: None)
    started = time.time()
    generate(gen, log=lambda m: None, model=model)
    seconds = time.time() - started
    rows = read_done(outputs)
    texts = {pid: row["text"] for pid, row in rows.items()}
    task_obj = model.task(gen)
    metrics, _ = score_system(task_obj, records, texts, model.task_args(gen).max_chars)
    bounds = task_obj.length("en", None)
    by_id = {r.id: r for r in records}
    sentences = [len(split_sentences(t)) for t in texts.values()]
    title_share = [own_words_share(t, by_id[pid]) for pid, t in texts.items()]
    # the model wrote a claim the data does not back: the guard cut it, rewrote it or flagged it (text-quality
    # fixes also fill before_cut: they are not claims)
    def unbacked(guard: dict) -> bool:
        cut = (guard.get("before_cut") or {}).get("findings", [])
        return bool(guard["unsupported"] or guard["contradicted"] or guard.get("rewritten")
                    or any(f.get("status") in ("unsupported", "contradicted") for f in cut))

    wrote_unbacked = sum(unbacked(row["guard"]) for row in rows.values())
    quality_fixed = sum(any(str(f.get("kind", "")).startswith("quality:")
                            for f in (row["guard"].get("before_cut") or {}).get("findings", [])) for row in rows.values())
    n = len(texts)
    return {
        "recipe": name, "overrides": RECIPES[name], "products": n,
        "train": train_stats, "mention_boost_en": model.task(gen).mention_boost.get("en"),
        "generate_s": round(seconds, 1),
        "rougeL": metrics["rougeL"], "attribute_coverage": metrics["attribute_coverage"],
        "within_length_bounds": round(sum(bounds.min_chars <= len(t) <= bounds.max_chars for t in texts.values()) / n, 3),
        "median_chars": sorted(len(t) for t in texts.values())[n // 2],
        "two_to_four_sentences": round(sum(2 <= s <= 4 for s in sentences) / n, 3),
        "mostly_title_words": round(sum(s >= 0.8 for s in title_share) / n, 3),
        "flagged": round(sum(row["guard"]["status"] == "flagged" for row in rows.values()) / n, 3),
        "model_wrote_unbacked_claim": round(wrote_unbacked / n, 3),
        "quality_fixed_by_guard": round(quality_fixed / n, 3),
        "cut_by_guard": round(sum(bool(row["guard"].get("dropped_clauses")) for row in rows.values()) / n, 3),
        "outputs": str(outputs),
    }


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])", text.strip()) if s.strip()]


def own_words_share(text: str, record) -> float:
    """Share of the text's words that are the title's, the brand's or an attribute's own words."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    own = set(re.findall(r"[a-z0-9]+", " ".join([record.title or "", record.brand or "",
                                                   *(v for vs in record.attributes.values() for v in vs)]).lower()))
    return sum(w in own for w in words) / max(len(words), 1)


def write_sheet(suffix: str) -> None:
    """The editor panel's sheet: both recipes and the human reference, shuffled per product."""
    base = WORK / "english-prose"
    products = next(base / name / f"products{suffix}.jsonl" for name in RECIPES
                    if (base / name / f"products{suffix}.jsonl").is_file())
    human = base / f"human{suffix}.jsonl"
    with human.open("w", encoding="utf-8") as f:
        for line in products.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            f.write(json.dumps({"id": row["id"], "text": row.get("description") or ""}, ensure_ascii=False) + "\n")
    sheet_products = base / f"sheet_products{suffix}.jsonl"
    with sheet_products.open("w", encoding="utf-8") as f:  # the rater sees the data the model saw, not the copy
        for line in products.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row.pop("description", None)
            row.pop("references", None)
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    systems = [f"{name}={base / name / f'outputs{suffix}.jsonl'}" for name in RECIPES
               if (base / name / f"outputs{suffix}.jsonl").is_file()]
    subprocess.run([sys.executable, str(PANEL / "build_sheet.py"), str(sheet_products), str(SHEET_PRODUCTS),
                    *systems, f"human={human}"], check=True, cwd=base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=list(RECIPES))
    parser.add_argument("--sheet", metavar="SUFFIX", nargs="?", const="", default=None,
                        help="write the editor sheet from the outputs (of --generate-only SUFFIX)")
    parser.add_argument("--offset", type=int, default=0, help="write copy for test products OFFSET.. (a fresh set)")
    parser.add_argument("--generate-only", metavar="SUFFIX",
                        help="reuse the trained runs: write and score the copy again with today's code (a prose run "
                             "decodes without the Mention boost, as a new prose run does); results keyed NAME+SUFFIX")
    args = parser.parse_args()
    if args.sheet is not None:
        write_sheet(args.sheet)
        return
    path = RESULTS / "english_prose.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for name in [args.only] if args.only else list(RECIPES):
        if args.generate_only:
            from shopscribe.training.train import decode_without_mention_boost

            run = WORK / "english-prose" / name / "run"
            if name.startswith("prose"):
                decode_without_mention_boost(run / "templates", "describe", "en")
            key = name + args.generate_only
            results[key] = run_recipe(name, results[name]["train"], suffix=args.generate_only, offset=args.offset)
            results[key]["test_products_from"] = args.offset
        else:
            key = name
            results[key] = run_recipe(name, train_recipe(name))
        path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        print(json.dumps({k: v for k, v in results[key].items() if k != "outputs"}, indent=1))


if __name__ == "__main__":
    main()
