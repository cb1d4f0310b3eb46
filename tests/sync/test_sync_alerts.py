"""Owners are emailed when a sync has failed N times in a row, and once when it works again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks as CaptureOnCommit
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.accounts.services import user_ensure
from apps.authtenants.models import AuthTenant
from apps.core.capabilities import Role
from apps.sync.models import SyncKind, SyncRun, SyncStatus
from apps.sync.services import SyncFailed, sync_run
from tests.core.test_metrics_endpoint import TOKEN, samples
from tests.factories import AuthTenantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_with_email(db: None) -> User:
    user, _ = user_ensure(username="olga", password="pw", role=Role.OWNER, email="olga@example.com")
    return user


def _run(auth_tenant: AuthTenant, *, fail: bool, kind: SyncKind = SyncKind.ACTIVITY) -> None:
    if not fail:
        with sync_run(auth_tenant=auth_tenant, kind=kind):
            return
    with pytest.raises(SyncFailed), sync_run(auth_tenant=auth_tenant, kind=kind):
        raise RuntimeError("The Teams API is unavailable right now.")


def test_ten_failed_syncs_send_one_email_and_a_success_one_more(
    owner_with_email: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    tenant = AuthTenantFactory.create(name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        _run(tenant, fail=False)
        for _ in range(10):
            _run(tenant, fail=True)
    assert [m.subject for m in mail.outbox] == [
        "[Teams Admin] Activity log sync of Acme failed 3 times in a row"
    ]
    assert mail.outbox[0].to == ["olga@example.com"]
    assert "The Teams API is unavailable right now." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        _run(tenant, fail=False)
        _run(tenant, fail=False)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject == "[Teams Admin] Activity log sync of Acme works again"


def test_the_streak_length_comes_from_settings_and_each_kind_counts_alone(
    owner_with_email: User,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    settings.TEAMSADMIN_ALERT_SYNC_FAILURES = 2
    tenant = AuthTenantFactory.create(name="Acme")
    with django_capture_on_commit_callbacks(execute=True):
        _run(tenant, fail=True)
        _run(tenant, fail=True, kind=SyncKind.DIRECTORY)
        _run(tenant, fail=False)
        _run(tenant, fail=True)
        assert mail.outbox == []
        _run(tenant, fail=True)
    assert [m.subject for m in mail.outbox] == [
        "[Teams Admin] Activity log sync of Acme failed 2 times in a row"
    ]


def test_a_success_after_fewer_failures_sends_nothing(
    owner_with_email: User, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    tenant = AuthTenantFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        _run(tenant, fail=True)
        _run(tenant, fail=True)
        _run(tenant, fail=False)
    assert mail.outbox == []


def test_metrics_show_sync_lag_and_last_success(client: Client, settings: SettingsWrapper) -> None:
    settings.TEAMSADMIN_METRICS_TOKEN = TOKEN
    tenant = AuthTenantFactory.create()
    now = timezone.now()
    for minutes, status in (
        (30, SyncStatus.SUCCEEDED),
        (10, SyncStatus.SUCCEEDED),
        (2, SyncStatus.FAILED),
    ):
        SyncRun.objects.create(
            auth_tenant=tenant,
            kind=SyncKind.ACTIVITY,
            status=status,
            started_at=now - timedelta(minutes=minutes),
            finished_at=now - timedelta(minutes=minutes - 1),
        )
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    found = samples(response.content.decode())
    labels = (("auth_tenant", str(tenant.pk)), ("kind", "activity"))
    lag = found[("teamsadmin_sync_lag_seconds", labels)]
    assert 600 <= lag < 700
    last = found[("teamsadmin_sync_last_success_timestamp_seconds", labels)]
    assert last == pytest.approx((now - timedelta(minutes=9)).timestamp(), abs=1)
    # Never succeeded: no figure at all, so an alert on its absence can fire.
    assert (
        "teamsadmin_sync_lag_seconds",
        (("auth_tenant", str(tenant.pk)), ("kind", "directory")),
    ) not in found
