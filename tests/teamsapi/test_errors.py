"""Failure handling of TeamsClient: retries, backoff, timeouts and unreadable replies."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.authtenants.models import AuthTenant
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import TeamRole
from apps.teamsapi.errors import (
    RETRYABLE,
    TeamsApiBadResponse,
    TeamsApiPagingLoop,
    TeamsApiRateLimited,
    TeamsApiTimeout,
    TeamsApiUnavailable,
)
from tests.teamsapi.conftest import RecordingSleep, sleeping_client

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

    with sleeping_client(auth_tenant, recover_while_backing_off) as client:
        assert client.list_environments()
    assert client.requests_made == 3
    assert [s >= 500 for s in _statuses(sandbox, ENVIRONMENTS)] == [True, True, False]
    assert len(delays) == 2 and delays[1] > 0


def test_server_errors_exhaust_the_retries(
    paced_api: TeamsClient, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(error_rate=1.0)
    with pytest.raises(TeamsApiUnavailable) as info:
        paced_api.list_environments()
    assert isinstance(info.value, RETRYABLE)
    assert paced_api.requests_made == 3
    assert len(_statuses(sandbox, ENVIRONMENTS)) == 3
    assert len(recording_sleep.delays) == 2
    assert recording_sleep.delays[1] >= recording_sleep.delays[0] * 0.5


def test_post_is_never_retried_on_a_server_error(
    paced_api: TeamsClient, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(error_rate=1.0)
    with pytest.raises(TeamsApiUnavailable):
        paced_api.invite_member(email="once@example.com", role=TeamRole.CONTRIBUTOR)
    assert paced_api.requests_made == 1
    assert len(_statuses(sandbox, "/api/members", "POST")) == 1
    assert recording_sleep.delays == []


def test_a_429_storm_is_ridden_out_honouring_retry_after(
    paced_api: TeamsClient, sandbox: Sandbox, recording_sleep: RecordingSleep
) -> None:
    sandbox.set_faults(rate_limit_burst=2)
    assert paced_api.list_environments()
    assert _statuses(sandbox, ENVIRONMENTS) == [429, 429, 200]
    assert len(recording_sleep.delays) == 2
    assert all(delay >= 1 for delay in recording_sleep.delays)  # the sandbox's Retry-After


def test_a_429_on_post_is_retried_because_it_was_not_processed(
    paced_api: TeamsClient, sandbox: Sandbox
) -> None:
    sandbox.set_faults(rate_limit_burst=1)
    invitation = paced_api.invite_member(email="later@example.com", role=TeamRole.CONTRIBUTOR)
    assert invitation.email == "later@example.com"
    assert _statuses(sandbox, "/api/members", "POST") == [429, 201]


def test_a_long_429_storm_raises_rate_limited_with_retry_after(
    paced_api: TeamsClient, sandbox: Sandbox
) -> None:
    sandbox.set_faults(rate_limit_burst=10)
    with pytest.raises(TeamsApiRateLimited) as info:
        paced_api.list_environments()
    assert info.value.retry_after is not None and info.value.retry_after >= 1
    assert paced_api.requests_made == 3


def test_a_retry_after_beyond_the_cap_is_left_to_the_caller(
    paced_api: TeamsClient,
    sandbox: Sandbox,
    settings: SettingsWrapper,
    recording_sleep: RecordingSleep,
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_SLEEP_SECONDS = 0.5
    sandbox.set_faults(rate_limit_burst=1)
    with pytest.raises(TeamsApiRateLimited):
        paced_api.list_environments()
    assert paced_api.requests_made == 1
    assert recording_sleep.delays == []


def test_a_drained_bucket_makes_the_client_wait_instead_of_hitting_429(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=2, rate_limit_window=2)
    started = time.monotonic()
    for _ in range(3):
        api.list_environments()
    assert _statuses(sandbox, ENVIRONMENTS) == [200, 200, 200]
    assert time.monotonic() - started >= 0.5


def test_a_slow_api_times_out_after_bounded_retries(
    paced_api: TeamsClient, sandbox: Sandbox, settings: SettingsWrapper
) -> None:
    paced_api.list_environments()  # mint the token before the API slows down
    settings.TEAMSADMIN_HTTP_READ_TIMEOUT = 0.3
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 1
    sandbox.set_faults(latency_ms=900)
    with pytest.raises(TeamsApiTimeout) as info:
        paced_api.list_environments()
    assert isinstance(info.value, RETRYABLE)
    assert paced_api.requests_made == 3


@pytest.mark.parametrize("kind", ["html", "truncated"])
def test_unreadable_bodies_become_bad_response_after_retries(
    paced_api: TeamsClient, sandbox: Sandbox, kind: str
) -> None:
    paced_api.list_environments()
    sandbox.set_faults(malformed=kind)
    with pytest.raises(TeamsApiBadResponse):
        list(paced_api.list_tenants())
    assert paced_api.requests_made == 1 + 3


def test_a_looping_next_cursor_stops_paging(paced_api: TeamsClient, sandbox: Sandbox) -> None:
    sandbox.set_faults(looping_next=True)
    with pytest.raises(TeamsApiPagingLoop) as info:
        list(paced_api.iter_activity(take=5))
    assert "paging loop" in info.value.message
    assert not isinstance(info.value, RETRYABLE)  # it would loop again
    assert paced_api.requests_made <= 5


def test_max_pages_guard_stops_an_endless_listing(api: TeamsClient) -> None:
    api.max_pages = 2
    with pytest.raises(TeamsApiPagingLoop):
        list(api.list_members(take=1))
    assert api.requests_made == 2
