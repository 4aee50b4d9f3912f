"""`shopscribe train`: fine-tune a causal LM on a catalog task (LoRA or full).

setup (out dir, data, model) -> Trainer.train (resuming from the last complete
checkpoint) -> save adapter/model, tokenizer, config, templates, model card.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from shopscribe.catalog.loaders import load_catalog, write_jsonl
from shopscribe.catalog.record import ProductRecord
from shopscribe.catalog.split import split_records
from shopscribe.config import dump_config
from shopscribe.errors import TrainingError
from shopscribe.models.loading import load_causal_lm
from shopscribe.models.sources import PACKAGED, RUN_MARKER
from shopscribe.tasks.mention import realised_mentions, wanted_mentions
from shopscribe.tasks.task import Task, load_task
from shopscribe.training.checkpoints import last_complete_checkpoint
from shopscribe.training.config import TrainConfig
from shopscribe.training.data import PadCollator, encode_examples
from shopscribe.quality.families import learn_families
from shopscribe.training.faithful import (DETAIL_SHARE_AUTO, cut_unfaithful_clauses, invented_detail_share,
                                          keep_faithful_targets)
from shopscribe.training.prose import SPEC_SHARE_AUTO, prose_targets, spec_string_share
from shopscribe.training.model_card import write_model_card

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@dataclass
class TrainResult:
    out_dir: Path
    train_examples: int
    dev_examples: int
    steps: int
    train_loss: float | None
    best_dev_loss: float | None
    first_dev_loss: float | None
    seconds: float
    peak_rss_gib: float
    resumed_from: str | None
    truncated_targets: int


def train(cfg: TrainConfig, log=print) -> TrainResult:
    import torch
    from transformers import set_seed

    started = time.time()
    if cfg.train.num_threads:
        torch.set_num_threads(cfg.train.num_threads)
    set_seed(cfg.train.seed)
    out = prepare_out_dir(cfg)
    kept = out / "templates"
    resuming = (kept / "tasks.yaml").is_file()
    if resuming:  # train on exactly the templates the run began with
        task = load_task(cfg.task.name, kept)
    else:
        task = load_task(cfg.task.name, cfg.task.template_dir)
        save_templates(task, out)
    splits = load_splits(cfg, task, out, log)
    if not resuming and prose_targets_on(cfg, task):  # the model names the data's values itself: no boost
        task = decode_without_mention_boost(out / "templates", task.name, "en")
    log(f"loading base model {cfg.model}")
    loaded = load_causal_lm(cfg.model, progress=log)
    tokenizer = loaded.tokenizer
    model = wrap_model(loaded.model, cfg)
    enc = dict(max_seq_len=cfg.data.max_seq_len, tone=cfg.task.tone, max_chars=cfg.task.max_chars)
    train_ex, stats = encode_examples(splits["train"], task, tokenizer, all_references=cfg.data.all_references, **enc)
    dev_ex, _ = encode_examples(splits["dev"][: cfg.data.max_dev_examples], task, tokenizer,
                                all_references=False, **enc)
    if not train_ex:
        raise TrainingError(f"no training examples: no row of {cfg.data.train_file} has a '{task.target_field}'")
    log(f"{len(train_ex)} training examples ({stats.truncated} targets cut to data.max_seq_len="
        f"{cfg.data.max_seq_len}), {len(dev_ex)} dev examples")
    trainer = build_trainer(cfg, model, tokenizer, train_ex, dev_ex, out)
    resume = last_complete_checkpoint(out / "checkpoints")
    if resume:
        log(f"resuming from {resume}")
    output = trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    save_run(cfg, trainer, tokenizer, task, out)
    result = summarise(cfg, trainer, output, out, started, resume, len(train_ex), len(dev_ex), stats.truncated)
    write_model_card(out, cfg, task, result, splits)
    (out / "train_result.json").write_text(json.dumps(asdict(result), default=str, indent=2), encoding="utf-8")
    return result


def prepare_out_dir(cfg: TrainConfig) -> Path:
    out = cfg.out_dir
    finished = (out / RUN_MARKER).is_file()
    if finished and not cfg.overwrite:
        raise TrainingError(f"{out} already holds a finished run; pass overwrite=true or choose another out_dir")
    if finished and cfg.overwrite:
        shutil.rmtree(out)
    saved = out / "config.yaml"
    if saved.is_file() and not finished:
        from shopscribe.config import read_yaml

        previous = read_yaml(saved)
        if previous != json.loads(cfg.model_dump_json()):
            if not cfg.overwrite:
                raise TrainingError(f"{out} holds an unfinished run with a different config; resume it with the "
                                    f"same config ({saved}), or pass overwrite=true to start again")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    dump_config(cfg, out / "config.yaml")
    return out


def write_dropped(path: Path, rows: list[dict]) -> int:
    """List the products whose references were filtered; returns how many were left with none."""
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return sum(1 for row in rows if not row["references_kept"])


def maybe_clean_clauses(cfg: TrainConfig, task: Task, splits: dict[str, list[ProductRecord]], out: Path,
                        log) -> None:
    """Clause-level target cleaning of train and dev (``data.clean_clauses``); the measured share is kept."""
    if cfg.data.clean_clauses == "off":
        return
    families = learn_families(splits["train"] + splits["dev"])
    share = invented_detail_share(splits["train"], task, families)
    on = cfg.data.clean_clauses == "on" or share >= DETAIL_SHARE_AUTO
    (out / "clean_clauses.json").write_text(json.dumps({"invented_detail_share": round(share, 4), "on": on,
                                                        "setting": cfg.data.clean_clauses}), encoding="utf-8")
    log(f"clause cleaning {'on' if on else 'off'} ({cfg.data.clean_clauses}): {share:.0%} of the training "
        f"references state a detail their product data does not hold")
    if not on:
        return
    for name in ("train", "dev"):
        cleaned = cut_unfaithful_clauses(splits[name], task, families)
        splits[name] = cleaned.records
        lost = write_dropped(out / f"clauses_cut.{name}.jsonl", cleaned.dropped)
        log(f"clause cleaning: {len(cleaned.dropped)} {name} product(s) had clauses cut ({lost} left with "
            f"nothing, not trained on); see clauses_cut.{name}.jsonl")


def load_splits(cfg: TrainConfig, task: Task, out: Path, log) -> dict[str, list[ProductRecord]]:
    """Load train (and dev) catalogs, split leak-free, and write the splits into the run folder."""
    common = dict(on_error=cfg.data.on_error, required_fields=task.required_fields)
    loaded = load_catalog(cfg.data.train_file, rejects_path=out / "rejects.train.jsonl", **common)
    if loaded.problems:
        log(f"skipped {len(loaded.problems)} bad row(s) of {cfg.data.train_file}; see {loaded.rejects_path}")
    if cfg.data.dev_file:
        dev = load_catalog(cfg.data.dev_file, rejects_path=out / "rejects.dev.jsonl", **common).records
        splits = {"train": loaded.records, "dev": dev, "test": []}
    else:
        splits = split_records(loaded.records, dev_fraction=cfg.data.dev_fraction,
                               test_fraction=cfg.data.test_fraction, seed=cfg.data.split_seed)
    prose = prose_targets_on(cfg, task, loaded.records)
    if prose:
        for name in ("train", "dev"):
            splits[name], stats = prose_targets(splits[name], target_field=task.target_field, seed=cfg.data.split_seed)
            (out / f"prose_targets.{name}.json").write_text(json.dumps(
                {"rewritten": stats.rewritten, "thin": stats.thin, "kept_as_prose": stats.kept_prose,
                 "examples": stats.examples}, ensure_ascii=False, indent=1), encoding="utf-8")
            log(f"prose targets: {stats.rewritten} {name} product(s) given two-to-four-sentence targets with their "
                f"details moved into the data ({stats.thin} kept thin; {stats.kept_prose} already prose); "
                f"see prose_targets.{name}.json")
    if cfg.data.faithful_targets:
        for name in ("train", "dev"):
            faithful = keep_faithful_targets(splits[name], task)
            splits[name] = faithful.records
            lost = write_dropped(out / f"unfaithful.{name}.jsonl", faithful.dropped)
            log(f"faithful targets: {len(faithful.dropped)} {name} product(s) had references stating numbers their "
                f"data does not hold ({lost} left with none, not trained on); see unfaithful.{name}.jsonl")
    if not prose:  # prose targets are backed by their data by construction
        maybe_clean_clauses(cfg, task, splits, out, log)
    if cfg.data.max_train_examples:
        if cfg.data.select == "coverage":
            splits["train"] = sorted(splits["train"], key=lambda r: -mention_coverage(r, task))
        splits["train"] = splits["train"][: cfg.data.max_train_examples]
    (out / "data").mkdir(exist_ok=True)
    for name, records in splits.items():
        write_jsonl(records, out / "data" / f"{name}.jsonl")
    log(f"split: {len(splits['train'])} train / {len(splits['dev'])} dev / {len(splits['test'])} test products "
        f"(written to {out / 'data'})")
    return splits


def mention_coverage(record: ProductRecord, task: Task) -> float:
    """Share of the values to mention that the record's best human reference names (0 if none)."""
    wanted = wanted_mentions(record)
    refs = task.references(record)
    if not wanted or not refs:
        return 0.0
    return max(len(realised_mentions(record, ref)) for ref in refs) / len(wanted)


