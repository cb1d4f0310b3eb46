"""`manage.py serve_all` (what `make run` starts): the URL and demo logins come last, once web,
worker and beat are all up, and Ctrl-C stops all three."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.procs import ROOT, _free_port

pytestmark = pytest.mark.slow

UP = "Teams Admin is up on"


def _environment(var_dir: Path) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEAMSADMIN_", "DATABASE_URL", "CACHE_URL", "CELERY_", "REDIS_URL"))
    }
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "teamsadmin.settings",
        "DATABASE_URL": f"sqlite:///{var_dir / 'serve.sqlite3'}",
        "TEAMSADMIN_VAR_DIR": str(var_dir),
        "TEAMSADMIN_SANDBOX": "true",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT),
    }


def _processes_of(var_dir: Path) -> list[int]:
    """Pids of live processes started with this var dir in their environment."""
    marker = f"TEAMSADMIN_VAR_DIR={var_dir}".encode()
    pids = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                pids.append(int(environ.parent.name))
        except OSError:
            continue
    return [pid for pid in pids if pid != os.getpid()]


def _lines(stream: queue.Queue[str], until: str, timeout: float) -> Iterator[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = stream.get(timeout=1)
        except queue.Empty:
            continue
        yield line
        if until in line:
            return
    raise AssertionError(f"no line with {until!r} within {timeout}s")


def test_serve_all_prints_the_url_and_logins_last_and_stops_everything(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "-v", "0"], ["createcachetable"], ["demo_users", "--quiet"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True)  # noqa: S603
    server = subprocess.Popen(  # noqa: S603
        [*manage, "serve_all", "--port", str(_free_port())],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in server.stdout or ():
            output.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        before = "".join(_lines(output, UP, timeout=120))
        after = "".join(_lines(output, "auditor / teamsadmin-auditor", timeout=30))

        assert "Starting development server" in before
        assert "celery@" in before  # the worker's banner
        assert "beat" in before
        assert list(tmp_path.glob("celerybeat-schedule*"))
        assert "A first directory and activity sync was queued" in after
        assert "owner / teamsadmin-owner" in after
        assert "Traceback" not in before + after

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=40) == 0
        deadline = time.monotonic() + 15
        while _processes_of(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _processes_of(tmp_path) == []
    finally:
        for pid in _processes_of(tmp_path):
            os.kill(pid, signal.SIGKILL)
