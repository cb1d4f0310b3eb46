"""Crash safety and locking across real processes: SIGKILLed workers, dropped connections, races."""

from __future__ import annotations

import random
import select
import signal
import subprocess
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


def _spawn_walking(procs: SandboxProcesses) -> subprocess.Popen[bytes]:
    """A sync worker that has stored its first batch and is still walking.

    A worker that finds a killed worker's lease still held is skipped and exits; it is
    started again once that lease has had time to expire.
    """
    for _ in range(5):
        worker = procs.spawn("sync", "--announce-pages")
        assert worker.stdout is not None
        ready, _, _ = select.select([worker.stdout], [], [], 60)
        line = worker.stdout.readline() if ready else b""
        if line.startswith(b"page"):
            return worker
        if not line:
            worker.kill()
        code = worker.wait()
        assert line, f"the worker stored no batch within 60 seconds (exit code {code})"
        assert b'"skipped"' in line, line  # the run's JSON: it ended without walking
        time.sleep(LEASE_SECONDS / 2)
    raise AssertionError("every worker was skipped: a lease outlived its holder")


def test_sync_survives_twenty_sigkills_in_a_row(procs: SandboxProcesses) -> None:
    # 400 pages at 40 ms each: the kills below consume at most about half of the walk, so every
    # kill lands on a worker that still has pages to fetch and store.
    procs.command("prepare", "--url", procs.url, "--entries", "20000", "--latency-ms", "40")
    rng = random.Random(20)  # noqa: S311 - reproducible kill points
    kills = attempts = 0
    while kills < 20:
        attempts += 1
        # Every second attempt kills a walking worker, so 40 attempts always make 20 kills.
        assert attempts <= 40, f"only {kills} workers were still running when killed"
        if attempts % 7 == 0:
            procs.command("add", "--count", "230")
        if attempts % 2:
            # Anywhere: while Django boots, while the token is fetched, or inside the walk.
            worker = procs.spawn("sync")
            time.sleep(rng.uniform(0.3, 1.0))
        else:
            # Inside the walk: while pages are fetched, stored, or committed.
            worker = _spawn_walking(procs)
            time.sleep(rng.uniform(0, 0.4))
        if worker.poll() is None:
            kills += 1
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        # Half a lease: the next worker sometimes finds the dead one's lease still held (skipped).
        time.sleep(LEASE_SECONDS / 2)
    partial = procs.command("compare")
    assert partial["duplicates"] == 0
    assert partial["extra"] == 0
    assert 0 < partial["local"] < partial["upstream"], partial  # the kills landed mid-backfill
    _sync_until_success(procs)
    _assert_exact(procs)


def test_sync_reconnects_when_the_connection_drops_between_pages(procs: SandboxProcesses) -> None:
    procs.command("prepare", "--url", procs.url, "--entries", "700")
    result = procs.command("sync", "--close-between-pages")
    assert result["status"] == "succeeded", result
    assert result["created"] == 700
    assert result["pages"] == 14
    _assert_exact(procs)


def test_sync_survives_twenty_connection_drops_in_the_middle_of_a_batch(
    procs: SandboxProcesses,
) -> None:
    # 50 batches of 500: twenty drops, each after at most two committed batches, all land mid-walk.
    procs.command("prepare", "--url", procs.url, "--entries", "25000")
    outcomes = procs.command("drops", "--count", "20", "--seed", "7", timeout=300)["outcomes"]
    assert len(outcomes) == 20
    for outcome in outcomes:
        assert outcome["status"] == "failed", outcome
        assert outcome["error"], outcome
        # The batch in flight was rolled back whole; the batches committed before it stayed.
        assert outcome["stored"] == outcome["created"], outcome
        assert outcome["created"] <= (outcome["dropped_in_batch"] - 1) * 500, outcome
    partial = procs.command("compare")
    assert partial["duplicates"] == 0
    assert partial["extra"] == 0
    assert 0 < partial["local"] < partial["upstream"], partial
    _sync_until_success(procs)
    _assert_exact(procs)


def test_two_syncs_started_together_exactly_one_runs(procs: SandboxProcesses) -> None:
    procs.command("prepare", "--url", procs.url, "--entries", "120")
    procs.command("sync")
    outcomes = procs.command("race", "--trials", "100", timeout=300)["outcomes"]
    assert len(outcomes) == 100
    for outcome in outcomes:
        assert outcome == ["skipped", "succeeded"], outcomes
    _assert_exact(procs)
