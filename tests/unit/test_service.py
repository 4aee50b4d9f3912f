"""The HTTP service on a tiny random model (transformers engine): keys and scopes, limits, errors with
field paths, batching of concurrent requests, metrics, and the official openai client against a real
uvicorn server."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from shopscribe.service import create_app, load_settings
from shopscribe.storage import open_database
from shopscribe.storage.keys import create_key

PRODUCT = {"id": "sku-1", "locale": "en", "title": "Navy slim fit jeans", "brand": "Roadster",
           "attributes": {"gender": "Men", "primary_color": "Blue"}}


def settings_for(tiny_model_dir, tmp_path, *more: str):
    return load_settings(None, [f"database_url=sqlite:///{tmp_path / 'svc.db'}", "engine=transformers",
                                f"models={{tiny: '{tiny_model_dir}'}}", "log_json=true", *more])


@pytest.fixture
def keys(tmp_path):
    db = open_database(f"sqlite:///{tmp_path / 'svc.db'}")
    made = {name: create_key(db, name, scopes)[0]
            for name, scopes in {"gen": ["generate"], "jobs": ["jobs"], "admin": ["admin"]}.items()}
    made["slow"] = create_key(db, "slow", ["generate"], rate_per_minute=2)[0]
    db.close()
    return made


@pytest.fixture
def client(tiny_model_dir, tmp_path, keys):
    with TestClient(create_app(settings_for(tiny_model_dir, tmp_path, "max_products_per_call=3",
                                            "max_request_bytes=20000", "batch_window_ms=300"))) as c:
        yield c


def auth(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_keys_scopes_and_rate_limits(client, keys):
    body = {"product": PRODUCT, "max_chars": 60}
    assert client.post("/v1/copy/describe", json=body).status_code == 401
    assert client.post("/v1/copy/describe", json=body, headers=auth("ss-nope")).status_code == 401
    denied = client.post("/v1/copy/describe", json=body, headers=auth(keys["jobs"]))
    assert denied.status_code == 403 and "generate" in denied.json()["detail"]
    assert client.post("/v1/copy/describe", json=body, headers=auth(keys["admin"])).status_code == 200
    codes = [client.post("/v1/copy/describe", json=body, headers=auth(keys["slow"])) for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert int(codes[-1].headers["Retry-After"]) >= 1


def test_copy_response_carries_guard_claims_length_model_and_timings(client, keys):
    r = client.post("/v1/copy/describe", json={"product": PRODUCT, "max_chars": 60, "keywords": ["denim"]},
                    headers=auth(keys["gen"]))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["id"] == "sku-1" and out["task"] == "describe" and out["model"] == "tiny"
    assert out["model_version"].startswith("tiny@") and out["guard"]["status"] in ("pass", "flagged")
    assert out["length"]["chars"] == len(out["text"]) <= 60
    assert isinstance(out["claims"], list) and out["timings"]["total_ms"] >= out["timings"]["queued_ms"] >= 0
    assert r.headers["x-request-id"]


def test_bad_input_gets_422_with_the_field_path_and_limits_get_413(client, keys):
    h = auth(keys["gen"])
    bad = client.post("/v1/copy/describe", json={"product": {**PRODUCT, "locale": "xx"}}, headers=h)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "product", "locale"]
    missing = client.post("/v1/copy/describe", json={"product": {"id": "x", "locale": "en"}}, headers=h)
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"][:2] == ["body", "product"]
    batch = client.post("/v1/copy/describe/batch", json={"products": [PRODUCT, {**PRODUCT, "id": ""}]}, headers=h)
    assert batch.status_code == 422 and batch.json()["detail"][0]["loc"] == ["body", "products", 1, "id"]
    unknown = client.post("/v1/copy/describe", json={"product": PRODUCT, "tone_of_voice": "x"}, headers=h)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "tone_of_voice"]
    too_many = client.post("/v1/copy/title/batch", json={"products": [PRODUCT] * 4}, headers=h)
    assert too_many.status_code == 413 and "max_products_per_call" in too_many.json()["detail"]
    huge = client.post("/v1/copy/describe", json={"product": {**PRODUCT, "description": "x" * 30000}}, headers=h)
    assert huge.status_code == 413
    model = client.post("/v1/copy/describe", json={"product": PRODUCT, "model": "nope"}, headers=h)
    assert model.status_code == 404 and "tiny" in model.json()["detail"]


def test_concurrent_requests_are_decoded_together(client, keys):
    def call(i):
        return client.post("/v1/copy/title", json={"product": {**PRODUCT, "id": f"p{i}"}, "max_chars": 30},
                           headers=auth(keys["gen"]))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(call, range(4)))
    assert [r.json()["id"] for r in results] == ["p0", "p1", "p2", "p3"]
    metrics = client.get("/metrics").text
    calls = float(next(l.split()[-1] for l in metrics.splitlines()
                       if l.startswith('shopscribe_batch_products_count{kind="copy",model="tiny"}')))
    assert calls < 4  # fewer engine calls than requests: they were batched


def test_a_full_queue_answers_503_with_retry_after(tiny_model_dir, tmp_path, keys):
    with TestClient(create_app(settings_for(tiny_model_dir, tmp_path, "queue_size=2"))) as c:
        r = c.post("/v1/copy/title/batch", json={"products": [{**PRODUCT, "id": f"p{i}"} for i in range(3)]},
                   headers=auth(keys["gen"]))
    assert r.status_code == 503 and int(r.headers["Retry-After"]) >= 1


def test_an_internal_error_shows_no_trace(tiny_model_dir, tmp_path, keys, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("secret internals /etc/passwd")

    # as a real server answers: the test client must not re-raise what the app handled
    with TestClient(create_app(settings_for(tiny_model_dir, tmp_path)), raise_server_exceptions=False) as c:
        monkeypatch.setattr(c.app.state.hosts.get("tiny").engine, "decode", broken)
        r = c.post("/v1/copy/describe", json={"product": PRODUCT}, headers=auth(keys["gen"]))
    assert r.status_code == 500
    assert "secret" not in r.text and "Traceback" not in r.text and r.json()["request_id"]


def test_health_ready_metrics_and_openapi(client):
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json()["models"] == {"tiny": "transformers"}
    schema = client.get("/openapi.json").json()
    assert {"/v1/copy/describe", "/v1/chat/completions", "/v1/completions", "/v1/models"} <= set(schema["paths"])
    assert "shopscribe_request_seconds_bucket" in client.get("/metrics").text


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app):
    """``app`` on a real uvicorn server on a free port; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(300):
        if server.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(tiny_model_dir, tmp_path, keys):
    """A real uvicorn server on a free port."""
    with running(create_app(settings_for(tiny_model_dir, tmp_path))) as base:
        yield f"{base}/v1"


