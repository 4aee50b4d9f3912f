"""The review workspace without a browser: the review store on SQLite and PostgreSQL (drafts, approvals,
rejections, conflicts between reviewers, bulk approve, every action audited with before and after), the
model registry, the export formats, reviewed copy as training data, and the /ui pages and calls over HTTP
(login, scopes, other teams' jobs, the live check)."""

from __future__ import annotations

import csv
import io
import json
import pathlib
import re
import time

import pytest
from fastapi.testclient import TestClient

from shopscribe.catalog.loaders import load_catalog
from shopscribe.catalog.shop_export import FORMATS, ApprovedCopy, export_lines
from shopscribe.errors import StorageError
from shopscribe.generation.config import CopyOptions
from shopscribe.generation.pipeline import CopyModel
from shopscribe.service import create_app, load_settings
from shopscribe.storage import audit, open_database, registry
from shopscribe.storage import review as store
from shopscribe.storage.jobs import create_done_job
from shopscribe.storage.keys import create_key
from shopscribe.workspace.imports import checked_results
from shopscribe.workspace.learning import review_data
from tests.conftest import SAMPLE
from tests.unit.test_storage import database_url  # noqa: F401 (fixture: SQLite and PostgreSQL)

UI = {"X-ShopScribe-UI": "1"}


def imported_job(db, model_dir, ids: list[str], edits: dict[str, str] | None = None, owner="ed", team="shop"):
    """A finished job of sample products whose copy is their own description (``edits`` replaces some),
    each checked by the guard of the tiny model's folder."""
    records = {r.id: r for r in load_catalog(SAMPLE).records}
    chosen = [records[i] for i in ids]
    texts = {r.id: (edits or {}).get(r.id, r.description) for r in chosen}
    model = CopyModel.describe(str(model_dir))
    options = CopyOptions()
    items = checked_results(chosen, texts, model.guard(options, model.task(options)), "describe", "tiny@v1")
    return create_done_job(db, task="describe", model="tiny", options=options.model_dump(mode="json"),
                           source="test", items=items, created_by=owner, team=team)


ZH = ["sample-zh-001", "sample-zh-007", "sample-zh-013", "sample-zh-019"]  # pass, pass, flagged, pass


def test_reviews_never_overwrite_silently_and_every_action_is_audited(database_url, tiny_model_dir):
    db = open_database(database_url)
    job = imported_job(db, tiny_model_dir, ZH, {"sample-zh-001": "这款黑色连衣裙"})
    assert store.sync(db, job.id) == 4 and store.sync(db, job.id) == 0
    rows, total = store.queue(db, job.id, store.QueueFilter())
    assert total == 4 and [r.guard_status for r in rows][:2] == ["flagged", "flagged"]  # flagged first
    first = rows[0]
    draft = store.save_draft(db, first.id, "ann", "ann's edit", first.revision)
    with pytest.raises(store.Conflict) as conflict:  # bob started from the same revision: told, not overwritten
        store.save_draft(db, first.id, "bob", "bob's edit", first.revision)
    assert conflict.value.current.current_text == "ann's edit" and conflict.value.current.reviewer == "ann"
    approved = store.approve(db, first.id, "ann", draft.revision, "ann's final text")
    assert approved.state == "approved" and approved.edited and approved.draft is None
    with pytest.raises(store.Conflict):
        store.reject(db, first.id, "bob", draft.revision, "too long")
    with pytest.raises(StorageError, match="reason"):
        store.reject(db, rows[1].id, "bob", rows[1].revision, "  ")
    store.reject(db, rows[1].id, "bob", rows[1].revision, "names the wrong fabric")
    ids = store.bulk_approvable(db, job.id, store.QueueFilter())
    assert len(ids) == 2 and store.bulk_approve(db, job.id, "cid", ids) == 2
    assert store.bulk_approve(db, job.id, "cid", ids) == 0  # approving twice changes nothing
    assert store.facets(db, job.id)["state"] == {"approved": 3, "rejected": 1}
    log = [e for e in audit.entries(db, 50) if e["action"].startswith("review.")]
    assert [e["action"] for e in reversed(log)] == ["review.draft", "review.approve", "review.reject",
                                                   "review.bulk_approve", "review.bulk_approve"]
    approve = next(e for e in log if e["action"] == "review.approve")
    assert approve["actor"] == "ann" and approve["detail"]["before"]["draft"] == "ann's edit"
    assert approve["detail"]["after"]["text"] == "ann's final text"
    assert [h["action"] for h in store.history(db, first.id)] == ["review.approve", "review.draft"]
    found, n = store.queue(db, job.id, store.QueueFilter(q="final text"))
    assert n == 1 and found[0].id == first.id
    db.close()


