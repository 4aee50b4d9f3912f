"""Job worker processes started by the server and restarted when one dies."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path


class WorkerSupervisor:
    def __init__(self, settings, log, check_s: float = 1.0):
        self.settings, self.log, self.check_s = settings, log, check_s
        self.procs: list[subprocess.Popen] = []
        self._stop = threading.Event()
        self._file = Path(tempfile.mkstemp(prefix="shopscribe-worker-", suffix=".json")[1])
        self._file.write_text(settings.model_dump_json(), encoding="utf-8")
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self.procs = [self._spawn() for _ in range(self.settings.job_workers)]
        if self.procs:
            self._thread.start()

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "shopscribe.service.worker", str(self._file)])

    def _watch(self) -> None:
        while not self._stop.wait(self.check_s):
            for i, p in enumerate(self.procs):
                if p.poll() is not None and not self._stop.is_set():
                    self.log.warning(f"job worker {p.pid} exited ({p.returncode}); starting another")
                    self.procs[i] = self._spawn()

    def stop(self) -> None:
        self._stop.set()
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self._file.unlink(missing_ok=True)
