"""Review-loop benchmark: does what editors fix make the next model better?

For each describe development set (AdvertiseGen zh, Myntra en), the products are shuffled once and split:
an evaluation set (never reviewed, never trained on), a review pool (``rounds`` × ``per_round``) and the
rest, on which version 1 is trained with the core-loop recipe. Then, per round:

1. the promoted version writes copy (guard on) for the round's ``per_round`` pool products, imported into
   the review store as a job;
2. a simulated editor reviews it: an output the guard flags, or whose ROUGE-L against the human reference
   is below the first round's median, is edited — the human reference plays the editor's edit; the others
   are approved as written;
3. ``shopscribe retrain`` (``workspace.retrain``) makes the next version from the promoted one plus the
   reviewed copy and compares both on the evaluation set; the new version is promoted.

Reported for versions 1, 2, 3 on the evaluation set: ROUGE-L, attribute coverage, the share of outputs with
an unsupported or contradicted claim left in the text, the share the guard flags, and the share an editor
would still have to edit (flagged, or ROUGE-L below the first round's median).

    python benchmarks/review_loop.py                 # both sets (about 80 min on 2 cores)
    python benchmarks/review_loop.py --only zh       # one set
    python benchmarks/review_loop.py --table         # the table from benchmarks/results/review_loop.json

REVIEW_LOOP_KEEP_V1=1 reuses a finished version 1 of an earlier run (same data, same recipe) instead of
training it again; REVIEW_LOOP_EDITS_ONLY=1 retrains on edits only (not on copy approved as written).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import time

from common import cli
from core_loop import DATA, HERE, SETS, WORK

LOOP_SETS = {"zh": "describe-zh", "en": "describe-en"}
EVAL, PER_ROUND, ROUNDS = 64, 64, 2
EN_TRAIN_PART = 800  # Myntra has 6,196 products: v1's recipe keeps 600 (data.max_train_examples)
KEEP_V1 = os.environ.get("REVIEW_LOOP_KEEP_V1") == "1"
TRAIN_ON_APPROVED = os.environ.get("REVIEW_LOOP_EDITS_ONLY") != "1"


def run_set(name: str) -> dict:
    from shopscribe.catalog.loaders import load_catalog, write_jsonl
    from shopscribe.config import load_config
    from shopscribe.storage import open_database, registry
    from shopscribe.training import TrainConfig, train

    task, data_file, overrides = SETS[LOOP_SETS[name]]
    work = WORK / f"review-loop-{name}"
    keep = KEEP_V1 and (work / "v1" / "shopscribe_run.json").is_file()
    for old in work.iterdir() if work.is_dir() else []:
        if not (keep and old.name in ("v1", "train_part.jsonl", "eval.jsonl")):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    work.mkdir(parents=True, exist_ok=True)
    records = load_catalog(DATA / data_file).records
    random.Random(0).shuffle(records)
    evaluation, pool, rest = records[:EVAL], records[EVAL:EVAL + ROUNDS * PER_ROUND], records[EVAL + ROUNDS * PER_ROUND:]
    rest = rest[:EN_TRAIN_PART] if name == "en" else rest
    for part, rows in (("eval", evaluation), ("train_part", rest)):
        write_jsonl(rows, work / f"{part}.jsonl")
    started = time.time()
    cfg = load_config(TrainConfig, HERE.parent / "configs" / "train" / "gemma3-270m" / "benchmark_lora.yaml",
                      [f"out_dir={work / 'v1'}", f"data.train_file={work / 'train_part.jsonl'}",
                       f"task.name={task}", "overwrite=true", *overrides])
    if not keep:
        train(cfg)
    timings = {"train_v1_s": round(time.time() - started, 1) if not keep else "reused"}
    db = open_database(f"sqlite:///{work / 'review.db'}")
    registry.register(db, "describe", str(work / "v1"), "benchmark")
    registry.promote(db, "describe", 1, "benchmark")
    versions, rounds, median = {}, [], None
    for r in range(ROUNDS):
        current = registry.promoted(db, "describe")
        products = pool[r * PER_ROUND:(r + 1) * PER_ROUND]
        started = time.time()
        job, scored = _write_and_import(db, current, products, work / f"round{r + 1}", task)
        median = median if median is not None else statistics.median(s for _, s in scored)
        edits = _simulated_review(db, job.id, products, scored, median)
        timings[f"round{r + 1}_write_s"] = round(time.time() - started, 1)
        started = time.time()
        made = _retrain(db, work)
        timings[f"round{r + 1}_retrain_s"] = round(time.time() - started, 1)
        registry.promote(db, "describe", made.version, "benchmark")
        rounds.append({"round": r + 1, "from_version": current.version, "to_version": made.version,
                       "products": len(products), "edited": edits, "approved_as_written": len(products) - edits,
                       "review_data": made.report["review_data"], "no_worse": made.report["better_or_equal"]})
        comparison = made.path + "/comparison/benchmark"
        versions.setdefault(current.version, _version_scores(comparison + "/old", median))
        versions[made.version] = _version_scores(comparison + "/new", median)
    db.close()
    from shopscribe.workspace.retrain import RetrainConfig

    recipe = {k: RetrainConfig.model_fields[k].default for k in ("continue_lr_scale", "replay")}
    return {"set": name, "data": data_file, "engine": "llama.cpp, one sequence at a time (isolate=True)",
            "train_on_approved": TRAIN_ON_APPROVED, "retrain": {**recipe, "epochs": 1.0},
            "eval_products": len(evaluation),
            "rounds": rounds,
            "first_round_median_rougeL": median, "versions": {f"v{k}": v for k, v in sorted(versions.items())},
            "seconds": timings}


def _write_and_import(db, version, products, folder, task):
    """The version's copy (guard on) for ``products``, imported as a job; (row, ROUGE-L) per product."""
    from shopscribe.appendlog import read_done
    from shopscribe.catalog.loaders import write_jsonl
    from shopscribe.evaluation.metrics import rouge
    from shopscribe.generation.config import GenerateConfig
    from shopscribe.generation.generate import generate
    from shopscribe.storage.jobs import create_done_job

    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(products, folder / "products.jsonl")
    generate(GenerateConfig(model=version.path, products=folder / "products.jsonl", out=folder / "copy.jsonl",
                            guard=True))
    rows = read_done(folder / "copy.jsonl")
    items = [(p, {**rows[p.id], "model": f"describe@v{version.version}"}) for p in products]
    job = create_done_job(db, task=task, model="describe", options={}, source=str(folder / "copy.jsonl"),
                          items=items, created_by="benchmark")
    scored = [(rows[p.id], rouge(rows[p.id]["text"], [p.description])["rougeL"]) for p in products]
    return job, scored


