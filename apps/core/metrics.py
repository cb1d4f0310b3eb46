"""Prometheus metrics: the counters the API client moves, and the /metrics exposition.

Counters live in this process, or, when PROMETHEUS_MULTIPROC_DIR names a folder shared by the
web and worker processes, in prometheus_client's per-process files there, summed at scrape.
Figures read from the database or the broker (sync lag, queue length) are computed at scrape
time by collectors that higher apps register with `register_collector`, so every process
answers the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import redis
from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector

# Counters belong to this registry, not the library's global one, so a scrape shows only ours.
COUNTERS = CollectorRegistry(auto_describe=True)

API_CALLS = Counter(
    "teamsadmin_api_calls",
    "Teams API requests sent, by Auth Tenant id, operation and status class.",
    ["auth_tenant", "operation", "status"],
    registry=COUNTERS,
)
API_RETRIES = Counter(
    "teamsadmin_api_retries",
    "Teams API calls repeated after a retryable failure (408, 429, 5xx, no answer).",
    ["auth_tenant", "operation"],
    registry=COUNTERS,
)
API_RATE_LIMITED = Counter(
    "teamsadmin_api_rate_limited",
    "Teams API answers 429 (rate limited), by Auth Tenant id and operation.",
    ["auth_tenant", "operation"],
    registry=COUNTERS,
)
TOKEN_MINTS = Counter(
    "teamsadmin_token_mints",
    "Access token requests to an Auth Tenant's token endpoint, by outcome (ok, failed).",
    ["auth_tenant", "outcome"],
    registry=COUNTERS,
)


def status_class(status: int) -> str:
    """A low-cardinality status label: "2xx", "4xx", "429", "5xx"; "none" when no answer came."""
    if status == 0:
        return "none"
    if status == 429:
        return "429"
    return f"{status // 100}xx"


class ScrapeCollector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


_COLLECTORS: list[ScrapeCollector] = []


def register_collector(collector: ScrapeCollector) -> None:
    """Add a collector computed at every scrape (called from an app's ready(), once)."""
    if not any(type(known) is type(collector) for known in _COLLECTORS):
        _COLLECTORS.append(collector)


def multiprocess_dir() -> str:
    """The folder of multiprocess mode, or "" when each process keeps its own counters."""
    return str(settings.PROMETHEUS_MULTIPROC_DIR)


class _Counters:
    def collect(self) -> Iterator[Metric]:
        yield from COUNTERS.collect()


class QueueLengthCollector:
    """Messages waiting in the Celery queue: LLEN on Redis, message files on the filesystem."""

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "teamsadmin_queue_length",
            "Tasks waiting in the broker's queue (not yet taken by a worker).",
            labels=["queue"],
        )
        queue = str(getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery"))
        length = queue_length(queue)
        if length is not None:
            gauge.add_metric([queue], float(length))
        yield gauge


def queue_length(queue: str) -> int | None:
    """The queue's length, or None when the broker cannot be read (or is of another kind)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", "")
        try:
            # kombu names each message file "<time>_<uuid>.<queue>.msg".
            return sum(1 for path in Path(folder).iterdir() if path.name.endswith(f".{queue}.msg"))
        except OSError:
            return None
    if url.startswith(("redis://", "rediss://")):
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            try:
                return int(client.llen(queue))
            finally:
                client.close()
        except redis.RedisError:
            return None
    return None


register_collector(QueueLengthCollector())


def scrape() -> bytes:
    """The exposition text: counters (summed across processes in multiprocess mode) and the
    collectors computed now."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry, path=multiprocess_dir())  # type: ignore[no-untyped-call]
    else:
        registry.register(_Counters())
    for collector in _COLLECTORS:
        registry.register(collector)
    return generate_latest(registry)
