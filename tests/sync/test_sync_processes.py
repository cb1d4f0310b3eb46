"""Crash safety and locking across real processes: SIGKILLed workers, dropped connections, races."""

from __future__ import annotations

import random
import signal
import time

import pytest

from tests.sync.procs import LEASE_SECONDS, SandboxProcesses

pytestmark = pytest.mark.slow


def _assert_exact(procs: SandboxProcesses) -> None:
    state = procs.command("compare")
    assert state["missing"] == 0, state
    assert state["extra"] == 0, state
    assert state["duplicates"] == 0, state
    assert state["local"] == state["upstream"], state
    assert not state["walk_in_progress"], state


def _sync_until_success(procs: SandboxProcesses) -> dict[str, object]:
    for _ in range(5):
        result = procs.command("sync", timeout=300)
        if result["status"] == "succeeded":
            return result
        time.sleep(LEASE_SECONDS)
    raise AssertionError(f"the sync did not succeed after a crash: {result}")


def test_sync_survives_twenty_sigkills_in_a_row(procs: SandboxProcesses) -> None:
    # Page latency stretches a walk (24+ pages) past the kill window, so kills land mid-walk.
    procs.command("prepare", "--url", procs.url, "--entries", "1200", "--latency-ms", "40")
    rng = random.Random(20)  # noqa: S311 - reproducible kill points
    kills = attempts = 0
    while kills < 20:
        attempts += 1
        assert attempts <= 40, f"only {kills} workers were still running when killed"
        if attempts % 7 == 0:
            procs.command("add", "--count", "230")
        worker = procs.spawn("sync")
        # Django needs ~0.5 s to boot; the walk then stores pages until the kill lands.
        time.sleep(rng.uniform(0.4, 1.3))
        if worker.poll() is None:
            kills += 1
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        # Half a lease: the next worker sometimes finds the dead one's lease still held (skipped).
        time.sleep(LEASE_SECONDS / 2)
    partial = procs.command("compare")
    assert partial["duplicates"] == 0
    assert partial["extra"] == 0
    _sync_until_success(procs)
    _assert_exact(procs)


def test_sync_reconnects_when_the_connection_drops_between_pages(procs: SandboxProcesses) -> None:
    procs.command("prepare", "--url", procs.url, "--entries", "700")
    result = procs.command("sync", "--close-between-pages")
    assert result["status"] == "succeeded", result
    assert result["created"] == 700
    assert result["pages"] == 14
    _assert_exact(procs)


def test_two_syncs_started_together_exactly_one_runs(procs: SandboxProcesses) -> None:
    procs.command("prepare", "--url", procs.url, "--entries", "120")
    procs.command("sync")
    outcomes = procs.command("race", "--trials", "100", timeout=300)["outcomes"]
    assert len(outcomes) == 100
    for outcome in outcomes:
        assert outcome == ["skipped", "succeeded"], outcomes
    _assert_exact(procs)
