"""Run an iterator a few items ahead in a thread, so producing and consuming overlap.

A sync spends its time either waiting for the next API page or storing the last one; reading
ahead lets the two happen together. Items, the end, and any exception arrive in order.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Iterator
from types import TracebackType
from typing import Generic, TypeVar

from django.db import connections

T = TypeVar("T")

_PUT_POLL_SECONDS = 0.1
# The reading thread mostly waits on the network. When its answer arrives it needs the GIL
# from the consuming thread, which by default keeps it for up to 5 ms: longer than a page of
# the API takes. While any read-ahead runs, the interpreter hands the GIL over sooner.
_SWITCH_INTERVAL_SECONDS = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = sys.getswitchinterval()


def _prompt_switching(on: bool) -> None:
    global _switch_users, _switch_saved  # noqa: PLW0603 - one interpreter-wide setting
    with _switch_lock:
        if on:
            if _switch_users == 0:
                _switch_saved = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_saved, _SWITCH_INTERVAL_SECONDS))
            _switch_users += 1
        else:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


class ReadAhead(Generic[T]):
    """Iterate `source` in a background thread, at most `depth` items ahead of the consumer.

    Use as a context manager: leaving it early (an exception, a break) stops the thread after
    the item it is producing and waits for it, so nothing outlives the block. The thread closes
    the database connections it opened (Django gives each thread its own).
    """

    def __init__(self, source: Iterator[T], *, depth: int, name: str = "read-ahead") -> None:
        self._source = source
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name=name, daemon=True)

    def __enter__(self) -> Iterator[T]:
        _prompt_switching(True)
        try:
            self._thread.start()
        except BaseException:
            _prompt_switching(False)
            raise
        return self._items()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        _prompt_switching(False)

    def _items(self) -> Iterator[T]:
        while True:
            kind, value = self._queue.get()
            if kind == "item":
                yield value  # type: ignore[misc]
            elif kind == "error":
                assert isinstance(value, BaseException)  # noqa: S101 - what _pump puts
                raise value
            else:
                return

    def _pump(self) -> None:
        try:
            for item in self._source:
                if not self._put("item", item):
                    return
            self._put("end", None)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            self._put("error", exc)
        finally:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
            connections.close_all()

    def _put(self, kind: str, value: object) -> bool:
        """Queue one entry, waiting for room; False once the consumer has left."""
        while not self._stop.is_set():
            try:
                self._queue.put((kind, value), timeout=_PUT_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False
