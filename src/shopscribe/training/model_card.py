"""Model card (README.md with YAML front matter) written next to a trained run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from shopscribe.models.sources import PACKAGED


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_model_card(out: Path, cfg, task, result, splits, metrics: dict | None = None) -> Path:
    packaged = PACKAGED.get(cfg.model)
    front = {
        "base_model": cfg.model,
        "base_model_source": packaged.pip_name if packaged else cfg.model,
        "license": packaged.license if packaged else "see base model",
        "library_name": "peft" if cfg.method == "lora" else "transformers",
        "pipeline_tag": "text-generation",
        "tags": ["shopscribe", f"task:{task.name}", cfg.method],
        "language": sorted({r.locale for r in splits["train"]}),
        "datasets": [{"file": str(cfg.data.train_file), "sha256": file_sha256(cfg.data.train_file),
                      "train_products": len(splits["train"]), "dev_products": len(splits["dev"]),
                      "test_products": len(splits["test"])}],
        "training": {"examples": result.train_examples, "steps": result.steps, "seconds": result.seconds,
                     "peak_rss_gib": result.peak_rss_gib},
        "metrics": {"train_loss": result.train_loss, "dev_loss_first": result.first_dev_loss,
                    "dev_loss_best": result.best_dev_loss, **(metrics or {})},
    }
    body = (f"# ShopScribe {task.name} model ({cfg.method})\n\n"
            f"Fine-tuned from `{cfg.model}` on `{cfg.data.train_file}` for the `{task.name}` task "
            f"(target field `{task.target_field}`).\n\n"
            f"- Generate: `shopscribe generate {out} --products PRODUCTS.jsonl --out copy.jsonl`\n"
            f"- Evaluate: `shopscribe evaluate --products {out}/data/test.jsonl --predictions copy.jsonl`\n"
            f"- Exact config: `config.yaml`; prompt templates: `templates/`; TensorBoard logs: `logs/`.\n")
    path = out / "README.md"
    path.write_text("---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body,
                    encoding="utf-8")
    return path


def add_eval_metrics(run_dir: Path, products: str, metrics: dict) -> None:
    """Record held-out evaluation metrics in the run's model card front matter."""
    path = Path(run_dir) / "README.md"
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    data = yaml.safe_load(front) or {}
    keep = ("rougeL", "rouge1", "rouge2", "bleu4", "attribute_coverage", "unsupported_number_rate",
            "contradiction_rate", "compliance_violations", "length_compliance", "products")
    data.setdefault("metrics", {})["eval"] = {"products": products,
                                              **{k: metrics[k] for k in keep if k in metrics}}
    path.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body,
                    encoding="utf-8")
