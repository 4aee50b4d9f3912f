"""Preference tuning on the CPU (issue 25, item 4): fewer bad candidates written in the first place.

1. **Sample**: for each training product, ``candidates`` texts sampled from the fine-tuned run with the guard
   off (the pipeline's best-of-n path keeps every candidate: ``rerank.candidates``).
2. **Rank** by the guard: each candidate's claims the data contradicts or does not back, compliance
   findings and text-quality findings (repeated ideas, fragments, doubled words, the wrong product type,
   empty openings) cost points; naming the values to mention and fitting the length earn them
   (``candidate_score``). The best and the worst candidate of a product make a pair when their scores
   differ by at least ``min_gap``; every pair is written with both scores and the findings behind them.
3. **Tune**: DPO (TRL's ``DPOTrainer``) continues the run's LoRA adapter on the pairs, the run itself as the
   frozen reference; the result is a new run folder beside it (same templates and data splits), which every
   front end loads like any other run.

Re-running the same command resumes: candidates already sampled are kept (``generate`` resumes), pairs are
rebuilt from them, and the DPO step starts over (minutes).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from shopscribe.catalog.record import ProductRecord
from shopscribe.errors import TrainingError
from shopscribe.models.sources import RUN_MARKER
from shopscribe.quality.guard import PublishingGuard
from shopscribe.tasks.length import fits
from shopscribe.tasks.mention import realised_mentions, wanted_mentions
from shopscribe.tasks.task import LengthPolicy
from shopscribe.training.config import PreferenceConfig

# what a finding costs a candidate (a contradicted claim is worse than an unbacked one)
COSTS = {"contradicted": 2.0, "unsupported": 1.0, "violation": 2.0, "quality": 1.0}


@dataclass
class CandidateScore:
    text: str
    score: float
    contradicted: int = 0
    unsupported: int = 0
    violations: int = 0
    quality: list[str] = field(default_factory=list)  # kinds: quality:repeat, quality:fragment…
    coverage: float = 0.0
    length_fit: bool = True


@dataclass
class PreferenceResult:
    out_dir: Path
    products: int
    candidates: int
    pairs: int
    steps: int
    seconds: float
    sample_seconds: float
    dpo_seconds: float
    mean_gap: float
    train_loss: float | None = None


def candidate_score(text: str, record: ProductRecord, guard: PublishingGuard, policy: LengthPolicy) -> CandidateScore:
    """A candidate as the guard sees it: findings cost points, covering the data and fitting the length earn."""
    verdict = guard.verdict(text, record)
    wanted = wanted_mentions(record)
    coverage = len(realised_mentions(record, text)) / len(wanted) if wanted else 1.0
    length_fit = fits(text, policy)
    quality = [q["kind"] for q in verdict.quality]
    score = (coverage + 0.5 * length_fit
             - COSTS["contradicted"] * len(verdict.contradicted) - COSTS["unsupported"] * len(verdict.unsupported)
             - COSTS["violation"] * len(verdict.violations) - COSTS["quality"] * len(quality))
    return CandidateScore(text=text, score=round(score, 3), contradicted=len(verdict.contradicted),
                          unsupported=len(verdict.unsupported), violations=len(verdict.violations),
                          quality=quality, coverage=round(coverage, 3), length_fit=length_fit)


def build_pairs(records: list[ProductRecord], candidates: dict[str, list[str]], guard: PublishingGuard,
                policies: dict[str, LengthPolicy], min_gap: float) -> list[dict]:
    """One (chosen, rejected) pair per product whose best and worst candidates differ by ``min_gap``."""
    pairs = []
    for record in records:
        texts = list(dict.fromkeys(t for t in candidates.get(record.id, []) if t.strip()))
        if len(texts) < 2:
            continue
        scored = sorted((candidate_score(t, record, guard, policies[record.id]) for t in texts),
                        key=lambda s: -s.score)
        best, worst = scored[0], scored[-1]
        if best.score - worst.score >= min_gap:
            pairs.append({"id": record.id, "chosen": best.text, "rejected": worst.text,
                          "gap": round(best.score - worst.score, 3),
                          "chosen_score": asdict(best), "rejected_score": asdict(worst)})
    return pairs


def tune_preferences(cfg: PreferenceConfig, log=print) -> PreferenceResult:
    from shopscribe.catalog import load_catalog
    from shopscribe.generation import CopyModel, GenerateConfig, generate, read_done
    from shopscribe.generation.config import CopyOptions

    started = time.time()
    run = Path(cfg.run)
    if not (run / RUN_MARKER).is_file() or not (run / "adapter" / "adapter_config.json").is_file():
        raise TrainingError(f"run {run} is not a finished LoRA run (no {RUN_MARKER} or adapter/)")
    out = prepare(cfg)
    records = load_catalog(cfg.products).records[: cfg.max_products]
    sampled = out / "candidates.jsonl"
    gen = GenerateConfig(model=str(run), products=cfg.products, out=sampled, guard=False, engine=cfg.engine,
                         **{"decoding": {"strategy": "sample", "temperature": cfg.temperature, "seed": cfg.seed},
                            "rerank": {"candidates": cfg.candidates}})
    if cfg.num_threads:
        gen = gen.model_copy(update={"num_threads": cfg.num_threads})
    limited = out / "products.jsonl"
    limited.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    gen = gen.model_copy(update={"products": limited})
    log(f"sampling {cfg.candidates} candidates for {len(records)} products (guard off) into {sampled}")
    generate(gen, log=log)
    sample_seconds = time.time() - started
    rows = read_done(sampled)
    candidates = {pid: [c["text"] for c in (row.get("rerank") or {}).get("candidates", [])] or [row["text"]]
                  for pid, row in rows.items()}
    described = CopyModel.describe(str(run))
    options = CopyOptions()
    task = described.task(options)
    guard = described.guard(options, task)
    policies = {r.id: task.length(r.locale, None) for r in records}
    pairs = build_pairs(records, candidates, guard, policies, cfg.min_gap)[: cfg.max_pairs]
    (out / "pairs.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs),
                                     encoding="utf-8")
    log(f"{len(pairs)} preference pairs from {len(rows)} products (best and worst candidate {cfg.min_gap}+ apart); "
        f"see {out / 'pairs.jsonl'}")
    if not pairs:
        raise TrainingError("no preference pairs: every product's candidates scored alike; sample more candidates "
                            "(candidates=) or lower min_gap")
    by_id = {r.id: r for r in records}
    dpo_started = time.time()
    steps, loss = run_dpo(cfg, run, out, task, [(by_id[p["id"]], p["chosen"], p["rejected"]) for p in pairs], log)
    result = PreferenceResult(out_dir=out, products=len(records), candidates=sum(len(c) for c in candidates.values()),
                              pairs=len(pairs), steps=steps, seconds=round(time.time() - started, 1),
                              sample_seconds=round(sample_seconds, 1), dpo_seconds=round(time.time() - dpo_started, 1),
                              mean_gap=round(sum(p["gap"] for p in pairs) / len(pairs), 3), train_loss=loss)
    (out / "preference_result.json").write_text(json.dumps(asdict(result), default=str, indent=2), encoding="utf-8")
    return result


def prepare(cfg: PreferenceConfig) -> Path:
    """The new run folder: the fine-tuned run's templates, config and data, without its adapter."""
    out = Path(cfg.out_dir)
    if (out / RUN_MARKER).is_file():
        if not cfg.overwrite:
            raise TrainingError(f"{out} already holds a finished run; pass overwrite=true or choose another out_dir")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    run = Path(cfg.run)
    for item in run.iterdir():
        if item.name in ("adapter", "engine", "checkpoints", "logs", RUN_MARKER) or (out / item.name).exists():
            continue
        (shutil.copytree if item.is_dir() else shutil.copy2)(item, out / item.name)
    return out


