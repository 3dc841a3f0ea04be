"""Server processes for a run: the app (or the floor) under granian or uvicorn through lms.server.run_server, the
same function `lms serve` uses; readiness, worker memory, and a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from lms.embedded.ports import free_port
from lms.settings import REPO_ROOT, Settings, env_name

APP_FACTORY = "lms.app:create_app_from_env"
FLOOR_FACTORY = "infra.bench.floor:create_floor_app"


def app_environment(settings: Settings) -> dict[str, str]:
    """Every setting as its LMS_* variable, so a server process sees exactly what this one does."""
    names = (
        "database_url",
        "database_pool_min",
        "database_pool_max",
        "s3_endpoint_url",
        "s3_access_key_id",
        "s3_secret_access_key",
        "s3_bucket",
        "secret_key",
        "data_dir",
        "public_base_url",
        "templates_dir",
        "courses_dir",
    )
    env = {env_name(name): str(getattr(settings, name)) for name in names}
    env |= {"LMS_SEED_DEMO": "false"}  # and the default log level: one JSON line per request, as in production
    return env


@dataclass
class Running:
    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def descendants(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.proc.pid]
        while todo:
            pid = todo.pop()
            for child in children.get(pid, []):
                found.append(child)
                todo.append(child)
        return found

    def pids(self) -> set[int]:
        """The server process and every process it started (its workers)."""
        return {self.proc.pid, *self.descendants()}

    def worker_rss_mb(self) -> list[float]:
        """VmRSS of each process that serves requests (the workers; the process itself when it has none)."""
        pids = [p for p in self.descendants() if b"resource_tracker" not in _cmdline(p)] or [self.proc.pid]
        sizes = []
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024)
            except OSError:
                continue
        return sizes

    def stop(self, timeout: float = 25) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                for pid in self.descendants():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.proc.kill()
                self.proc.wait()


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start(
    name: str,
    factory: str,
    settings: Settings,
    *,
    server: str,
    workers: int,
    log_dir: Path,
    ready_path: str,
    port: int | None = None,
) -> Running:
    port = port or free_port()
    log = log_dir / f"{name}-{port}.log"
    # As `lms serve --workers N` runs it (lms/cli.py): the same function, no access log (the app logs each request).
    code = (
        "import sys; from lms.server import run_server; "
        "run_server(sys.argv[1], factory=True, host='127.0.0.1', port=int(sys.argv[2]), workers=int(sys.argv[3]), "
        "server=sys.argv[4], timeout_graceful_shutdown=5, "
        "**({'access_log': False, 'log_level': 'warning'} if sys.argv[4] == 'uvicorn' else {}))"
    )
    env = {**os.environ, **app_environment(settings), "PYTHONPATH": str(REPO_ROOT)}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, factory, str(port), str(workers), server],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
    running = Running(name, proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited at start (log {log}): {log.read_text()[-800:]}")
        try:
            with urllib.request.urlopen(running.base_url + ready_path, timeout=2) as response:
                if response.status == 200 and (workers == 1 or len(running.worker_rss_mb()) >= workers):
                    return running
        except OSError:
            pass
        time.sleep(0.2)
    running.stop()
    raise RuntimeError(f"{name} did not answer {ready_path} within 60 s (log {log})")
