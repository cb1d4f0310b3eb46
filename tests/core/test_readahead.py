"""ReadAhead: items arrive in order, errors after the items before them, nothing outlives it."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator

import pytest

from apps.core.readahead import ReadAhead


class Source:
    """An iterator that records how far it got and whether it was closed."""

    def __init__(self, count: int, *, fail_at: int | None = None) -> None:
        self.count = count
        self.fail_at = fail_at
        self.produced = 0
        self.closed = False
        self.threads: set[str] = set()

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        self.threads.add(threading.current_thread().name)
        if self.produced == self.fail_at:
            raise RuntimeError(f"page {self.produced} failed")
        if self.produced == self.count:
            raise StopIteration
        self.produced += 1
        return self.produced

    def close(self) -> None:
        self.closed = True


def test_items_arrive_in_order_from_another_thread() -> None:
    source = Source(500)
    with ReadAhead(source, depth=3, name="pages") as items:
        assert list(items) == list(range(1, 501))
    assert source.threads == {"pages"}
    assert source.closed


def test_an_error_arrives_after_the_items_produced_before_it() -> None:
    received: list[int] = []
    with (
        pytest.raises(RuntimeError, match="page 7 failed"),
        ReadAhead(Source(20, fail_at=7), depth=4) as items,
    ):
        for item in items:
            received.append(item)
    assert received == [1, 2, 3, 4, 5, 6, 7]


def test_the_source_runs_at_most_depth_items_ahead() -> None:
    source = Source(1000)
    with ReadAhead(source, depth=5) as items:
        first = next(items)
        time.sleep(0.3)  # time enough to run far ahead if nothing held it back
        # One consumed, five queued, one produced and waiting for room.
        assert first == 1
        assert source.produced == 7


def test_leaving_early_stops_and_joins_the_thread_and_closes_the_source() -> None:
    source = Source(10_000)
    before = threading.active_count()
    with ReadAhead(source, depth=2) as items:
        for item in items:
            if item == 3:
                break
    assert threading.active_count() == before
    assert source.closed
    assert source.produced <= 6


def test_the_switch_interval_is_shortened_only_while_reading_ahead() -> None:
    default = sys.getswitchinterval()
    with ReadAhead(Source(1), depth=1) as outer:
        assert sys.getswitchinterval() < default
        with ReadAhead(Source(1), depth=1) as inner:
            list(inner)
        assert sys.getswitchinterval() < default  # the outer one still runs
        list(outer)
    assert sys.getswitchinterval() == default
