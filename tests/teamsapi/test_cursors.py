"""CursorLoopGuard: every looping cursor sequence is caught soon; a walk that moves on never is."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from apps.teamsapi.cursors import CursorLoopGuard


def _first_alarm(sequence: list[str]) -> int | None:
    guard = CursorLoopGuard()
    for position, cursor in enumerate(sequence):
        if guard.repeats(cursor):
            return position
    return None


def test_a_cursor_sent_twice_in_a_row_is_caught_at_once() -> None:
    assert _first_alarm(["a", "b", "b"]) == 2


@given(prefix=st.integers(0, 300), loop=st.integers(1, 300))
def test_a_loop_is_caught_within_about_twice_its_length(prefix: int, loop: int) -> None:
    # The cursors run c0 .. c(prefix+loop-1), then start again at c(prefix), for ever.
    cursors = [f"c{i}" for i in range(prefix + loop)]
    sequence = cursors + [cursors[prefix + i % loop] for i in range(4 * (prefix + loop) + 4)]

    alarm = _first_alarm(sequence)

    assert alarm is not None
    assert alarm >= prefix + loop  # nothing repeated before the loop began
    assert alarm <= 2 * (prefix + loop) + loop


def test_distinct_cursors_never_raise_the_alarm_and_nothing_accumulates() -> None:
    guard = CursorLoopGuard()
    size = sys.getsizeof(guard.__dict__)
    assert not any(guard.repeats(f"cursor-{i}") for i in range(200_000))
    assert sys.getsizeof(guard.__dict__) == size