def _simulated_review(db, job_id, products, scored, median) -> int:
    """Edit (to the human reference) what is flagged or scores below the first round's median; approve the
    rest as written. Returns how many were edited."""
    from shopscribe.storage import review as store

    store.sync(db, job_id)
    reference = {p.id: p.description for p in products}
    score = {row["id"]: s for row, s in scored}
    edited = 0
    for view in store.queue(db, job_id, store.QueueFilter(sort="catalog"), limit=10_000)[0]:
        if view.guard_status == "flagged" or score[view.product_id] < median:
            store.approve(db, view.id, "editor", view.revision, reference[view.product_id])
            edited += 1
        else:
            store.approve(db, view.id, "editor", view.revision)
    return edited


def _retrain(db, work):
    from shopscribe.workspace.retrain import RetrainConfig, retrain

    return retrain(db, RetrainConfig(model_id="describe", out_dir=work / "versions",
                                     benchmark=work / "eval.jsonl", epochs=1.0, actor="benchmark",
                                     train_on_approved=TRAIN_ON_APPROVED))


def _version_scores(folder: str, median: float) -> dict:
    """A version's copy of the evaluation set (written by retrain's comparison): the metrics and the shares
    an editor cares about."""
    from pathlib import Path

    report = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
    metrics = report["systems"]["fine_tuned"]
    rouge_of = {e["id"]: e["rouge_l"] for e in report["examples"]["fine_tuned"]}
    rows = [json.loads(line) for line in (Path(folder) / "outputs" / "fine_tuned.guarded.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    n = len(rows)
    guard = [row.get("guard") or {} for row in rows]
    flagged = [g.get("status") == "flagged" for g in guard]
    unsupported = [bool(g.get("unsupported") or g.get("contradicted")) for g in guard]
    to_edit = [f or (rouge_of.get(row["id"]) or 0) < median for f, row in zip(flagged, rows)]
    return {"products": n, "rougeL": metrics["rougeL"], "attribute_coverage": metrics["attribute_coverage"],
            "with_unsupported_claim": sum(unsupported) / n, "flagged": sum(flagged) / n,
            "still_to_edit": sum(to_edit) / n, "mean_chars": metrics["mean_chars"]}


def table(results: dict) -> str:
    lines = ["| set | version | ROUGE-L | attribute coverage | with unsupported claim | flagged | still to edit |",
             "|---|---|---|---|---|---|---|"]
    for name, res in results.items():
        for version, s in res["versions"].items():
            lines.append(f"| {name} | {version} | {s['rougeL']:.3f} | {s['attribute_coverage']:.3f} | "
                         f"{s['with_unsupported_claim']:.1%} | {s['flagged']:.1%} | {s['still_to_edit']:.1%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    cli(__doc__, "review_loop", list(LOOP_SETS), run_set, table)
