"""The service against a client that misbehaves (issue 26), on a tiny random model: bodies bounded before
they are read and authenticated first, jobs owned by key or team, work budgets and limits shared through the
database, oversized work refused alone, nothing internal leaked, the guard policy a scope."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from shopscribe.service import create_app
from shopscribe.service.logs import JsonFormatter
from shopscribe.storage import open_database
from shopscribe.storage.jobs import fail_job, job_failure
from shopscribe.storage.keys import create_key, find_key, rotate_key
from shopscribe.storage.tables import utcnow
from tests.unit.test_service import PRODUCT, auth, free_port
from tests.unit.test_service import settings_for as service_settings


def settings_for(tiny_model_dir, tmp_path, *more: str):
    """test_service's settings, with no job worker started (jobs stay queued)."""
    return service_settings(tiny_model_dir, tmp_path, "job_workers=0", *more)


@pytest.fixture
def keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'svc.db'}")
    specs = {"gen": (["generate"], {}), "ann": (["jobs"], {"team": "shoes"}), "bob": (["jobs"], {"team": "shoes"}),
             "eve": (["jobs"], {}), "root": (["admin"], {}), "free": (["generate", "guard:off"], {}),
             "thrifty": (["generate"], {"tokens_per_minute": 500})}
    made = {name: create_key(db, name, scopes, **extra)[0] for name, (scopes, extra) in specs.items()}
    db.close()
    return made


@pytest.fixture
def client(tiny_model_dir, tmp_path, keys):
    with TestClient(create_app(settings_for(tiny_model_dir, tmp_path, "max_upload_bytes=20000",
                                            "anon_rate_per_minute=4"))) as c:
        yield c


