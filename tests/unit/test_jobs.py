"""Catalog jobs on a tiny model: uploads with rejects, paths confined to the data folder, results as JSONL and
CSV, cancel; worker processes killed mid-job lose and duplicate nothing (SQLite, and two workers sharing
PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from shopscribe.service import create_app, load_settings
from shopscribe.storage import open_database
from shopscribe.storage import jobs as store
from tests.unit.test_storage import database_url, postgres_url  # noqa: F401 (fixture: SQLite and PostgreSQL)

PRODUCT = {"id": "sku-1", "locale": "en", "title": "Navy slim fit jeans", "brand": "Roadster",
           "attributes": {"gender": "Men", "primary_color": "Blue"}}


def settings(tiny_model_dir, url: str, data_dir: Path, *more: str):
    return load_settings(None, [f"database_url={url}", "engine=transformers", f"models={{tiny: '{tiny_model_dir}'}}",
                                "auth=false", f"data_dir={data_dir}", "job_batch=4", "job_poll_s=0.2", *more])


def wait_for(client, job_id: str, seconds: float = 240) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_jobs_from_an_upload_a_data_file_or_inline_products(tiny_model_dir, tmp_path, database_url):
    data = tmp_path / "data"
    data.mkdir()
    (data / "shop.jsonl").write_text("".join(json.dumps({**PRODUCT, "id": f"f{i}"}) + "\n" for i in range(5)))
    cfg = settings(tiny_model_dir, database_url, data)
    with TestClient(create_app(cfg)) as c:
        upload = c.post("/v1/jobs", files={"file": ("cat.csv", b"id,locale,title,brand\nu1,en,=HYPERLINK(1),Acme\n"
                                                               b"u2,xx,Shirt,Acme\nu3,en,Shirt,Acme\n")},
                        data={"options": json.dumps({"task": "title"})})
        assert upload.status_code == 202, upload.text
        assert upload.json()["total"] == 2 and upload.json()["rejected"] == 1
        rejects = c.get(f"/v1/jobs/{upload.json()['id']}/rejects").json()
        assert rejects == [{"row": 2, "field": "locale", "product_id": "u2",
                            "reason": "unknown locale 'xx'; use one of ['en', 'zh-CN']"}]
        from_file = c.post("/v1/jobs", json={"task": "title", "path": "shop.jsonl"})
        inline = c.post("/v1/jobs", json={"task": "title", "products": [PRODUCT]})
        for created, total in ((upload, 2), (from_file, 5), (inline, 1)):
            job = wait_for(c, created.json()["id"])
            assert job["status"] == "done" and job["done"] == total
        rows = [json.loads(l) for l in c.get(f"/v1/jobs/{from_file.json()['id']}/results").text.splitlines()]
        assert [r["id"] for r in rows] == [f"f{i}" for i in range(5)] and all(r["guard"] for r in rows)
        table = c.get(f"/v1/jobs/{upload.json()['id']}/results", params={"format": "csv"}).text
        assert table.splitlines()[0].startswith("id,locale,text") and len(table.splitlines()) == 3
        listed = c.get("/v1/jobs").json()
        assert {j["id"] for j in listed} == {upload.json()["id"], from_file.json()["id"], inline.json()["id"]}


def test_server_side_paths_stay_in_the_data_folder(tiny_model_dir, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret.jsonl").write_text(json.dumps(PRODUCT) + "\n")
    os.symlink(tmp_path / "secret.jsonl", data / "link.jsonl")
    cfg = settings(tiny_model_dir, f"sqlite:///{tmp_path / 'j.db'}", data, "job_workers=0")
    with TestClient(create_app(cfg)) as c:
        for path in ("../secret.jsonl", str(tmp_path / "secret.jsonl"), "link.jsonl", "nope.jsonl"):
            r = c.post("/v1/jobs", json={"path": path})
            assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "path"], (path, r.text)
        bad = c.post("/v1/jobs", files={"file": ("cat.exe", b"x")})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "file"]
        none = c.post("/v1/jobs", json={"products": [{"id": "x", "locale": "xx"}]})
        assert none.status_code == 422 and none.json()["detail"]["rejects"][0]["field"] == "locale"
        job = c.post("/v1/jobs", json={"products": [PRODUCT]}).json()
        assert f'shopscribe_job_products{{job="{job["id"]}",state="todo"}} 1.0' in c.get("/metrics").text
        assert c.post(f"/v1/jobs/{job['id']}/cancel").json()["status"] == "cancelled"
        assert job["id"] not in c.get("/metrics").text  # finished jobs leave the gauge
        assert c.get("/v1/jobs/nope").status_code == 404


def start_worker(cfg, tmp_path: Path, name: str) -> subprocess.Popen:
    path = tmp_path / f"{name}.json"
    path.write_text(cfg.model_dump_json())
    return subprocess.Popen([sys.executable, "-m", "shopscribe.service.worker", str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_with_kills(cfg, tmp_path: Path, workers: int, products: int = 48) -> tuple[list, int]:
    """A job through ``workers`` worker processes; the first is SIGKILLed mid-job and replaced."""
    db = open_database(cfg.database_url)
    records = [r.model_copy(update={"id": f"p{i:03d}"}) for i, r in
               enumerate([load_catalog_row()] * products)]
    job = store.create_job(db, task="title", model="tiny", options={"task": "title"}, source="test",
                           records=records, rejects=[], created_by="test")
    procs = [start_worker(cfg, tmp_path, f"w{i}") for i in range(workers)]
    deadline = time.time() + 240
    while not (store.get_job(db, job.id).done >= 8 and mid_job(db, job.id, procs[0].pid)) and time.time() < deadline:
        time.sleep(0.02)
    procs[0].send_signal(signal.SIGKILL)
    procs[0].wait()
    killed_at = store.get_job(db, job.id).done
    assert killed_at < products, "the job finished before the kill: make it longer"
    procs[0] = start_worker(cfg, tmp_path, "w0-again")
    while store.get_job(db, job.id).status == "running" and time.time() < deadline:
        time.sleep(0.2)
    for p in procs:
        p.terminate()
        p.wait()
    with db.engine.connect() as conn:
        items = list(conn.execute(text("SELECT product_id, status, attempts, claimed_by FROM job_items "
                                       "WHERE job_id = :j ORDER BY idx"), {"j": job.id}))
    final = store.get_job(db, job.id)
    assert final.status == "done" and final.done == products  # the counter moved once per product
    results = list(store.results(db, job.id))
    assert [r["id"] for r in results] == [f"p{i:03d}" for i in range(products)]  # none lost, none twice
    return items, killed_at


def mid_job(db, job_id: str, pid: int) -> bool:
    """Whether the worker process ``pid`` has written products and holds a lease on more (a worker claims its
    first products before it loads the model)."""
    with db.engine.connect() as conn:
        counts = dict(conn.execute(text("SELECT status, count(*) FROM job_items WHERE job_id = :j AND "
                                        "claimed_by LIKE :owner GROUP BY status"),
                                   {"j": job_id, "owner": f"%:{pid}:%"}).all())
    return counts.get("done", 0) > 0 and counts.get("pending", 0) > 0


def load_catalog_row():
    from shopscribe.catalog.record import ProductRecord

    return ProductRecord.model_validate(PRODUCT)


def test_a_killed_worker_loses_and_duplicates_nothing(tiny_model_dir, tmp_path, database_url):
    cfg = settings(tiny_model_dir, database_url, tmp_path)
    items, _ = run_with_kills(cfg, tmp_path, workers=1)
    assert all(status == "done" for _, status, _, _ in items)
    assert any(attempts > 1 for *_, attempts, _ in items)  # the killed worker's claimed products were redone


def test_two_workers_sharing_postgresql_write_each_product_once(tiny_model_dir, tmp_path):
    url, schema = postgres_url()
    try:
        cfg = settings(tiny_model_dir, url, tmp_path)
        items, _ = run_with_kills(cfg, tmp_path, workers=2)
        owners = {owner.rsplit(":", 1)[0] for *_, owner in items}
        assert len(owners) >= 2  # both workers wrote part of the job
    finally:
        import sqlalchemy as sa

        engine = sa.create_engine(url.split("?")[0])
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def test_a_job_on_ray_actors_survives_a_killed_actor(tiny_model_dir, tmp_path, database_url):
    """jobs.backend=ray: the worker hands claimed batches to two Ray actors; one is SIGKILLed mid-job, Ray
    restarts it and retries its batch, and every product is still written exactly once."""
    import threading

    import psutil
    import pytest

    pytest.importorskip("ray")
    from shopscribe.service.worker import run_worker

    cfg = settings(tiny_model_dir, database_url, tmp_path, "jobs.backend=ray", "ray_actors=2", "ray_actor_threads=1")
    assert cfg.jobs_backend == "ray"
    db = open_database(cfg.database_url)
    products = 48
    records = [load_catalog_row().model_copy(update={"id": f"p{i:03d}"}) for i in range(products)]
    job = store.create_job(db, task="title", model="tiny", options={"task": "title"}, source="test",
                           records=records, rejects=[], created_by="test")
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(cfg, stop))
    worker.start()
    try:
        deadline = time.time() + 300
        while store.get_job(db, job.id).done < 8 and time.time() < deadline:
            time.sleep(0.05)
        actors = [p for p in psutil.process_iter(["pid", "cmdline"])
                  if "CopyActor" in " ".join(p.info["cmdline"] or [])]
        assert actors, "no Ray actor process found"
        actors[0].kill()
        assert store.get_job(db, job.id).done < products, "the job finished before the kill: make it longer"
        while store.get_job(db, job.id).status == "running" and time.time() < deadline:
            time.sleep(0.2)
    finally:
        stop.set()
        worker.join()
    final = store.get_job(db, job.id)
    assert final.status == "done" and final.done == products
    assert [r["id"] for r in store.results(db, job.id)] == [f"p{i:03d}" for i in range(products)]
