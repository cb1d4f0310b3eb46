"""Failure handling of TeamsClient: retries, backoff, timeouts and unreadable replies."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.models import AuthTenant
from apps.teamsapi.client import TeamsClient, teams_client
from apps.teamsapi.contract import TeamRole
from apps.teamsapi.errors import (
    RETRYABLE,
    TeamsApiBadResponse,
    TeamsApiPagingLoop,
    TeamsApiRateLimited,
    TeamsApiTimeout,
    TeamsApiUnavailable,
)
from tests.teamsapi.conftest import RecordingSleep

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

ENVIRONMENTS = "/api/environments"


def _statuses(sandbox: Sandbox, path: str, method: str = "GET") -> list[int]:
    return [r.status for r in sandbox.requests_log(path_contains=path, method=method)]


def test_server_errors_are_retried_until_the_api_recovers(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    sandbox.set_faults(error_rate=1.0)
    delays: list[float] = []

    def recover_while_backing_off(seconds: float) -> None:
        delays.append(seconds)
        if len(delays) == 2:
            sandbox.clear_faults()

    client = TeamsClient(auth_tenant, sleep=recover_while_backing_off)
    assert client.list_environments()
    assert client.requests_made == 3
    assert [s >= 500 for s in _statuses(sandbox, ENVIRONMENTS)] == [True, True, False]
    assert len(delays) == 2 and delays[1] > 0


def test_server_errors_exhaust_the_retries(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(error_rate=1.0)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    with pytest.raises(TeamsApiUnavailable) as info:
        client.list_environments()
    assert isinstance(info.value, RETRYABLE)
    assert client.requests_made == 3
    assert len(_statuses(sandbox, ENVIRONMENTS)) == 3
    assert len(recording_sleep.delays) == 2
    assert recording_sleep.delays[1] >= recording_sleep.delays[0] * 0.5


def test_post_is_never_retried_on_a_server_error(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(error_rate=1.0)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    with pytest.raises(TeamsApiUnavailable):
        client.invite_member(email="once@example.com", role=TeamRole.CONTRIBUTOR)
    assert client.requests_made == 1
    assert len(_statuses(sandbox, "/api/members", "POST")) == 1
    assert recording_sleep.delays == []


def test_a_429_storm_is_ridden_out_honouring_retry_after(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(rate_limit_burst=2)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    assert client.list_environments()
    assert _statuses(sandbox, ENVIRONMENTS) == [429, 429, 200]
    assert len(recording_sleep.delays) == 2
    assert all(delay >= 1 for delay in recording_sleep.delays)  # the sandbox's Retry-After


def test_a_429_on_post_is_retried_because_it_was_not_processed(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(rate_limit_burst=1)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    invitation = client.invite_member(email="later@example.com", role=TeamRole.CONTRIBUTOR)
    assert invitation.email == "later@example.com"
    assert _statuses(sandbox, "/api/members", "POST") == [429, 201]


def test_a_long_429_storm_raises_rate_limited_with_retry_after(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(rate_limit_burst=10)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    with pytest.raises(TeamsApiRateLimited) as info:
        client.list_environments()
    assert info.value.retry_after is not None and info.value.retry_after >= 1
    assert client.requests_made == 3


def test_a_retry_after_beyond_the_cap_is_left_to_the_caller(
    auth_tenant: AuthTenant,
    sandbox: Sandbox,
    settings: SettingsWrapper,
    recording_sleep: RecordingSleep,
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 0.5
    sandbox.set_faults(rate_limit_burst=1)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    with pytest.raises(TeamsApiRateLimited):
        client.list_environments()
    assert client.requests_made == 1
    assert recording_sleep.delays == []


def test_a_drained_bucket_makes_the_client_wait_instead_of_hitting_429(
    auth_tenant: AuthTenant, sandbox: Sandbox
) -> None:
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=2, rate_limit_window=2)
    client = teams_client(auth_tenant)
    started = time.monotonic()
    for _ in range(3):
        client.list_environments()
    assert _statuses(sandbox, ENVIRONMENTS) == [200, 200, 200]
    assert time.monotonic() - started >= 0.5


def test_a_slow_api_times_out_after_bounded_retries(
    auth_tenant: AuthTenant,
    sandbox: Sandbox,
    settings: SettingsWrapper,
    recording_sleep: RecordingSleep,
) -> None:
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    client.list_environments()  # mint the token before the API slows down
    settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 0.3
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 1
    sandbox.set_faults(latency_ms=900)
    with pytest.raises(TeamsApiTimeout) as info:
        client.list_environments()
    assert isinstance(info.value, RETRYABLE)
    assert client.requests_made == 3


@pytest.mark.parametrize("kind", ["html", "truncated"])
def test_unreadable_bodies_become_bad_response_after_retries(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep, kind: str
) -> None:
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    client.list_environments()
    sandbox.set_faults(malformed=kind)
    with pytest.raises(TeamsApiBadResponse):
        list(client.list_tenants())
    assert client.requests_made == 1 + 3


def test_a_looping_next_cursor_stops_paging(
    auth_tenant: AuthTenant, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(looping_next=True)
    client = TeamsClient(auth_tenant, sleep=recording_sleep)
    with pytest.raises(TeamsApiPagingLoop) as info:
        list(client.iter_activity(take=5))
    assert "paging loop" in info.value.message
    assert not isinstance(info.value, RETRYABLE)  # it would loop again
    assert client.requests_made <= 5


def test_max_pages_guard_stops_an_endless_listing(auth_tenant: AuthTenant) -> None:
    client = teams_client(auth_tenant)
    client.max_pages = 2
    with pytest.raises(TeamsApiPagingLoop):
        list(client.list_members(take=1))
    assert client.requests_made == 2
