"""Time-boxed access against the sandbox over real HTTP: the end is kept, the scheduled revoke
removes the access after it (never before), once, and retries until Auth0 confirms."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.access import scheduled, services, tasknames, tasks
from apps.access.expiry import SCHEDULED_ACTOR_NAME
from apps.access.models import AccessExpiry
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryAccess
from apps.sandbox.models import SandboxTenantRole
from apps.teamsapi.contract import TenantRole
from teamsadmin.celery import app
from tests.access.conftest import Target, mirrored_roles, pick, upstream_roles
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = [TenantRole.VIEWER_CONFIG.value]


def _grant_until(owner: User, target: Target, until: datetime, count: int = 1) -> list[str]:
    tenant_ids = [t.tenant_id for t in target.free[:count]]
    result = services.tenant_access_grant(
        actor=owner,
        auth_tenant=target.auth_tenant,
        member_id=target.member_id,
        tenant_ids=tenant_ids,
        roles=ROLES,
        until=until,
    )
    assert not result.failed
    return tenant_ids


def _deletes(sandbox: Sandbox) -> int:
    return len(sandbox.requests_log(path_contains="/tenants", method="DELETE"))


def test_grant_with_an_end_keeps_it_and_records_it(synced: AuthTenant, owner: User) -> None:
    target = pick(synced)
    until = timezone.now() + timedelta(hours=2)

    [tenant_id] = _grant_until(owner, target, until)

    row = AccessExpiry.objects.get()
    assert (row.member_id, row.tenant_id, row.ends_at) == (target.member_id, tenant_id, until)
    assert row.set_by_username == owner.username
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_GRANT)
    assert entry.parameters["until"] == until.isoformat()
    assert upstream_roles(target.member_id, tenant_id) == set(ROLES)


@pytest.mark.parametrize(
    ("shift", "message"),
    [(timedelta(seconds=-5), "at least a minute"), (timedelta(days=400), "within a year")],
)
def test_an_end_in_the_past_or_too_far_sends_nothing(
    sandbox: Sandbox, synced: AuthTenant, owner: User, shift: timedelta, message: str
) -> None:
    target = pick(synced)
    sandbox.clear_requests_log()

    with pytest.raises(ServiceError) as refused:
        _grant_until(owner, target, timezone.now() + shift)

    assert message in refused.value.field_errors["until"][0]
    assert sandbox.requests_log(path_contains="/tenants") == []
    assert not AccessExpiry.objects.exists()


def test_scheduled_revoke_removes_access_after_its_end_and_not_before(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=2)
    until = timezone.now() + timedelta(minutes=30)
    tenant_ids = _grant_until(owner, target, until, count=2)

    early = scheduled.access_expired_revoke(now=until - timedelta(seconds=1))
    assert early.as_data() == {"removed": 0, "already_gone": 0, "retrying": 0}
    assert all(upstream_roles(target.member_id, tid) == set(ROLES) for tid in tenant_ids)

    run = scheduled.access_expired_revoke(now=until + timedelta(seconds=1))

    assert sorted(run.removed) == sorted(tenant_ids)
    assert all(upstream_roles(target.member_id, tid) == set() for tid in tenant_ids)
    assert all(mirrored_roles(target, tid) is None for tid in tenant_ids)
    assert not AccessExpiry.objects.exists()
    revoke = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_REVOKE)
    assert revoke.actor_username == SCHEDULED_ACTOR_NAME and revoke.actor_id is None
    assert revoke.outcome == AuditOutcome.SUCCESS
    ended = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_EXPIRE)
    assert ended.actor_username == SCHEDULED_ACTOR_NAME
    assert sorted(ended.parameters["tenant_ids"]) == sorted(tenant_ids)
    assert ended.parameters["already_removed"] == []


def test_access_removed_elsewhere_is_recorded_as_done(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=2)
    until = timezone.now() + timedelta(minutes=5)
    upstream_only, mirrored_too = _grant_until(owner, target, until, count=2)
    # Removed in Auth0 behind the dashboard's back: the mirror still shows it, Auth0 says 404.
    SandboxTenantRole.objects.filter(
        member__member_id=target.member_id, tenant__tenant_id=upstream_only
    ).delete()
    # Removed and already seen by the directory sync: nothing needs sending.
    SandboxTenantRole.objects.filter(
        member__member_id=target.member_id, tenant__tenant_id=mirrored_too
    ).delete()
    DirectoryAccess.objects.filter(
        member=target.member, tenant__tenant_id=mirrored_too, removed_at__isnull=True
    ).update(removed_at=timezone.now())
    sandbox.clear_requests_log()

    run = scheduled.access_expired_revoke(now=until + timedelta(seconds=1))

    assert sorted(run.already_gone) == sorted([upstream_only, mirrored_too])
    assert run.retrying == [] and run.removed == []
    assert _deletes(sandbox) == 1  # only the one the mirror still showed was asked about
    assert not AccessExpiry.objects.exists()
    ended = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_EXPIRE)
    assert ended.outcome == AuditOutcome.SUCCESS
    assert "already been removed elsewhere" in ended.message
    assert scheduled.access_expired_revoke(now=until + timedelta(minutes=1)).as_data() == {
        "removed": 0,
        "already_gone": 0,
        "retrying": 0,
    }


def test_a_failed_revoke_stays_due_and_is_retried_after_the_backoff(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    until = timezone.now() + timedelta(minutes=5)
    [tenant_id] = _grant_until(owner, target, until)
    sandbox.set_faults(error_rate=1.0, error_statuses=[503])
    now = until + timedelta(seconds=1)

    failed = scheduled.access_expired_revoke(now=now)

    assert failed.retrying == [tenant_id]
    row = AccessExpiry.objects.get()
    assert row.attempts == 1 and row.claimed_until is None
    assert row.retry_at == now + scheduled.BACKOFF_FIRST
    assert row.last_error
    assert upstream_roles(target.member_id, tenant_id) == set(ROLES)
    sandbox.clear_faults()

    held_back = scheduled.access_expired_revoke(now=now + timedelta(seconds=10))
    assert held_back.removed == []
    retried = scheduled.access_expired_revoke(now=row.retry_at)

    assert retried.removed == [tenant_id]
    assert upstream_roles(target.member_id, tenant_id) == set()
    assert not AccessExpiry.objects.exists()


def test_a_row_claimed_by_another_run_is_left_to_it(
    sandbox: Sandbox, synced: AuthTenant, owner: User
) -> None:
    target = pick(synced)
    until = timezone.now() + timedelta(minutes=5)
    [tenant_id] = _grant_until(owner, target, until)
    now = until + timedelta(seconds=1)
    AccessExpiry.objects.update(claimed_until=now + scheduled.LEASE)
    sandbox.clear_requests_log()

    assert scheduled.access_expired_revoke(now=now).removed == []
    assert _deletes(sandbox) == 0
    # A crashed worker's claim lapses: the next run after the lease takes the row.
    assert scheduled.access_expired_revoke(now=now + scheduled.LEASE).removed == [tenant_id]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_concurrent_runs_revoke_once(sandbox: Sandbox, synced: AuthTenant, owner: User) -> None:
    target = pick(synced, free=3)
    until = timezone.now() + timedelta(minutes=5)
    tenant_ids = _grant_until(owner, target, until, count=3)
    sandbox.clear_requests_log()
    start = threading.Barrier(2)
    runs: list[scheduled.ExpiryRun] = []

    def run() -> None:
        try:
            start.wait()
            runs.append(scheduled.access_expired_revoke(now=until + timedelta(seconds=1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(tid for r in runs for tid in r.removed) == sorted(tenant_ids)
    assert AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_REVOKE).count() <= 2
    removed = [
        t
        for r in AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_REVOKE)
        for t in r.parameters["tenant_ids"]
    ]
    assert sorted(removed) == sorted(tenant_ids)  # each tenant sent once, by one run
    assert not AccessExpiry.objects.exists()


def test_the_beat_task_runs_through_celery(synced: AuthTenant, owner: User) -> None:
    target = pick(synced)
    [tenant_id] = _grant_until(owner, target, timezone.now() + timedelta(minutes=5))
    AccessExpiry.objects.update(ends_at=timezone.now() - timedelta(seconds=1))

    outcome = tasks.access_expired_revoke_task.apply().get()

    assert outcome == {"removed": 1, "already_gone": 0, "retrying": 0}
    assert upstream_roles(target.member_id, tenant_id) == set()


def test_extend_and_make_permanent_are_audited_and_removing_by_hand_clears_the_end(
    synced: AuthTenant, owner: User
) -> None:
    target = pick(synced, free=2)
    first, second = _grant_until(owner, target, timezone.now() + timedelta(hours=1), count=2)
    later = timezone.now() + timedelta(days=3)

    services.access_expiry_extend(
        actor=owner, auth_tenant=synced, member_id=target.member_id, tenant_id=first, until=later
    )
    services.access_expiry_remove(
        actor=owner, auth_tenant=synced, member_id=target.member_id, tenant_id=second
    )

    assert list(AccessExpiry.objects.values_list("tenant_id", "ends_at")) == [(first, later)]
    extend = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_EXTEND)
    assert extend.parameters["until"] == later.isoformat()
    assert AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_PERMANENT).count() == 1
    with pytest.raises(ServiceError, match="no end set"):
        services.access_expiry_remove(
            actor=owner, auth_tenant=synced, member_id=target.member_id, tenant_id=second
        )
    services.tenant_access_revoke(
        actor=owner, auth_tenant=synced, member_id=target.member_id, tenant_ids=[first]
    )
    assert not AccessExpiry.objects.exists()


def test_changing_roles_keeps_the_end(synced: AuthTenant, owner: User) -> None:
    target = pick(synced)
    until = timezone.now() + timedelta(hours=1)
    [tenant_id] = _grant_until(owner, target, until)

    services.tenant_access_change(
        actor=owner,
        auth_tenant=synced,
        member_id=target.member_id,
        tenant_ids=[tenant_id],
        roles=[TenantRole.EDITOR_USERS.value],
    )

    assert AccessExpiry.objects.get().ends_at == until


def test_helpdesk_cannot_extend(synced: AuthTenant, owner: User, helpdesk: User) -> None:
    target = pick(synced)
    [tenant_id] = _grant_until(owner, target, timezone.now() + timedelta(hours=1))

    with pytest.raises(PermissionDenied):
        services.access_expiry_remove(
            actor=helpdesk, auth_tenant=synced, member_id=target.member_id, tenant_id=tenant_id
        )
    assert AccessExpiry.objects.count() == 1


def test_a_rate_limited_revoke_waits_as_auth0_asks(
    sandbox: Sandbox, synced: AuthTenant, owner: User, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    target = pick(synced)
    until = timezone.now() + timedelta(minutes=5)
    [tenant_id] = _grant_until(owner, target, until)
    sandbox.set_faults(rate_limit_burst=1)
    now = until + timedelta(seconds=1)

    run = scheduled.access_expired_revoke(now=now)

    assert run.retrying == [tenant_id]
    row = AccessExpiry.objects.get()
    assert row.attempts == 1
    assert row.retry_at is not None and now < row.retry_at <= now + timedelta(minutes=1)
    assert upstream_roles(target.member_id, tenant_id) == set(ROLES)
    assert scheduled.access_expired_revoke(now=row.retry_at).removed == [tenant_id]


def test_beat_runs_the_scheduled_revoke_every_half_minute() -> None:
    entry = app.conf.beat_schedule["access-expired-revoke"]

    assert entry["task"] == tasknames.EXPIRED_REVOKE in app.tasks
    assert entry["schedule"] == 30.0
