"""Teams API client fixtures: a clean token cache, quick retries and a recording sleep."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper


class RecordingSleep:
    """Records every requested delay and really sleeps, but at most `cap` seconds, to keep tests fast."""

    def __init__(self, cap: float = 0.05) -> None:
        self.cap = cap
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        time.sleep(min(seconds, self.cap))


@pytest.fixture(autouse=True)
def _clean_token_cache(settings: SettingsWrapper) -> Iterator[None]:
    # The database cache table is not flushed between tests, so tokens would leak across them.
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 2
    settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS = 0.01
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 5.0
    settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 10.0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def recording_sleep() -> RecordingSleep:
    return RecordingSleep()
