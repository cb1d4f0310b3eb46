"""Spotting a Teams API listing that loops, in constant memory."""

from __future__ import annotations


class CursorLoopGuard:
    """Tells whether a listing's `next` cursors have started to repeat.

    Remembering every cursor would grow with the listing (about 10 MB for a million activity
    entries). An API that loops sends a cursor it sent before, and from there the same cursors
    over and over; Brent's cycle detection finds that repetition while remembering one cursor,
    at most about twice the loop's length after it begins. The commonest loop, the same cursor
    again, is caught at once.
    """

    def __init__(self) -> None:
        self._saved: str | None = None
        self._last: str | None = None
        self._window = 1
        self._steps = 0

    def repeats(self, cursor: str) -> bool:
        """Record the next cursor; True once the sequence is seen to repeat."""
        if cursor in (self._saved, self._last):
            return True
        self._last = cursor
        self._steps += 1
        if self._steps == self._window:
            self._saved = cursor
            self._window *= 2
            self._steps = 0
        return False
