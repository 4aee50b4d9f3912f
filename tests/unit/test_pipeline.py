"""One copy pipeline: `shopscribe generate`, POST /v1/copy/describe/batch, a catalog job and `shopscribe
batch` build it the same way (``generation.pipeline``), so the same products get the same texts and the same
guard verdicts from each (tiny random model, transformers engine; the real models: benchmarks/pipeline_parity.py)."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from shopscribe.appendlog import read_done
from shopscribe.generation import CopyOptions, EngineArgs, GenerateConfig, generate
from shopscribe.generation.pipeline import CopyModel, options_from_json
from shopscribe.quality.guard import GuardReport
from shopscribe.service import create_app, load_settings
from tests.conftest import SAMPLE, write_jsonl

MAX_CHARS = 60  # short copy: the tiny random model writes to its budget
COMPARED = ("id", "locale", "text", "length_chars", "length_status", "attempts", "guard")


def products(locale: str, n: int = 20) -> list[dict]:
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["locale"] == locale][:n]


def compared(rows) -> dict[str, dict]:
    """The fields that must agree (an HTTP result's ``length`` object read as the row's two fields)."""
    rows = [{**r, "length_chars": r["length"]["chars"], "length_status": r["length"]["status"]} if "length" in r
            else r for r in rows]
    return {r["id"]: {k: r[k] for k in COMPARED} for r in rows}


def from_generate(model, catalog, tmp_path) -> dict:
    out = tmp_path / "generate.jsonl"
    generate(GenerateConfig(model=str(model), products=catalog, out=out, engine="transformers", batch_size=20,
                            task={"name": "describe", "max_chars": MAX_CHARS}), log=lambda m: None)
    return compared(read_done(out).values())


def from_service(model, rows, tmp_path) -> tuple[dict, dict]:
    settings = load_settings(None, [f"database_url=sqlite:///{tmp_path / 'svc.db'}", "engine=transformers",
                                    f"models={{tiny: '{model}'}}", "auth=false", "max_products_per_call=20",
                                    "job_batch=20", "job_poll_s=0.2"])
    with TestClient(create_app(settings)) as client:
        answer = client.post("/v1/copy/describe/batch", json={"products": rows, "max_chars": MAX_CHARS})
        assert answer.status_code == 200, answer.text
        http = compared(answer.json()["results"])
        job = client.post("/v1/jobs", json={"task": "describe", "products": rows,
                                                  "max_chars": MAX_CHARS}).json()
        deadline = time.time() + 240
        while client.get(f"/v1/jobs/{job['id']}").json()["status"] in ("queued", "running"):
            assert time.time() < deadline, "the job did not finish"
            time.sleep(0.3)
        results = client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()
        return http, compared(json.loads(line) for line in results)


def from_batch(model, catalog, tmp_path) -> dict:
    ray = pytest.importorskip("ray")
    from shopscribe.batch import BatchConfig, run_batch

    out = tmp_path / "batch"
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        run_batch(BatchConfig(model=str(model), products=catalog, out=out, engine="transformers", shard_size=20,
                              task={"name": "describe", "max_chars": MAX_CHARS}), log=lambda m: None)
    finally:
        ray.shutdown()
    rows = [json.loads(line) for part in sorted((out / "shards").glob("*.jsonl"))
            for line in part.read_text(encoding="utf-8").splitlines()]
    return compared(rows)


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_generate_http_jobs_and_batch_write_the_same_copy_and_verdicts(tiny_model_dir, tmp_path, locale):
    rows = products(locale)
    catalog = write_jsonl(tmp_path / "catalog.jsonl", rows)
    cli = from_generate(tiny_model_dir, catalog, tmp_path)
    http, job = from_service(tiny_model_dir, rows, tmp_path)
    shards = from_batch(tiny_model_dir, catalog, tmp_path) if locale == "en" else cli  # Ray once: it is slow to start
    assert len(cli) == len(rows) and all(r["guard"] and r["guard"]["status"] in ("pass", "flagged")
                                         for r in cli.values())
    for name, other in (("POST /v1/copy/describe/batch", http), ("job", job), ("shopscribe batch", shards)):
        differ = [pid for pid in cli if cli[pid] != other.get(pid)]
        assert differ == [], f"{name} differs from generate on {differ[:3]}: {other.get(differ[0])} vs {cli[differ[0]]}"


def test_the_guard_verdict_is_one_typed_object(tiny_model_dir):
    model = CopyModel.load(str(tiny_model_dir), EngineArgs(engine="transformers"), log=lambda m: None)
    from shopscribe.catalog.loaders import record_from_dict

    record, problems = record_from_dict(products("en", 1)[0], row=1)
    assert not problems
    out = model.pipeline(CopyOptions(task={"name": "describe", "max_chars": 60})).generate([record])[0]
    assert isinstance(out.guard, GuardReport) and out.as_row("describe", "tiny")["guard"]["status"] == out.guard.status
    off = model.pipeline(CopyOptions(task={"name": "describe", "max_chars": 60}, guard=False)).generate([record])[0]
    assert off.guard is None


def test_options_are_one_type_and_stored_jobs_of_the_old_shape_still_read():
    new = CopyOptions(task={"name": "title", "tone": "short"}, keywords=["gift"])
    assert options_from_json(new.model_dump_json()) == new
    old = {"task": "describe", "tone": None, "max_chars": 80, "keywords": ["a"], "guard": True, "candidates": 3,
           "strict_compliance": True}
    read = options_from_json(old)
    assert (read.task.name, read.task.max_chars, read.keywords, read.rerank.candidates, read.decoding.strategy,
            read.strict_compliance) == ("describe", 80, ["a"], 3, "sample", True)
    assert "tone" not in read.task.model_fields_set  # unset: the run's tone applies


def test_a_run_lends_its_task_tone_and_length_only_to_its_own_task(tmp_path):
    from shopscribe.models.loading import RUN_MARKER

    run = tmp_path / "run"
    run.mkdir()
    (run / RUN_MARKER).write_text(json.dumps({"task": "title", "tone": "crisp", "max_chars": 33}), encoding="utf-8")
    model = CopyModel.describe(str(run))
    own = model.task_args(CopyOptions())
    assert (own.name, own.tone, own.max_chars) == ("title", "crisp", 33)
    other = model.task_args(CopyOptions(task={"name": "describe"}))
    assert (other.name, other.tone, other.max_chars) == ("describe", None, None)
    told = model.task_args(CopyOptions(task={"tone": "warm"}))
    assert (told.name, told.tone, told.max_chars) == ("title", "warm", 33)


def test_pipelines_are_built_once_per_options_and_the_cache_stays_bounded(tiny_model_dir, monkeypatch):
    from shopscribe.generation import pipeline as pipelines

    monkeypatch.setattr(pipelines, "CACHED_PIPELINES", 3)
    model = CopyModel.load(str(tiny_model_dir), EngineArgs(engine="transformers"), log=lambda m: None)
    first = model.pipeline(CopyOptions(keywords=["a"]))
    assert model.pipeline(CopyOptions(keywords=["a"])) is first  # same options: the same pipeline and guard
    for word in ("b", "c", "d", "e"):
        model.pipeline(CopyOptions(keywords=[word]))
    assert len(model._pipelines) == 3 and len(model._guards) == 3
    assert model.pipeline(CopyOptions(keywords=["a"])) is not first  # evicted, built again
