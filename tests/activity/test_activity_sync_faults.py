"""activity_sync under sandbox faults: it completes or fails clearly, never moving past unstored data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.activity import services
from apps.activity.models import ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.sync.models import SyncRun, SyncStatus
from apps.sync.services import SyncFailed, SyncRetryable
from apps.teamsapi.errors import RETRYABLE, TeamsApiError
from tests.activity.conftest import assert_checkpoint_covered, assert_exact, checkpoint, compare
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick_backoff(settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_HTTP_BACKOFF_SECONDS = 0.01


def _add_recent(sandbox: Sandbox, count: int) -> None:
    sandbox.add_activity(count, created_at=timezone.now() - timedelta(seconds=2))


def _sync_allowing_retryable(auth_tenant: AuthTenant) -> SyncRun:
    try:
        return services.activity_sync(auth_tenant=auth_tenant)
    except SyncRetryable as failed:
        assert isinstance(failed.__cause__, RETRYABLE)
        return failed.run


def _failed_run(auth_tenant: AuthTenant) -> SyncRun:
    """The run of an activity sync expected to fail for a reason not worth retrying."""
    with pytest.raises(SyncFailed) as failed:
        services.activity_sync(auth_tenant=auth_tenant)
    assert not isinstance(failed.value, SyncRetryable)
    assert failed.value.run == SyncRun.objects.filter(auth_tenant=auth_tenant).latest("pk")
    return failed.value.run


def test_duplicate_id_in_a_page_fails_the_run_and_keeps_the_checkpoint(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    since = checkpoint(auth_tenant).since
    _add_recent(sandbox, 60)
    sandbox.set_faults(duplicate_id_in_page=True)

    run = _failed_run(auth_tenant)

    assert run.status == SyncStatus.FAILED
    assert "same entry id twice" in run.error
    assert checkpoint(auth_tenant).since == since
    assert compare(auth_tenant).missing == 60

    sandbox.clear_faults()
    assert services.activity_sync(auth_tenant=auth_tenant).status == SyncStatus.SUCCEEDED
    assert_exact(auth_tenant)


def test_looping_next_fails_the_run_and_keeps_the_checkpoint(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    since = checkpoint(auth_tenant).since
    _add_recent(sandbox, 80)
    sandbox.set_faults(looping_next=True)

    run = _failed_run(auth_tenant)

    assert run.status == SyncStatus.FAILED
    assert "paging loop" in run.error
    assert run.pages_fetched < 5
    assert checkpoint(auth_tenant).since == since

    sandbox.clear_faults()
    assert services.activity_sync(auth_tenant=auth_tenant).status == SyncStatus.SUCCEEDED
    assert_exact(auth_tenant)


@pytest.mark.parametrize("kind", ["truncated", "html"])
def test_malformed_page_fails_with_a_clear_reason_and_keeps_the_checkpoint(
    sandbox: Sandbox, auth_tenant: AuthTenant, kind: str
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    since = checkpoint(auth_tenant).since
    _add_recent(sandbox, 10)
    sandbox.set_faults(malformed=kind)

    with pytest.raises(SyncRetryable) as failed:
        services.activity_sync(auth_tenant=auth_tenant)

    assert isinstance(failed.value.__cause__, TeamsApiError)
    run = failed.value.run
    assert run.status == SyncStatus.FAILED
    assert "could not read" in run.error
    assert checkpoint(auth_tenant).since == since
    sandbox.clear_faults()
    assert services.activity_sync(auth_tenant=auth_tenant).status == SyncStatus.SUCCEEDED
    assert_exact(auth_tenant)


def test_a_short_429_burst_is_absorbed_by_retries(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    sandbox.set_faults(rate_limit_burst=2)

    run = services.activity_sync(auth_tenant=auth_tenant)

    assert run.status == SyncStatus.SUCCEEDED
    assert run.requests_made == run.pages_fetched + 2
    assert_exact(auth_tenant)


def test_a_429_storm_with_rate_limiting_on_ends_exact(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    sandbox.seed(tenants=8, members=30, activity=600, seed=3)
    sandbox.set_faults(rate_limit=True, rate_limit_bucket=4, rate_limit_window=1)
    failures = []
    for _ in range(10):
        run = _sync_allowing_retryable(auth_tenant)
        if run.status == SyncStatus.SUCCEEDED:
            break
        failures.append(run.error)
        assert compare(auth_tenant).duplicates == 0
    assert run.status == SyncStatus.SUCCEEDED, failures
    assert all("rate limit" in error.lower() for error in failures), failures
    assert_exact(auth_tenant)


def test_5xx_bursts_end_exact_after_retries(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    sandbox.seed(tenants=8, members=30, activity=500, seed=4)
    sandbox.set_faults(error_rate=0.3)
    runs = []
    for _ in range(15):
        run = _sync_allowing_retryable(auth_tenant)
        runs.append(run)
        if run.status == SyncStatus.SUCCEEDED:
            break
        # A run may finish an interrupted walk and then fail on the next one: the checkpoint
        # may move, but never past an entry that is not stored.
        assert_checkpoint_covered(auth_tenant)
    assert runs[-1].status == SyncStatus.SUCCEEDED, [r.error for r in runs]
    assert_exact(auth_tenant)


def test_token_outage_with_a_cached_token_still_syncs(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)  # mints and caches a token
    _add_recent(sandbox, 5)
    sandbox.set_faults(token_outage=True)

    run = services.activity_sync(auth_tenant=auth_tenant)

    assert run.status == SyncStatus.SUCCEEDED
    assert run.events_created == 5
    assert_exact(auth_tenant)


def test_token_outage_with_an_expired_token_fails_clearly(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    # Tokens that live 2 s are stale at once (the client renews 60 s before expiry).
    sandbox.set_faults(token_lifetime_seconds=2)
    services.activity_sync(auth_tenant=auth_tenant)
    since = checkpoint(auth_tenant).since
    _add_recent(sandbox, 5)
    sandbox.set_faults(token_outage=True)

    with pytest.raises(SyncRetryable) as failed:
        services.activity_sync(auth_tenant=auth_tenant)

    assert isinstance(failed.value.__cause__, TeamsApiError)
    run = failed.value.run
    assert run.status == SyncStatus.FAILED
    assert "token" in run.error.lower()
    assert checkpoint(auth_tenant).since == since
    assert ActivityEvent.objects.filter(auth_tenant=auth_tenant).count() == 120


def test_the_coverage_check_catches_a_checkpoint_past_a_missing_entry(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    sandbox.seed(tenants=2, members=5, activity=120, seed=6)
    services.activity_sync(auth_tenant=auth_tenant)
    assert_checkpoint_covered(auth_tenant)
    ActivityEvent.objects.filter(auth_tenant=auth_tenant).order_by("created_at")[:1].get().delete()
    with pytest.raises(AssertionError):
        assert_checkpoint_covered(auth_tenant)
