"""Teams API client fixtures: a clean token cache, quick retries and a recording sleep."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.connection import (
    connection_settings,
    recording_token_provider,
    teams_client,
)
from apps.authtenants.models import AuthTenant
from apps.teamsapi.client import TeamsClient
from tests.teamsapi.servers import Recorder, recorders


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
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 2
    settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS = 0.01
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 5.0
    settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 10.0
    # Open the cache's connection now (Redis in CI), so tests that watch sockets see only the
    # connections the client under test makes.
    cache.get("teamsapi:warm-up")
    yield


@pytest.fixture
def recording_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def api(auth_tenant: AuthTenant) -> Iterator[TeamsClient]:
    """A Teams API client for the sandbox's Auth Tenant, closed after the test."""
    with teams_client(auth_tenant) as client:
        yield client


def sleeping_client(auth_tenant: AuthTenant, sleep: Callable[[float], None]) -> TeamsClient:
    """A client whose backoffs (API and token endpoint) go through `sleep`."""
    return TeamsClient(
        connection_settings(auth_tenant),
        token_provider=recording_token_provider(sleep=sleep),
        sleep=sleep,
    )


@pytest.fixture
def paced_api(auth_tenant: AuthTenant, recording_sleep: RecordingSleep) -> Iterator[TeamsClient]:
    """Like `api`, but every backoff goes through `recording_sleep`."""
    with sleeping_client(auth_tenant, recording_sleep) as client:
        yield client


@pytest.fixture
def serve() -> Iterator[Callable[..., Recorder]]:
    """Start local HTTP(S) servers that record requests; they stop at the test's end."""
    yield from recorders()
