"""Learning from review on the tiny model: reviewed edits flow into a new version, the registry lists both
with their comparison, and promote / rollback change what the running service answers with — without a
restart."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from shopscribe.catalog.loaders import load_catalog
from shopscribe.config import load_config, read_yaml
from shopscribe.service import create_app, load_settings
from shopscribe.storage import open_database, registry
from shopscribe.storage import review as store
from shopscribe.storage.keys import create_key
from shopscribe.training import TrainConfig, train
from shopscribe.workspace.retrain import RetrainConfig, retrain
from tests.conftest import SAMPLE
from tests.unit.test_workspace import imported_job

EDIT = "编辑改写：这款衬衫简约干净。"


def tiny_run(model_dir, catalog, out):
    cfg = load_config(TrainConfig, None, [
        f"model={model_dir}", f"out_dir={out}", f"data.train_file={catalog}", "train.batch_size=4",
        "train.grad_accum_steps=1", "train.lr=3e-3", "train.eval_steps=5", "train.save_steps=5",
        "train.early_stopping_patience=null", "train.bf16=false", "data.max_seq_len=160", "lora.r=4",
        "train.max_steps=3"])
    train(cfg, log=lambda m: None)
    return out


def test_reviewed_edits_make_a_new_version_that_promote_and_rollback_switch(tiny_model_dir, sample_catalog,
                                                                              tmp_path):
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = open_database(url)
    v1_run = tiny_run(tiny_model_dir, sample_catalog, tmp_path / "v1")
    registry.register(db, "tiny", str(v1_run), "test")
    registry.promote(db, "tiny", 1, "test")
    test_ids = {r.id for r in load_catalog(v1_run / "data" / "test.jsonl").records}
    zh = [r.id for r in load_catalog(SAMPLE).records if r.locale == "zh-CN" and r.id not in test_ids][:10]
    job = imported_job(db, tiny_model_dir, zh)
    store.sync(db, job.id)
    rows, _ = store.queue(db, job.id, store.QueueFilter(sort="catalog"))
    for row in rows[:6]:
        store.approve(db, row.id, "ed", row.revision, EDIT + row.product_id)
    store.reject(db, rows[6].id, "ed", rows[6].revision, "说了两遍同一件事")

    made = retrain(db, RetrainConfig(model_id="tiny", out_dir=tmp_path / "versions", max_steps=2,
                                     engine="transformers", limit=3, actor="ed"), log=lambda m: None)
    assert made.version == 2 and made.parent == 1 and not made.promoted
    merged = (tmp_path / "versions" / "v2-review-data" / "merged_train.jsonl").read_text(encoding="utf-8")
    trained_on = [json.loads(line) for line in merged.splitlines()]
    edited = [r for r in trained_on if (r.get("description") or "").startswith(EDIT)]
    held = (tmp_path / "versions" / "v2-review-data" / "held_out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(edited) + len(held) == 6 and edited  # every edit is trained on or held out to compare
    assert sum(r["id"] == edited[0]["id"] for r in trained_on) == 1  # the edit replaced the old target
    assert len(trained_on) == 3 * len(edited)  # two old training products replayed per reviewed one
    assert json.loads((tmp_path / "versions" / "v2" / "shopscribe_run.json").read_text())["method"] == "lora"
    assert read_yaml(tmp_path / "versions" / "v2" / "config.yaml")["init_from"] == str(v1_run)  # continued
    assert read_yaml(tmp_path / "versions" / "v2" / "config.yaml")["train"]["lr"] == pytest.approx(3e-3 * 0.2)
    negatives = (tmp_path / "versions" / "v2-review-data" / "negatives.jsonl").read_text(encoding="utf-8")
    assert "说了两遍同一件事" in negatives
    report = json.loads((tmp_path / "versions" / "v2" / "comparison.json").read_text())
    assert "benchmark" in report["sets"] and report["sets"]["benchmark"]["new"]["rougeL"] is not None
    assert [(v.version, v.promoted) for v in registry.versions(db, "tiny")] == [(1, True), (2, False)]

    key = create_key(db, "gen", ["generate"])[0]
    settings = load_settings(None, [f"database_url={url}", "engine=transformers", "job_workers=0",
                                    f"models={{tiny: '{tiny_model_dir}'}}", "registry_poll_s=0.2"])
    body = {"product": {"id": "p", "locale": "zh-CN", "title": "白色衬衫", "attributes": {"颜色": "白色"}},
            "max_chars": 40}
    with TestClient(create_app(settings)) as client:
        def version() -> str:
            r = client.post("/v1/copy/describe", json=body, headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 200, r.text
            return r.json()["model_version"]

        def served(prefix: str) -> bool:
            for _ in range(100):
                if version().startswith(prefix):
                    return True
                time.sleep(0.1)
            return False

        assert version().startswith("tiny@v1:")
        registry.promote(db, "tiny", 2, "admin")
        assert served("tiny@v2:")  # switched without a restart
        registry.rollback(db, "tiny", "admin")
        assert served("tiny@v1:")
    db.close()