def run_dpo(cfg: PreferenceConfig, run: Path, out: Path, task, triples: list[tuple[ProductRecord, str, str]],
            log) -> tuple[int, float | None]:
    """DPO with TRL on the run's adapter (trainable), the run itself frozen as the reference."""
    import torch
    from datasets import Dataset
    from peft import PeftModel
    from transformers import set_seed
    from trl import DPOConfig, DPOTrainer

    from shopscribe.models.loading import load_causal_lm
    from shopscribe.tasks.prompt import build_prompt_text

    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    set_seed(cfg.seed)
    info = json.loads((run / RUN_MARKER).read_text(encoding="utf-8"))
    base = load_causal_lm(info["base_model"], progress=log)
    tokenizer = base.tokenizer
    model = PeftModel.from_pretrained(base.model, str(run / "adapter"), is_trainable=True)
    reference = PeftModel.from_pretrained(load_causal_lm(info["base_model"]).model, str(run / "adapter")).merge_and_unload()
    reference.eval()
    rows = [{"prompt": build_prompt_text(task, tokenizer, record, info.get("tone"), info.get("max_chars")),
             "chosen": chosen, "rejected": rejected} for record, chosen, rejected in triples]
    args = DPOConfig(output_dir=str(out / "checkpoints"), beta=cfg.beta, learning_rate=cfg.lr,
                     num_train_epochs=cfg.epochs, per_device_train_batch_size=cfg.batch_size,
                     gradient_accumulation_steps=cfg.grad_accum_steps, max_length=cfg.max_seq_len,
                     logging_steps=5, save_strategy="no", report_to=[], use_cpu=True, bf16=False,
                     seed=cfg.seed, remove_unused_columns=False)
    trainer = DPOTrainer(model=model, ref_model=reference, args=args, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer)
    output = trainer.train()
    model.save_pretrained(str(out / "adapter"), safe_serialization=True)
    tokenizer.save_pretrained(str(out / "adapter"))
    info = {**info, "preference_tuned_from": str(run), "preference": {"pairs": len(rows), "beta": cfg.beta,
                                                                      "lr": cfg.lr, "epochs": cfg.epochs}}
    (out / RUN_MARKER).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    history = [h for h in trainer.state.log_history if "loss" in h]
    log(f"DPO: {trainer.state.global_step} steps, loss {history[0]['loss'] if history else '?'} → "
        f"{history[-1]['loss'] if history else '?'}")
    return trainer.state.global_step, getattr(output, "training_loss", None)
