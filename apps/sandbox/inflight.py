"""Counts Teams API requests the sandbox is still serving, so a test can wait for them to end.

A client that times out leaves the server thread working (for example inside a latency
fault); it must not touch the database after the test that sent it has torn down.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_count = 0
_idle = threading.Condition()


@contextmanager
def tracked() -> Iterator[None]:
    global _count
    with _idle:
        _count += 1
    try:
        yield
    finally:
        with _idle:
            _count -= 1
            _idle.notify_all()


def wait_until_idle(timeout: float) -> bool:
    """Block until no request is in flight (True) or the timeout passes (False)."""
    deadline = time.monotonic() + timeout
    with _idle:
        while _count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            _idle.wait(remaining)
    return True
