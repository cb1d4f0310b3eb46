"""Offboarding across real processes: workers SIGKILLed mid-job never repeat a finished step."""

from __future__ import annotations

import random
import select
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.procs import SandboxProcesses, scratch_database

pytestmark = pytest.mark.slow
# A killed worker's step is taken over after this; short, so the test need not wait long.
LEASE_SECONDS = 2


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcesses]:
    tmp_path: Path = tmp_path_factory.mktemp("offboard-procs")
    with scratch_database(tmp_path) as url:
        sandbox = SandboxProcesses(url, tmp_path, ctl="tests.people.offboardctl")
        sandbox.env["TEAMSADMIN_JOB_LEASE_SECONDS"] = str(LEASE_SECONDS)
        sandbox.start()
        try:
            yield sandbox
        finally:
            sandbox.stop()


def test_workers_killed_mid_job_never_repeat_a_step(procs: SandboxProcesses) -> None:
    # Every sandbox call takes 500 ms; each worker is killed while carrying out a step: before,
    # during or after its API calls.
    job = str(procs.command("prepare", "--url", procs.url, "--latency-ms", "500")["job"])
    rng = random.Random(7)  # noqa: S311 - reproducible kill points
    kills = 0
    for _ in range(4):
        # The killed worker's lease runs out first, so the next one can take its step over
        # (else, with every step still held, it would find nothing to claim).
        time.sleep(LEASE_SECONDS)
        worker = procs.spawn("run", "--job", job, "--announce")
        assert worker.stdout is not None
        ready, _, _ = select.select([worker.stdout], [], [], 60)
        line = worker.stdout.readline() if ready else b""
        if line.startswith(b"{"):  # its status: nothing was left to claim, the job is done
            worker.wait()
            break
        assert line.startswith(b"claimed"), line
        time.sleep(rng.uniform(0, 1.6))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
    assert kills >= 2, kills  # the job takes longer than a worker lives: two died mid-job
    time.sleep(LEASE_SECONDS)  # the last killed worker's lease runs out
    final = procs.command("run", "--job", job, timeout=300)
    assert [state for _team, _kind, state, _n in final["steps"]] == ["done"] * 3, final
    assert final["members_left"] == 0, final
    assert max(n for _team, _kind, _state, n in final["steps"]) > 1, final  # a step was resumed
    # Each member was removed by exactly one DELETE that Auth0 carried out, never sent again
    # once done (a repeat would answer 404), and recorded as removed once.
    assert final["deletes"].count("acme 204") == 1, final
    assert final["deletes"].count("globex 204") == 1, final
    assert not [d for d in final["deletes"] if d.endswith("404")], final
    assert final["removals"] == ["Acme (sandbox) success", "Globex (sandbox) success"], final