def test_reviewed_copy_becomes_training_data_and_negatives(database_url, tiny_model_dir):
    db = open_database(database_url)
    job = imported_job(db, tiny_model_dir, ZH)
    store.sync(db, job.id)
    rows, _ = store.queue(db, job.id, store.QueueFilter(sort="catalog"))
    store.approve(db, rows[0].id, "ann", 0, "编辑改过的文案")
    store.approve(db, rows[1].id, "ann", 0)
    store.reject(db, rows[2].id, "ann", 0, "重复")
    data = review_data(store.reviewed(db), "description", share=0.0)
    assert data.summary() == {"train": 2, "held_out": 0, "negatives": 1, "approved": 2, "edited": 1, "rejected": 1}
    assert {r.id: r.description for r in data.train}[rows[0].product_id] == "编辑改过的文案"
    assert data.negatives[0]["reason"] == "重复" and data.negatives[0]["text"] == rows[2].written
    edits_only = review_data(store.reviewed(db), "description", share=0.0, train_on_approved=False)
    assert [r.description for r in edits_only.train] == ["编辑改过的文案"]  # approvals as written teach nothing
    everything_held_out = review_data(store.reviewed(db), "description", share=1.0)
    # only the edit is held out to compare versions on (an approval as written is the old version's own text)
    assert [r.description for r in everything_held_out.held_out] == ["编辑改过的文案"]
    assert [r.id for r in everything_held_out.train] == [rows[1].product_id]
    db.close()


def test_registry_promotes_and_rolls_back(database_url):
    db = open_database(database_url)
    assert registry.promoted(db, "m") is None
    with pytest.raises(StorageError, match="never promoted"):
        registry.rollback(db, "m", "ann")
    v1 = registry.register(db, "m", "/runs/a", "ann")
    v2 = registry.register(db, "m", "/runs/b", "ann", parent=1, report={"sets": {}})
    assert (v1.version, v2.version) == (1, 2)
    registry.promote(db, "m", 1, "ann")
    registry.promote(db, "m", 2, "ann")
    assert registry.promoted(db, "m").path == "/runs/b"
    assert registry.rollback(db, "m", "bob").version == 1 and registry.promoted(db, "m").version == 1
    assert [v.promoted for v in registry.versions(db, "m")] == [True, False]
    with pytest.raises(StorageError, match="no version 9"):
        registry.promote(db, "m", 9, "ann")
    db.close()


def test_exports_are_what_shops_import():
    rows = [ApprovedCopy("p-1", "describe", 'Soft "cotton" tee.\nMachine wash.', "en", True, "ann", "m@v2"),
            ApprovedCopy("p-2", "describe", "=HYPERLINK(evil)", "en", False, None, "m@v1")]
    out = {f: "".join(export_lines(rows, f)) for f in FORMATS}
    assert [json.loads(line)["id"] for line in out["jsonl"].splitlines()] == ["p-1", "p-2"]
    plain = list(csv.DictReader(io.StringIO(out["csv"])))
    assert plain[0]["text"] == 'Soft "cotton" tee.\nMachine wash.' and plain[1]["text"] == "'=HYPERLINK(evil)"
    shopify = list(csv.DictReader(io.StringIO(out["shopify"])))
    assert shopify[0] == {"Handle": "p-1", "Body (HTML)": "<p>Soft &quot;cotton&quot; tee.</p><p>Machine wash.</p>"}
    lines = out["merchant"].splitlines()
    assert lines[0] == "id\tstructured_description"
    assert lines[1] == "p-1\ttrained_algorithmic_media:\"Soft 'cotton' tee. Machine wash.\""
    with pytest.raises(ValueError, match="format"):
        list(export_lines(rows, "xml"))


