"""The directory tasks: registered under the sync's names, id in, mirror refreshed; invitations
expired hourly."""

from __future__ import annotations

import pytest

from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectorySnapshot
from apps.directory.tasks import directory_sync_task, invitations_expire_task
from apps.sync import tasknames
from apps.sync.models import SyncRun, SyncStatus
from apps.sync.services import SyncRetryable
from teamsadmin.celery import app
from tests.fixtures.sandbox import Sandbox


def test_directory_task_is_registered_under_the_sync_name_with_the_shared_retry_policy() -> None:
    assert directory_sync_task.name == tasknames.DIRECTORY_SYNC
    assert tuple(getattr(directory_sync_task, "autoretry_for", ())) == (SyncRetryable,)
    assert directory_sync_task.max_retries == 5


@pytest.mark.django_db(transaction=True)
def test_directory_task_refreshes_an_enabled_auth_tenant_and_skips_a_disabled_one(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    assert directory_sync_task.apply(args=(auth_tenant.pk,)).successful()
    AuthTenant.objects.filter(pk=auth_tenant.pk).update(enabled=False)
    assert directory_sync_task.apply(args=(auth_tenant.pk, True)).successful()

    assert list(SyncRun.objects.values_list("status", flat=True)) == [SyncStatus.SUCCEEDED]
    assert DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).count() == 1


def test_beat_stores_expired_invitations_hourly_under_the_sync_name() -> None:
    entry = app.conf.beat_schedule["invitations-expire"]
    assert (entry["task"], entry["schedule"]) == (tasknames.INVITATIONS_EXPIRE, 3600.0)
    assert invitations_expire_task.name == tasknames.INVITATIONS_EXPIRE
