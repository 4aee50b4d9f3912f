"""`shopscribe quickstart`: the whole loop offline on the default model.

prepare the packaged model -> train LoRA on the sample catalog -> generate copy
for held-out products with the template baseline, the zero-shot base model and
the fine-tuned model — its copy as the guard would publish it, its raw copy beside
it — -> report (JSON + HTML). Re-running resumes where it stopped.
"""

from __future__ import annotations

import shutil
import time
from importlib import resources
from pathlib import Path

import typer

from shopscribe.cli.common import BatchProgress, console, handle_errors, log, progress_bar
from shopscribe.cli.evaluate import print_systems
from shopscribe.config import load_config
from shopscribe.evaluation import EvaluateConfig, evaluate
from shopscribe.models.sources import DEFAULT_MODEL, RUN_MARKER, resolve_model
from shopscribe.training import TrainConfig, train

RESOURCES = resources.files("shopscribe.resources")


@handle_errors
def quickstart_command(
    out_dir: Path = typer.Option(Path("out/quickstart"), "--out-dir", help="Where the run and report go."),
    model: str = typer.Option(DEFAULT_MODEL, "--model", help="Base model (packaged name, .gguf, folder)."),
    catalog: Path = typer.Option(None, "--catalog", help="Catalog to use instead of the packaged sample."),
    limit: int = typer.Option(None, "--limit", min=1, help="Evaluate on the first N held-out products only."),
    overrides: list[str] = typer.Argument(None, help="TrainConfig key=value overrides, e.g. train.max_steps=10"),
) -> None:
    """Run the whole loop offline on the embedded default model and leave a report behind."""
    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    data = out_dir / "catalog.jsonl"
    shutil.copy(catalog or Path(str(RESOURCES / "sample_catalog.jsonl")), data)
    log(f"step 1/3: preparing model {model}")
    resolve_model(model, progress=log)
    run_dir = out_dir / "run"
    if (run_dir / RUN_MARKER).is_file():
        log(f"step 2/3: {run_dir} already trained, reusing it")
    else:
        log("step 2/3: fine-tuning (LoRA) on the sample catalog")
        cfg = load_config(TrainConfig, Path(str(RESOURCES / "quickstart.yaml")),
                          [f"model={model}", f"out_dir={run_dir}", f"data.train_file={data}", *(overrides or [])])
        train(cfg, log=log)
    log("step 3/3: template baseline vs zero-shot base model vs fine-tuned, on held-out products; the fine-tuned "
        "copy as it would be published (guard on), its raw copy beside it")
    with progress_bar() as bar:
        result = evaluate(EvaluateConfig(out_dir=out_dir / "eval", run=run_dir, guard=True, raw_beside=True,
                                         guard_systems=["fine_tuned"], limit=limit),
                          log=log, on_batch=BatchProgress(bar))
    print_systems(result.systems)
    console.print(f"[green]quickstart finished in {(time.time() - started) / 60:.1f} min[/green]; "
                  f"report: {result.report_html}")
