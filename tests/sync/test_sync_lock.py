"""sync_run and its lease: claim, renew, expiry after a dead worker, skipped and failed runs, pruning."""

from __future__ import annotations

import logging
import pickle
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authtenants.models import AuthTenant
from apps.sync import services
from apps.sync.models import SyncKind, SyncLock, SyncRun, SyncStatus
from apps.teamsapi.errors import TeamsApiUnavailable
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant() -> AuthTenant:
    return AuthTenantFactory.create()


def test_second_claim_fails_while_the_lease_is_held(tenant: AuthTenant) -> None:
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="a")
    assert not services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="b")
    # The other kind has its own lock.
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.DIRECTORY, holder="b")


def test_an_expired_lease_can_be_taken_over_and_the_old_holder_notices(tenant: AuthTenant) -> None:
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="dead")
    SyncLock.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="alive")
    with pytest.raises(services.SyncAborted, match="lock expired"):
        services.lock_renew(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="dead")


def test_released_lock_is_free_again(tenant: AuthTenant) -> None:
    services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="a")
    services.lock_release(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="a")
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="b")


def test_a_run_started_while_another_holds_the_lock_is_recorded_as_skipped(
    tenant: AuthTenant,
) -> None:
    calls: list[int] = []

    with (
        services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY) as outer,
        pytest.raises(services.SyncSkipped) as skipped,
        services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY),
    ):
        calls.append(1)

    assert calls == []
    assert skipped.value.run.status == SyncStatus.SKIPPED
    assert skipped.value.run.error == services.ALREADY_RUNNING
    assert services.run_summary(skipped.value.run) == (
        f"{tenant.name}: activity sync skipped: already running"
    )
    outer.refresh_from_db()
    assert outer.status == SyncStatus.SUCCEEDED


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_run(
    tenant: AuthTenant,
) -> None:
    stale = SyncRun.objects.create(
        auth_tenant=tenant, kind=SyncKind.ACTIVITY, started_at=timezone.now()
    )
    with services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY):
        pass

    stale.refresh_from_db()
    assert stale.status == SyncStatus.FAILED
    assert stale.error == services.WORKER_STOPPED


@pytest.mark.parametrize(
    ("error", "raised", "reason"),
    [
        (services.SyncAborted("first line\nsecond line"), services.SyncFailed, "first line"),
        (TeamsApiUnavailable(), services.SyncRetryable, TeamsApiUnavailable.default_message),
    ],
)
def test_a_failing_run_records_a_short_reason_frees_the_lock_and_carries_the_run(
    tenant: AuthTenant,
    error: Exception,
    raised: type[services.SyncFailed],
    reason: str,
) -> None:
    with (
        pytest.raises(services.SyncFailed) as failed,
        services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY),
    ):
        raise error

    assert type(failed.value) is raised
    assert failed.value.__cause__ is error
    run = failed.value.run
    assert SyncRun.objects.get(pk=run.pk).status == SyncStatus.FAILED
    assert run.error == reason
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="next")
    # Worker pools pickle a task's exception.
    copy = pickle.loads(pickle.dumps(failed.value))  # noqa: S301 - our own object
    assert type(copy) is raised
    assert (copy.run.pk, copy.run.status, copy.run.error) == (run.pk, SyncStatus.FAILED, reason)


def test_an_interrupt_is_recorded_and_propagates_unwrapped(tenant: AuthTenant) -> None:
    with (
        pytest.raises(KeyboardInterrupt),
        services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY),
    ):
        raise KeyboardInterrupt

    run = SyncRun.objects.get(auth_tenant=tenant)
    assert run.status == SyncStatus.FAILED
    assert run.error == "KeyboardInterrupt"


def test_each_finished_run_logs_one_summary_line(
    tenant: AuthTenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="apps.sync")
    with services.sync_run(auth_tenant=tenant, kind=SyncKind.ACTIVITY) as run:
        services.run_progress(run, pages_fetched=3, requests_made=4, events_created=120)
    with (
        pytest.raises(services.SyncFailed),
        services.sync_run(auth_tenant=tenant, kind=SyncKind.DIRECTORY),
    ):
        raise services.SyncAborted("the API sent a page twice")

    lines = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "apps.sync.services"]
    assert len(lines) == 2
    assert lines[0][0] == logging.INFO
    assert lines[0][1].startswith(f"{tenant.name}: activity sync succeeded in ")
    assert "3 pages, 4 requests, 120 new events" in lines[0][1]
    assert lines[1][0] == logging.WARNING
    assert lines[1][1].startswith(f"{tenant.name}: directory sync failed in ")
    assert lines[1][1].endswith(": the API sent a page twice")


def test_prune_keeps_recent_runs_and_the_last_run_per_kind(tenant: AuthTenant) -> None:
    old = timezone.now() - timedelta(days=60)
    for kind in (SyncKind.ACTIVITY, SyncKind.DIRECTORY):
        for _ in range(3):
            SyncRun.objects.create(
                auth_tenant=tenant, kind=kind, started_at=old, status=SyncStatus.SUCCEEDED
            )
    recent = SyncRun.objects.create(
        auth_tenant=tenant,
        kind=SyncKind.ACTIVITY,
        started_at=timezone.now(),
        status=SyncStatus.SUCCEEDED,
    )

    deleted = services.sync_runs_prune(older_than_days=30)

    assert deleted == 5
    kept = SyncRun.objects.all()
    assert recent in kept
    assert kept.filter(kind=SyncKind.DIRECTORY).count() == 1
