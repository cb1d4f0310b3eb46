"""In-memory token buckets per (kind, client id) with the X-RateLimit-* header values (§10)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from django.http import HttpResponse

_lock = threading.Lock()
_buckets: dict[tuple[str, str, int, int], tuple[float, float]] = {}


@dataclass(frozen=True)
class Verdict:
    """Outcome of one request against a bucket."""

    allowed: bool
    limit: int
    remaining: int
    reset: int
    retry_after: int

    def apply(self, response: HttpResponse) -> HttpResponse:
        response["X-RateLimit-Limit"] = str(self.limit)
        response["X-RateLimit-Remaining"] = str(self.remaining)
        response["X-RateLimit-Reset"] = str(self.reset)
        if not self.allowed:
            response["Retry-After"] = str(self.retry_after)
        return response


def hit(kind: str, client_id: str, *, size: int, window: int, enforce: bool) -> Verdict:
    """Take one request from the bucket; when not enforcing, report a full bucket.

    Headers stay on every response (§10), but an unenforced limit must not tell well-behaved
    clients to slow down.
    """
    now = time.time()
    if not enforce:
        return Verdict(True, size, size, int(now), 0)
    rate = size / window
    key = (kind, client_id, size, window)
    with _lock:
        tokens, last = _buckets.get(key, (float(size), now))
        tokens = min(float(size), tokens + (now - last) * rate)
        allowed = tokens >= 1
        if tokens >= 1:
            tokens -= 1
        _buckets[key] = (tokens, now)
    reset = int(math.ceil(now + (size - tokens) / rate))
    retry_after = 0 if allowed else max(1, int(math.ceil((1 - tokens) / rate)))
    return Verdict(allowed, size, int(tokens), reset, retry_after)


def clear() -> None:
    with _lock:
        _buckets.clear()
