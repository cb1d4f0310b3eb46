"""Readiness checks: is the database, the cache and the broker reachable, each within a timeout.

Each check answers "ok" or a plain reason. A reason never carries a URL's credentials: error
texts of database and Redis clients may quote the URL they were given.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from kombu import Connection

TIMEOUT_SECONDS = 2.0
_CREDENTIALS = re.compile(r"(?<=//)[^/@\s]*@")


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    reason: str = ""

    def as_json(self) -> dict[str, str]:
        return {"status": "ok" if self.ok else "failed", "reason": self.reason}


def scrubbed(text: str) -> str:
    """An error text with any user:password@ of a URL removed, on one short line."""
    line = _CREDENTIALS.sub("***@", text.splitlines()[0] if text else "")
    return line[:200]


def _reason(exc: BaseException) -> str:
    detail = scrubbed(str(exc))
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key, value = "readyz:probe", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("a value written to the cache could not be read back")


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for option in ("data_folder_in", "data_folder_out"):
            folder = Path(options.get(option, ""))
            if not (folder.is_dir() and os.access(folder, os.W_OK)):
                raise RuntimeError(f"the queue folder {folder} is missing or not writable")
        return
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    with Connection(url, connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=int(TIMEOUT_SECONDS))


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def _in_thread(check: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            check()
        finally:
            # A pool thread's database connections are its own and must not be left open.
            connections.close_all()

    return run


def readiness(timeout: float | None = None) -> list[CheckResult]:
    """Run every check at once, all within `timeout` seconds; a slow one counts as failed."""
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="readyz")
    deadline = time.monotonic() + timeout
    try:
        futures = {name: pool.submit(_in_thread(check)) for name, check in CHECKS.items()}
        results = []
        for name, future in futures.items():
            try:
                future.result(timeout=max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                results.append(CheckResult(name, False, f"no answer within {timeout:g} s"))
            except Exception as exc:  # noqa: BLE001 - any failure makes the check fail
                results.append(CheckResult(name, False, _reason(exc)))
            else:
                results.append(CheckResult(name, True))
        return results
    finally:
        # A hung check keeps its thread until its own socket timeout; the answer does not wait.
        pool.shutdown(wait=False, cancel_futures=True)
