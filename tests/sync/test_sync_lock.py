"""The per-Auth-Tenant sync lease: claim, renew, expiry after a dead worker, skipped runs, pruning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.authtenants.models import AuthTenant
from apps.sync import services
from apps.sync.models import SyncKind, SyncLock, SyncRun, SyncStatus
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

    def inner(run: SyncRun) -> None:
        skipped = services.sync_execute(
            auth_tenant=tenant, kind=SyncKind.ACTIVITY, full=False, work=lambda r: calls.append(1)
        )
        assert skipped.status == SyncStatus.SKIPPED
        assert skipped.error == services.ALREADY_RUNNING

    outer = services.sync_execute(
        auth_tenant=tenant, kind=SyncKind.ACTIVITY, full=False, work=inner
    )

    assert outer.status == SyncStatus.SUCCEEDED
    assert calls == []


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_run(
    tenant: AuthTenant,
) -> None:
    stale = SyncRun.objects.create(
        auth_tenant=tenant, kind=SyncKind.ACTIVITY, started_at=timezone.now()
    )
    services.sync_execute(
        auth_tenant=tenant, kind=SyncKind.ACTIVITY, full=False, work=lambda r: None
    )

    stale.refresh_from_db()
    assert stale.status == SyncStatus.FAILED
    assert stale.error == services.WORKER_STOPPED


def test_a_failing_run_records_a_short_reason_and_frees_the_lock(tenant: AuthTenant) -> None:
    def boom(run: SyncRun) -> None:
        raise services.SyncAborted("first line\nsecond line")

    run = services.sync_execute(auth_tenant=tenant, kind=SyncKind.ACTIVITY, full=False, work=boom)

    assert run.status == SyncStatus.FAILED
    assert run.error == "first line"
    assert services.lock_claim(auth_tenant=tenant, kind=SyncKind.ACTIVITY, holder="next")


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
