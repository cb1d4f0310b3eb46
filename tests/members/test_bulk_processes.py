"""A bulk invite survives workers killed mid-list: every line reaches Auth0 exactly once."""

from __future__ import annotations

import json
import random
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sync.procs import ROOT, SandboxProcesses, scratch_database

pytestmark = pytest.mark.slow
LEASE_SECONDS = 2
ROWS = 30


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[SandboxProcesses]:
    with scratch_database(tmp_path) as url:
        sandbox = SandboxProcesses(url, tmp_path)
        sandbox.env["TEAMSADMIN_JOB_LEASE_SECONDS"] = str(LEASE_SECONDS)
        sandbox.start()
        try:
            yield sandbox
        finally:
            sandbox.stop()


def _bulkctl(procs: SandboxProcesses, *args: str) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.members.bulkctl", *args],
        env=procs.env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def _spawn_sending(procs: SandboxProcesses, job: str, rows: int) -> subprocess.Popen[bytes]:
    """A worker that has finished `rows` more rows and is still sending."""
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.members.bulkctl", "run", "--job", job, "--announce"],
        env=procs.env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert worker.stdout is not None
    for _ in range(rows):
        ready, _, _ = select.select([worker.stdout], [], [], 60)
        line = worker.stdout.readline() if ready else b""
        assert line.startswith(b"row "), f"the worker stopped announcing rows: {line!r}"
    return worker


def test_workers_killed_mid_list_send_every_line_exactly_once(procs: SandboxProcesses) -> None:
    # Slow API calls (150 ms each) make most kills land while a call is in flight.
    job = str(
        _bulkctl(procs, "prepare", "--url", procs.url, "--rows", str(ROWS), "--latency-ms", "150")[
            "job"
        ]
    )
    rng = random.Random(7)  # noqa: S311 - reproducible kill points
    for _ in range(3):
        worker = _spawn_sending(procs, job, rows=5)
        time.sleep(rng.uniform(0, 0.15))  # inside the next row: claimed, calling or recording
        assert worker.poll() is None, "the worker finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        time.sleep(LEASE_SECONDS + 0.5)  # the killed worker's lease lapses

    for _ in range(5):
        if _bulkctl(procs, "run", "--job", job)["result"] == "done":
            break
        time.sleep(LEASE_SECONDS)
    state = _bulkctl(procs, "status", "--job", job)
    assert state["job"] == "done", state
    assert state["rows"] == {"sent": ROWS}, state
    assert state["upstream_emails"] == ROWS and state["upstream_twice"] == [], state
    assert state["ledger_emails"] == ROWS and state["ledger_twice"] == [], state