def wrap_model(model, cfg: TrainConfig):
    if cfg.method == "full":
        return model
    from peft import LoraConfig, PeftModel, get_peft_model

    if cfg.init_from is not None:  # continued fine-tuning: the earlier run's adapter, trainable
        adapter = Path(cfg.init_from) / "adapter"
        if not (adapter / "adapter_config.json").is_file():
            raise TrainingError(f"init_from {cfg.init_from} is not a finished LoRA run (no adapter/adapter_config.json)")
        return PeftModel.from_pretrained(model, str(adapter), is_trainable=True)

    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [t for t in cfg.lora.target_modules if t in names]
    if not targets:
        raise TrainingError(f"lora.target_modules {cfg.lora.target_modules} match no module of {cfg.model}; "
                            f"module names include {sorted(names)[:20]}")
    lora = LoraConfig(r=cfg.lora.r, lora_alpha=cfg.lora.alpha, lora_dropout=cfg.lora.dropout,
                      target_modules=targets, task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


def cpu_supports_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def build_trainer(cfg: TrainConfig, model, tokenizer, train_ex, dev_ex, out: Path):
    from torch.utils.tensorboard import SummaryWriter
    from transformers import EarlyStoppingCallback, TrainingArguments
    from transformers.integrations import TensorBoardCallback

    from shopscribe.training.trainer import TargetOnlyTrainer

    t = cfg.train
    has_dev = bool(dev_ex)
    bf16 = cpu_supports_bf16() if t.bf16 == "auto" else bool(t.bf16)
    args = TrainingArguments(
        output_dir=str(out / "checkpoints"), num_train_epochs=t.epochs, max_steps=t.max_steps or -1,
        per_device_train_batch_size=t.batch_size, per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.grad_accum_steps, learning_rate=t.lr, weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio, lr_scheduler_type="linear", optim="adamw_torch",
        logging_steps=t.logging_steps, save_strategy="steps", save_steps=t.save_steps, save_total_limit=2,
        eval_strategy="steps" if has_dev else "no", eval_steps=t.eval_steps,
        load_best_model_at_end=has_dev and bool(t.early_stopping_patience),
        metric_for_best_model="eval_loss", greater_is_better=False,
        bf16=bf16, use_cpu=True, seed=t.seed, data_seed=t.seed, report_to="none",
        dataloader_num_workers=0, remove_unused_columns=False, disable_tqdm=False,
    )
    callbacks = [TensorBoardCallback(tb_writer=SummaryWriter(str(out / "logs")))]
    if has_dev and t.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=t.early_stopping_patience))
    return TargetOnlyTrainer(model=model, args=args, train_dataset=train_ex, eval_dataset=dev_ex or None,
                             data_collator=PadCollator(tokenizer.pad_token_id), callbacks=callbacks,
                             processing_class=tokenizer)


