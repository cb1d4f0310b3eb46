"""Fixtures for the process-level sync tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.procs import SandboxProcesses, scratch_database


@pytest.fixture(scope="module")
def procs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxProcesses]:
    tmp_path: Path = tmp_path_factory.mktemp("procs")
    with scratch_database(tmp_path) as url:
        sandbox = SandboxProcesses(url, tmp_path)
        sandbox.start()
        try:
            yield sandbox
        finally:
            sandbox.stop()