def test_the_openai_client_lists_models_completes_and_streams(server, keys):
    import openai

    client = openai.OpenAI(base_url=server, api_key=keys["gen"])
    assert [m.id for m in client.models.list()] == ["tiny"]
    chat = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "blue jeans"}],
                                          max_tokens=8)
    assert chat.choices[0].message.role == "assistant" and chat.usage.completion_tokens <= 8
    streamed = list(client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "jeans"}],
                                                   max_tokens=8, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in streamed)
    assert streamed[-1].choices[0].finish_reason in ("stop", "length")
    again = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "jeans"}],
                                           max_tokens=8)
    assert text == again.choices[0].message.content  # greedy: the stream adds up to the whole reply
    done = client.completions.create(model="tiny", prompt=["a", "b"], max_tokens=4)
    assert len(done.choices) == 2
    copy = client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "describe"}],
                                          extra_body={"task": "describe", "product": PRODUCT})
    assert copy.model_extra["shopscribe"]["guard"]["status"] in ("pass", "flagged")
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=server, api_key="ss-wrong").models.list()
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="tiny", messages=[{"role": "user", "content": "x"}], max_tokens=5000)


def test_curl_style_sse_stream_ends_with_done(server, keys):
    import httpx

    with httpx.stream("POST", f"{server}/completions", headers=auth(keys["gen"]),
                      json={"model": "tiny", "prompt": "jeans", "max_tokens": 6, "stream": True}) as r:
        lines = [l for l in r.iter_lines() if l]
    assert r.status_code == 200 and lines[-1] == "data: [DONE]"
    assert all(json.loads(l[6:])["object"] == "text_completion" for l in lines[:-1])


def test_a_chunked_body_without_length_is_limited_too(client, keys):
    def chunks(n):
        for _ in range(n):
            yield b" " * 1000
        yield json.dumps({"product": PRODUCT, "max_chars": 60}).encode()

    h = {**auth(keys["gen"]), "Content-Type": "application/json"}
    small = client.post("/v1/copy/title", content=chunks(2), headers=h)
    assert small.status_code == 200, small.text
    big = client.post("/v1/copy/title", content=chunks(40), headers=h)
    assert big.status_code == 413