def save_templates(task: Task, out: Path) -> None:
    """Keep the exact prompt templates the run trains with (generation reuses them)."""
    templates = out / "templates"
    if templates.resolve() == task.source_dir.resolve():
        return
    shutil.rmtree(templates, ignore_errors=True)
    templates.mkdir()
    shutil.copy(task.source_dir / "tasks.yaml", templates / "tasks.yaml")
    for path in task.source_dir.glob(f"{task.name}.*.txt"):
        shutil.copy(path, templates / path.name)


def prose_targets_on(cfg: TrainConfig, task: Task, train_records: list[ProductRecord] | None = None) -> bool:
    """``data.prose_targets``: on, off, or (auto) on for a describe run whose training file's English references
    are mostly spec strings; measured once, when the training file is loaded, and kept in the run folder
    (``prose_targets.json``)."""
    if cfg.data.prose_targets != "auto" or task.name != "describe":
        return cfg.data.prose_targets == "on" and task.name == "describe"
    marker = cfg.out_dir / "prose_targets.json"
    if marker.is_file():
        return json.loads(marker.read_text(encoding="utf-8"))["on"]
    share = spec_string_share(train_records or [], task.target_field)
    marker.write_text(json.dumps({"spec_string_share": round(share, 4), "on": share >= SPEC_SHARE_AUTO}), encoding="utf-8")
    return share >= SPEC_SHARE_AUTO


