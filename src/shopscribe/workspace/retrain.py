"""``shopscribe retrain``: a new model version from the promoted one plus what reviewers approved and
corrected, compared with it before anyone promotes it.

The new version is trained with the current version's own recipe (its ``config.yaml``). A LoRA run
continues from the current version's adapter (``TrainConfig.init_from``) on the reviewed products mixed
with a sample of its old training products (``replay`` per reviewed product, so it does not forget what it
knew), for ``epochs`` passes; a fully fine-tuned run is trained again from the base model on its whole
training split with the reviewed products added. Either way an edited text is the product's target and a
reviewed product replaces the same product in the old data. Both versions then write copy (guard on) for the
reviewed products held out from training and for the benchmark products (the current run's test split,
unless others are given); ROUGE-L, attribute coverage and the share of outputs with an invented detail are
written to ``comparison.json`` in the new run and kept in the registry."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import Field

from shopscribe.catalog.loaders import load_catalog, write_jsonl
from shopscribe.config import BaseConfig, read_yaml
from shopscribe.errors import ConfigError
from shopscribe.evaluation.config import EvaluateConfig
from shopscribe.evaluation.evaluate import evaluate
from shopscribe.storage import registry
from shopscribe.storage import review as reviews
from shopscribe.storage.database import Database
from shopscribe.tasks import load_task
from shopscribe.training import TrainConfig, train
from shopscribe.training.config import TrainArgs
from shopscribe.workspace.learning import review_data, write_review_data

COMPARED = ("rougeL", "attribute_coverage", "outputs_with_invented_detail", "unsupported_claim_rate",
            "length_compliance")


class RetrainConfig(BaseConfig):
    model_id: str = Field(description="The served model id to retrain (its promoted version is the start).")
    out_dir: Path = Field(description="Where the new version's run folder (v<N>) is written.")
    jobs: list[str] = Field(default_factory=list, description="Review only these jobs' products (default: all).")
    benchmark: Path | None = Field(None, description="Benchmark products (default: the current run's test split).")
    max_steps: int | None = Field(None, gt=0, description="Training steps (default: `epochs` passes).")
    epochs: float = Field(2.0, gt=0, description="Passes over the new training data when max_steps is not set.")
    train_on_approved: bool = Field(True, description="Train on copy approved as written too, not only on edits "
                                    "(measured better on the review loop: docs/workspace.md).")
    lr: float | None = Field(None, gt=0, description="Peak learning rate (default: the recipe's, times "
                             "`continue_lr_scale` when a LoRA run continues from its adapter).")
    continue_lr_scale: float = Field(0.2, gt=0, le=1, description="A continued LoRA run's share of the recipe's "
                                     "learning rate: the adapter is already trained, a few steps at the first "
                                     "run's peak rate move it away from what it knew (docs/workspace.md).")
    replay: float = Field(2.0, ge=0, description="Old training products mixed in per reviewed product when "
                          "continuing a LoRA run.")
    limit: int | None = Field(None, gt=0, description="Compare on at most this many products per set.")
    engine: Literal["auto", "llama.cpp", "transformers"] = "auto"
    promote: bool = Field(False, description="Promote the new version when it is at least as good as the old "
                          "on ROUGE-L and no worse on invented details, on both sets.")
    actor: str = Field("cli", description="Who retrains (the audit log's actor).")


def retrain(db: Database, cfg: RetrainConfig, log: Callable[[str], None] = print) -> registry.VersionView:
    current = registry.promoted(db, cfg.model_id)
    if current is None:
        raise ConfigError(f"model '{cfg.model_id}' has no promoted version: register its run first "
                          "(shopscribe models register)")
    old_run = Path(current.path)
    recipe = read_yaml(old_run / "config.yaml")
    task = load_task(recipe.get("task", {}).get("name", "describe"))
    data = review_data(reviews.reviewed(db, cfg.jobs or None), task.target_field,
                       train_on_approved=cfg.train_on_approved)
    if not data.train:
        raise ConfigError(f"no reviewed products to learn from ({data.summary()}): approve or edit some first")
    version = max(v.version for v in registry.versions(db, cfg.model_id)) + 1
    out = cfg.out_dir / f"v{version}"
    files = write_review_data(data, out.parent / f"v{version}-review-data")
    log(f"review data: {data.summary()} -> {files['train'].parent}")
    lora = recipe.get("method", "lora") == "lora"
    replay = round(cfg.replay * len(data.train)) if lora else None
    train_file = _merged_train_file(old_run, data.train, files["train"].parent / "merged_train.jsonl", replay)
    # scaled once: a version that was itself continued already has the continued rate in its recipe
    lr = cfg.lr or _recipe_lr(recipe) * (cfg.continue_lr_scale if lora and not recipe.get("init_from") else 1.0)
    recipe = {**recipe, "out_dir": str(out), "overwrite": True, "init_from": str(old_run) if lora else None,
              "data": {**recipe["data"], "train_file": str(train_file), "dev_file": str(old_run / "data" / "dev.jsonl")},
              "train": {**recipe.get("train", {}), "max_steps": cfg.max_steps, "epochs": cfg.epochs, "lr": lr}}
    log(f"training v{version} {'from v%d' % current.version if lora else 'again'} with {cfg.model_id} "
        f"v{current.version}'s recipe (peak learning rate {lr:g}) on {train_file}")
    train(TrainConfig.model_validate(recipe), log=log)
    sets = {"review_held_out": files["held_out"] if data.held_out else None,
            "benchmark": cfg.benchmark or _test_split(old_run)}
    report = {"review_data": data.summary(), "from_version": current.version, "version": version, "sets": {}}
    for name, products in sets.items():
        if products is None:
            continue
        report["sets"][name] = {"products": str(products),
                                "old": _scores(old_run, products, out / "comparison" / name / "old", cfg, log),
                                "new": _scores(out, products, out / "comparison" / name / "new", cfg, log)}
    report["better_or_equal"] = _no_worse(report["sets"])
    (out / "comparison.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    made = registry.register(db, cfg.model_id, str(out), cfg.actor, parent=current.version, report=report)
    log(f"registered {cfg.model_id} v{made.version}; comparison: {out / 'comparison.json'}")
    if cfg.promote and report["better_or_equal"]:
        made = registry.promote(db, cfg.model_id, made.version, cfg.actor)
        log(f"promoted v{made.version}")
    return made


def _recipe_lr(recipe: dict) -> float:
    return float(recipe.get("train", {}).get("lr") or TrainArgs().lr)


def _merged_train_file(old_run: Path, reviewed: list, path: Path, replay: int | None) -> Path:
    """The reviewed products with the current run's training products (``replay`` of them, a fixed sample;
    None: all), a reviewed product in place of the same old one."""
    ids = {r.id for r in reviewed}
    old = [r for r in load_catalog(old_run / "data" / "train.jsonl").records if r.id not in ids]
    if replay is not None and replay < len(old):
        old = random.Random(0).sample(old, replay)
    write_jsonl(old + list(reviewed), path)
    return path


def _test_split(run: Path) -> Path | None:
    path = run / "data" / "test.jsonl"
    return path if path.is_file() and path.stat().st_size else None


def _scores(run: Path, products: Path, out: Path, cfg: RetrainConfig, log) -> dict:
    result = evaluate(EvaluateConfig(out_dir=out, run=run, products=products, systems=["fine_tuned"], guard=True,
                                     engine=cfg.engine, limit=cfg.limit), log=log)
    metrics = result.systems["fine_tuned"]
    return {k: metrics.get(k) for k in COMPARED}


def _no_worse(sets: dict) -> bool:
    for scores in sets.values():
        old, new = scores["old"], scores["new"]
        if (new["rougeL"] or 0) < (old["rougeL"] or 0):
            return False
        if (new["outputs_with_invented_detail"] or 0) > (old["outputs_with_invented_detail"] or 0):
            return False
    return True
