"""Benchmark helper: a real `shopscribe serve` process on a free port, with an API key made for it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_key(database_url: str, name: str, scopes: list[str], rate: int = 1_000_000) -> str:
    from shopscribe.storage import open_database
    from shopscribe.storage.keys import create_key

    db = open_database(database_url)
    secret = create_key(db, name, scopes, rate)[0]
    db.close()
    return secret


def start(settings: list[str], port: int, log: Path) -> subprocess.Popen:
    """`shopscribe serve` in its own process group (a kill takes its job workers with it)."""
    cmd = [sys.executable, "-m", "shopscribe.cli.app", "serve", "--port", str(port), *settings]
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen, seconds: float = 600) -> float:
    started = time.time()
    while time.time() - started < seconds:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return time.time() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not get ready")


def kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@contextmanager
def serving(settings: list[str], log: Path):
    port = free_port()
    proc = start(settings, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        startup = wait_ready(base, proc)
        yield base, proc, startup
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                kill_group(proc)


def peak_rss_gib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 2**20, 2)
    except OSError:
        return None
    return None