def decode_without_mention_boost(templates: Path, task_name: str, locale: str) -> Task:
    """Set the run's Mention-line boost for ``locale`` to 0. A prose-target run writes the values it should
    name in its own sentences; the boost (9 for en, chosen for clause-cut runs) pushed them in wherever a
    value was still missing ("brings you women pink floral print maxi dress"): benchmarks/english_prose.py."""
    import yaml

    path = templates / "tasks.yaml"
    tasks = yaml.safe_load(path.read_text(encoding="utf-8"))
    tasks[task_name].setdefault("mention_boost", {})[locale] = 0.0
    path.write_text(yaml.safe_dump(tasks, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_task(task_name, templates)


def save_run(cfg: TrainConfig, trainer, tokenizer, task: Task, out: Path) -> None:
    target = out / ("adapter" if cfg.method == "lora" else "model")
    trainer.model.save_pretrained(str(target), safe_serialization=True)
    tokenizer.save_pretrained(str(target))
    info = {"base_model": cfg.model, "method": cfg.method, "task": cfg.task.name,
            "tone": cfg.task.tone, "max_chars": cfg.task.max_chars,
            "license": PACKAGED[cfg.model].license if cfg.model in PACKAGED else None}
    (out / RUN_MARKER).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")


def summarise(cfg, trainer, output, out, started, resume, n_train, n_dev, truncated) -> TrainResult:
    import resource

    history = trainer.state.log_history
    dev_losses = [h["eval_loss"] for h in history if "eval_loss" in h]
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return TrainResult(out_dir=out, train_examples=n_train, dev_examples=n_dev, steps=trainer.state.global_step,
                       train_loss=getattr(output, "training_loss", None),
                       best_dev_loss=min(dev_losses) if dev_losses else None,
                       first_dev_loss=dev_losses[0] if dev_losses else None,
                       seconds=round(time.time() - started, 1), peak_rss_gib=round(peak_kib / 2**20, 2),
                       resumed_from=str(resume) if resume else None, truncated_targets=truncated)