def test_jobs_belong_to_their_key_or_team_on_every_route(client, keys):
    made = client.post("/v1/jobs", json={"task": "title", "products": [PRODUCT]}, headers=auth(keys["ann"]))
    assert made.status_code == 202, made.text
    job = made.json()["id"]
    assert made.json()["created_by"] == "ann" and made.json()["team"] == "shoes"
    routes = [("get", f"/v1/jobs/{job}"), ("get", f"/v1/jobs/{job}/results"), ("get", f"/v1/jobs/{job}/rejects"),
              ("post", f"/v1/jobs/{job}/cancel")]
    for method, path in routes:  # a key of another owner and no team: as if the job did not exist
        r = getattr(client, method)(path, headers=auth(keys["eve"]))
        assert r.status_code == 404 and r.json()["detail"] == f"no job {job}", (path, r.text)
    assert client.get("/v1/jobs", headers=auth(keys["eve"])).json() == []
    for who in ("bob", "root"):  # the owner's team mate, and the admin scope
        assert [j["id"] for j in client.get("/v1/jobs", headers=auth(keys[who])).json()] == [job]
        for method, path in routes[:3]:
            assert getattr(client, method)(path, headers=auth(keys[who])).status_code == 200, (who, path)
    cancelled = client.post(f"/v1/jobs/{job}/cancel", headers=auth(keys["bob"]))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_a_request_without_a_key_is_refused_before_its_body_is_read(tiny_model_dir, tmp_path, keys):
    """A real server: a chunked upload without a key gets 401 while its body is still unsent, and the
    server answers another client meanwhile."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings_for(tiny_model_dir, tmp_path)), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"POST /v1/jobs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
            s.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")  # 64 KiB sent, the rest never comes
            answer = s.recv(4096).decode()
            import httpx

            other = httpx.post(f"http://127.0.0.1:{port}/v1/copy/title", headers=auth(keys["gen"]),
                               json={"product": PRODUCT, "max_chars": 30}, timeout=60)
        assert answer.startswith("HTTP/1.1 401"), answer[:200]
        assert other.status_code == 200
    finally:
        server.should_exit = True


def test_uploads_are_capped_as_they_stream_and_bad_addresses_are_throttled(client, keys):
    def chunks(n):
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.jsonl\"\r\n\r\n"
        for _ in range(n):
            yield (json.dumps(PRODUCT) + "\n").encode()
        yield b"\r\n--b--\r\n"

    h = {**auth(keys["ann"]), "Content-Type": "multipart/form-data; boundary=b"}
    small = client.post("/v1/jobs", content=chunks(3), headers=h)
    assert small.status_code == 202, small.text
    big = client.post("/v1/jobs", content=chunks(200), headers=h)
    assert big.status_code == 413 and "max_upload_bytes" in big.json()["detail"]
    declared = client.post("/v1/jobs", content=b"x" * 30000, headers={**h, "Content-Length": "30000"})
    assert declared.status_code == 413
    codes = [client.get("/v1/jobs", headers=auth("ss-guess")).status_code for _ in range(6)]
    assert codes == [401] * 4 + [429] * 2  # anon_rate_per_minute=4 from this address


def test_work_is_bounded_per_field_per_request_and_per_key(client, keys):
    h = auth(keys["gen"])
    long_title = client.post("/v1/copy/describe", json={"product": {**PRODUCT, "title": "x" * 501}}, headers=h)
    assert long_title.status_code == 422 and long_title.json()["detail"][0]["loc"] == ["body", "product", "title"]
    attrs = {f"k{i}": "v" for i in range(101)}
    many = client.post("/v1/copy/describe", json={"product": {**PRODUCT, "attributes": attrs}}, headers=h)
    assert many.status_code == 422 and many.json()["detail"][0]["loc"] == ["body", "product", "attributes"]
    chars = client.post("/v1/copy/describe", json={"product": PRODUCT, "max_chars": 2500}, headers=h)
    assert chars.status_code == 422 and chars.json()["detail"][0]["loc"] == ["body", "max_chars"]
    cands = client.post("/v1/copy/describe", json={"product": PRODUCT, "candidates": 6}, headers=h)
    assert cands.status_code == 422 and cands.json()["detail"][0]["loc"] == ["body", "candidates"]
    body = {"product": PRODUCT, "max_chars": 60}  # 164 prompt + 28 new tokens with this char-level tokenizer
    spent = [client.post("/v1/copy/title", json=body, headers=auth(keys["thrifty"])) for _ in range(3)]
    assert [r.status_code for r in spent] == [200, 200, 429]  # a budget of 500 tokens a minute
    assert "budget" in spent[-1].json()["detail"] and int(spent[-1].headers["Retry-After"]) >= 1
    alone = client.post("/v1/copy/title/batch", json={"products": [PRODUCT] * 4, "max_chars": 60},
                        headers=auth(keys["thrifty"]))
    assert alone.status_code == 413 and "budget" in alone.json()["detail"]


def test_an_oversized_product_is_refused_alone_and_its_batch_mates_are_written(client, keys):
    """The tiny model's context is 1,024 tokens (one per character): 2,400 characters of attributes within
    the field limits cannot fit; sent at the same moment as good requests, only it is refused."""
    h = auth(keys["gen"])
    big = {**PRODUCT, "id": "big", "attributes": {f"detail {i}": "soft brushed cotton " * 40 for i in range(3)}}

    def call(product):
        return client.post("/v1/copy/title", json={"product": product, "max_chars": 30}, headers=h)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(call, [{**PRODUCT, "id": "a"}, big, {**PRODUCT, "id": "b"}, {**PRODUCT, "id": "c"}]))
    assert [r.status_code for r in results] == [200, 422, 200, 200]
    assert results[1].json()["detail"][0]["loc"] == ["body", "product"]
    assert "context" in results[1].json()["detail"][0]["msg"]
    batch = client.post("/v1/copy/title/batch", json={"products": [PRODUCT, big], "max_chars": 30}, headers=h)
    assert batch.status_code == 422 and batch.json()["detail"][0]["loc"] == ["body", "products", 1]
    products = [{**PRODUCT, "id": "x", "locale": "xx"}, PRODUCT, {**big, "id": "t", "title": "y" * 600}, big]
    job = client.post("/v1/jobs", json={"task": "title", "products": products}, headers=auth(keys["ann"]))
    assert job.status_code == 202 and job.json()["total"] == 1 and job.json()["rejected"] == 3
    rejects = client.get(f"/v1/jobs/{job.json()['id']}/rejects", headers=auth(keys["ann"])).json()
    assert [(r["row"], r["field"], r["product_id"]) for r in rejects] == [(1, "locale", "x"), (3, "title", "t"),
                                                                          (4, "prompt", "big")]


def test_guard_off_is_a_scope(client, keys):
    body = {"product": PRODUCT, "max_chars": 40, "guard": False}
    refused = client.post("/v1/copy/title", json=body, headers=auth(keys["gen"]))
    assert refused.status_code == 403 and "guard:off" in refused.json()["detail"]
    allowed = client.post("/v1/copy/title", json=body, headers=auth(keys["free"]))
    assert allowed.status_code == 200 and allowed.json()["guard"] is None
    job = client.post("/v1/jobs", json={"task": "title", "products": [PRODUCT], "guard": False},
                      headers=auth(keys["ann"]))
    assert job.status_code == 403


def test_limits_are_shared_by_two_servers_on_one_database(tiny_model_dir, tmp_path, keys):
    db = open_database(f"sqlite:///{tmp_path / 'svc.db'}")
    slow = create_key(db, "slow", ["generate"], rate_per_minute=3)[0]
    db.close()
    cfg = settings_for(tiny_model_dir, tmp_path)
    with TestClient(create_app(cfg)) as one, TestClient(create_app(cfg)) as two:
        codes = [c.get("/v1/models", headers=auth(slow)).status_code for c in (one, two, one, two)]
    assert codes == [200, 200, 200, 429]


def test_keys_expire_and_rotate_with_a_grace_period(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'k.db'}")
    soon, _ = create_key(db, "soon", ["generate"], expires_at=utcnow() + timedelta(seconds=1))
    assert find_key(db, soon) is not None
    time.sleep(1.2)
    assert find_key(db, soon) is None
    old, _ = create_key(db, "svc", ["generate"])
    new, info = rotate_key(db, "svc", grace_s=60)
    assert find_key(db, old).name == find_key(db, new).name == "svc" and info.scopes == ("generate",)
    newer, _ = rotate_key(db, "svc")  # no grace: the secret before it stops at once
    assert find_key(db, new) is None and find_key(db, old) is None and find_key(db, newer).name == "svc"


def test_nothing_internal_leaks(client, keys, tiny_model_dir):
    models = client.get("/v1/models", headers=auth(keys["gen"]))
    assert models.status_code == 200 and str(tiny_model_dir) not in models.text and "source" not in models.text
    client.post("/v1/jobs", json={"task": "title", "products": [PRODUCT]}, headers=auth(keys["ann"]))
    public = client.get("/metrics").text
    assert "shopscribe_jobs_active 1.0" in public and "shopscribe_job_products" not in public
    assert 'shopscribe_job_products{job="' in client.get("/metrics", headers=auth(keys["root"])).text
    assert "shopscribe_job_products" not in client.get("/metrics", headers=auth(keys["gen"])).text
    echoed = client.get("/health", headers={"x-request-id": "abc-123"}).headers["x-request-id"]
    replaced = client.get("/health", headers={"x-request-id": "x" * 65}).headers["x-request-id"]
    injected = client.get("/health", headers={"x-request-id": "a b<script>"}).headers["x-request-id"]
    assert echoed == "abc-123" and replaced != "x" * 65 and "<" not in injected


def test_a_failed_job_says_what_without_internals(client, keys):
    from shopscribe.errors import EngineError

    made = client.post("/v1/jobs", json={"task": "title", "products": [PRODUCT]}, headers=auth(keys["ann"])).json()
    db = client.app.state.db
    fail_job(db, made["id"], *job_failure(EngineError("llama_decode failed at /opt/secret/model.gguf"), "tiny"))
    error = client.get(f"/v1/jobs/{made['id']}", headers=auth(keys["ann"])).json()["error"]
    assert error["code"] == "engine_error" and "/opt/secret" not in error["message"]


def test_the_json_log_keeps_the_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("shopscribe.service", logging.ERROR, __file__, 1, "internal error", None,
                                   sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "Traceback" in entry["traceback"] and "RuntimeError: boom" in entry["traceback"]