@pytest.fixture
def ui(tiny_model_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = open_database(url)
    keys = {"ed": create_key(db, "ed", ["review"], team="shop")[0],
            "gen": create_key(db, "gen", ["generate"])[0],
            "other": create_key(db, "other", ["review"], team="elsewhere")[0]}
    job = imported_job(db, tiny_model_dir, ZH, {"sample-zh-001": "这款黑色连衣裙采用纯棉面料。"})
    db.close()
    settings = load_settings(None, [f"database_url={url}", "engine=transformers", "job_workers=0",
                                    f"models={{tiny: '{tiny_model_dir}'}}", f"registry_dir={tmp_path / 'versions'}"])
    with TestClient(create_app(settings)) as client:
        yield client, keys, job


def login(client, secret):
    r = client.post("/ui/login", data={"key": secret, "next": "/ui"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r


def test_pages_need_a_review_key_and_show_only_the_team_s_jobs(ui):
    client, keys, job = ui
    r = client.get(f"/ui/jobs/{job.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/login?next=/ui/jobs/")
    assert client.post("/ui/api/reviews/1/check", json={"text": "x"}).status_code == 401
    assert client.post("/ui/login", data={"key": "ss-wrong"}).status_code == 401
    assert client.post("/ui/login", data={"key": keys["gen"]}).status_code == 403  # no review scope
    login(client, keys["other"])
    assert client.get(f"/ui/jobs/{job.id}").status_code == 404  # another team's job: as if there were none
    assert job.id[:8] not in client.get("/ui").text
    login(client, keys["ed"])
    assert client.post(f"/ui/login", data={"key": keys["ed"], "next": "https://evil.example"},
                       follow_redirects=False).headers["location"] == "/ui"
    queue = client.get(f"/ui/jobs/{job.id}?guard_status=flagged")
    assert queue.status_code == 200 and 'data-testid="row-sample-zh-001"' in queue.text
    assert 'data-testid="row-sample-zh-007"' not in queue.text
    review_id = re.search(r"/ui/reviews/(\d+)", queue.text).group(1)
    page = client.get(f"/ui/reviews/{review_id}")
    assert '<mark class="contradicted"' in page.text and 'id="attr-颜色"' in page.text
    assert client.post(f"/ui/api/reviews/{review_id}/check", json={"text": "x"}).status_code == 403  # no UI header


def test_live_check_and_a_conflicting_save_over_http(ui):
    client, keys, job = ui
    login(client, keys["ed"])
    review_id = re.search(r"/ui/reviews/(\d+)", client.get(f"/ui/jobs/{job.id}?guard_status=flagged").text).group(1)
    bad = client.post(f"/ui/api/reviews/{review_id}/check", json={"text": "这款黑色连衣裙采用纯棉面料。"}, headers=UI)
    assert bad.json()["status"] == "flagged"
    contradicted = [c for c in bad.json()["claims"] if c["status"] == "contradicted"]
    assert contradicted and contradicted[0]["attribute"] == "颜色"
    record = {r.id: r for r in load_catalog(SAMPLE).records}["sample-zh-001"]
    good = client.post(f"/ui/api/reviews/{review_id}/check", json={"text": record.description}, headers=UI)
    assert good.json()["status"] == "pass"
    saved = client.post(f"/ui/api/reviews/{review_id}/draft", json={"revision": 0, "text": "甲"}, headers=UI)
    assert saved.status_code == 200 and saved.json()["revision"] == 1
    late = client.post(f"/ui/api/reviews/{review_id}/approve", json={"revision": 0, "text": "乙"}, headers=UI)
    assert late.status_code == 409 and late.json()["current"]["text"] == "甲"
    done = client.post(f"/ui/api/reviews/{review_id}/approve", json={"revision": 1, "text": record.description},
                       headers=UI)
    assert done.status_code == 200 and done.json()["state"] == "approved"
    export = client.get(f"/ui/api/jobs/{job.id}/export?format=jsonl")
    assert [json.loads(line)["text"] for line in export.text.splitlines()] == [record.description]


def test_import_and_export_from_the_command_line(tiny_model_dir, tmp_path):
    from typer.testing import CliRunner

    from shopscribe.cli.app import app

    url = f"sqlite:///{tmp_path / 'svc.db'}"
    records = {r.id: r for r in load_catalog(SAMPLE).records}
    copy = tmp_path / "copy.jsonl"
    copy.write_text("".join(json.dumps({"id": i, "text": records[i].description}, ensure_ascii=False) + "\n"
                            for i in ZH), encoding="utf-8")
    runner = CliRunner()
    env = {"SHOPSCRIBE_MODELS": json.dumps({"tiny": str(tiny_model_dir)})}
    made = runner.invoke(app, ["jobs", "import", str(copy), "--products", str(SAMPLE), "--database-url", url,
                               "--owner", "ann"], env=env)
    assert made.exit_code == 0, made.output
    job_id = re.search(r"job (\w{32})", made.output).group(1)
    assert "4 product(s), 1 flagged" in made.output
    stray = tmp_path / "stray.jsonl"
    stray.write_text(json.dumps({"id": "no-such-product", "text": "x"}) + "\n", encoding="utf-8")
    refused = runner.invoke(app, ["jobs", "import", str(stray), "--products", str(SAMPLE), "--database-url", url],
                            env=env)
    assert refused.exit_code != 0 and "no-such-product" in refused.output
    db = open_database(url)
    store.sync(db, job_id)
    for view in store.queue(db, job_id, store.QueueFilter(state="pending"))[0][:2]:
        store.approve(db, view.id, "ann", view.revision)
    db.close()
    out = tmp_path / "feed.tsv"
    exported = runner.invoke(app, ["export", job_id, "--format", "merchant", "-o", str(out), "--database-url", url])
    assert exported.exit_code == 0, exported.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(line.split("\t")[1].startswith('trained_algorithmic_media:"') for line in lines[1:])


def test_the_retrain_button_is_for_admins_and_runs_the_command(ui, tmp_path):
    client, keys, job = ui
    db = open_database(str(client.app.state.settings.database_url))
    admin = create_key(db, "boss", ["admin"])[0]
    db.close()
    login(client, keys["ed"])
    assert client.post("/ui/api/retrain/tiny", headers=UI).status_code == 403
    login(client, admin)
    started = client.post("/ui/api/retrain/tiny", headers=UI)
    assert started.status_code == 200, started.text
    log = pathlib.Path(started.json()["log"])
    for _ in range(600):  # the command runs in its own process; tiny has no promoted version to start from
        if "no promoted version" in log.read_text():
            break
        time.sleep(0.1)
    assert "no promoted version" in log.read_text()
    assert any(e["action"] == "model.retrain" for e in audit.entries(client.app.state.db, 20))


def test_workspace_calls_count_against_the_key_s_rate(tiny_model_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'svc.db'}"
    db = open_database(url)
    slow = create_key(db, "slow", ["review"], rate_per_minute=3)[0]
    job = imported_job(db, tiny_model_dir, ZH[:1], owner="slow", team=None)
    store.sync(db, job.id)
    review_id = store.queue(db, job.id, store.QueueFilter())[0][0].id
    db.close()
    settings = load_settings(None, [f"database_url={url}", "engine=transformers", "job_workers=0",
                                    f"models={{tiny: '{tiny_model_dir}'}}"])
    with TestClient(create_app(settings)) as client:
        login(client, slow)
        codes = [client.post(f"/ui/api/reviews/{review_id}/check", json={"text": "白色"}, headers=UI).status_code
                 for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_regenerate_writes_another_draft_with_the_job_s_model(ui):
    client, keys, job = ui
    login(client, keys["ed"])
    review_id = int(re.search(r"/ui/reviews/(\d+)", client.get(f"/ui/jobs/{job.id}").text).group(1))
    too_many = client.post(f"/ui/api/reviews/{review_id}/regenerate", json={"revision": 0, "candidates": 99},
                           headers=UI)
    assert too_many.status_code == 422
    again = client.post(f"/ui/api/reviews/{review_id}/regenerate",
                        json={"revision": 0, "candidates": 2, "tone": "friendly"}, headers=UI)
    assert again.status_code == 200, again.text
    assert again.json()["state"] == "pending" and again.json()["revision"] == 1
    db = client.app.state.db
    view = store.get(db, review_id)
    assert view.model_version.startswith("tiny@") and view.result["rerank"] is not None  # best of 2
    assert audit.entries(db, 1)[0]["action"] == "review.regenerate"
