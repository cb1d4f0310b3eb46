"""Fixtures for the sync tests: sandbox processes, and what was queued for Celery."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from teamsadmin.celery import app as celery_app
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


Queued = Callable[[], list[tuple[str, list[Any]]]]


@pytest.fixture
def queued() -> Queued:
    """Reads (and removes) what was sent to the tests' in-memory broker: (task name, args)."""

    def drain() -> list[tuple[str, list[Any]]]:
        messages = []
        with celery_app.connection_for_read() as connection:
            channel: Any = connection.default_channel  # kombu types it without basic_get
            while (message := channel.basic_get("celery", no_ack=True)) is not None:
                args, _kwargs, _embed = message.decode()
                messages.append((message.headers["task"], args))
        return messages

    drain()  # whatever earlier tests queued
    return drain
