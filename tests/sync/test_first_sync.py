"""A new Auth Tenant gets its first directory and activity sync at once, queued by task name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from apps.authtenants.management.commands._actor import command_actor
from apps.authtenants.models import AuthTenant
from apps.authtenants.sandbox import sandbox_auth_tenant_setup
from apps.directory.models import DirectoryMember
from apps.sync import tasknames
from apps.sync.models import SyncKind, SyncRun, SyncStatus
from apps.sync.tasks import sync_all_task
from tests.factories import AuthClientFactory, AuthTenantFactory
from tests.fixtures.sandbox import Sandbox
from tests.sync.conftest import Queued


def _both(pk: int) -> list[tuple[str, list[object]]]:
    return [(tasknames.DIRECTORY_SYNC, [pk]), (tasknames.ACTIVITY_SYNC, [pk])]


def _sandbox_root(sandbox: Sandbox) -> str:
    return sandbox.api_base_url.split("/teams/")[0]


@pytest.mark.django_db(transaction=True)
def test_an_auth_tenant_set_up_with_its_clients_is_synced_once(
    sandbox: Sandbox, queued: Queued
) -> None:
    auth_tenant, created = sandbox_auth_tenant_setup(
        actor=command_actor(), root=_sandbox_root(sandbox), name="New team"
    )

    assert created
    assert auth_tenant.clients.count() == 2  # three rows created, one first sync
    assert queued() == _both(auth_tenant.pk)


@pytest.mark.django_db
def test_an_auth_tenant_created_on_its_page_is_synced_when_its_first_client_is_added(
    queued: Queued, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        auth_tenant = AuthTenantFactory.create()
    assert queued() == []  # nothing could sync without a client

    with django_capture_on_commit_callbacks(execute=True):
        AuthClientFactory.create(auth_tenant=auth_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        AuthClientFactory.create(auth_tenant=auth_tenant)

    assert queued() == _both(auth_tenant.pk)


@pytest.mark.django_db
def test_only_kinds_never_synced_are_queued(
    queued: Queued, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    auth_tenant = AuthTenantFactory.create()
    SyncRun.objects.create(
        auth_tenant=auth_tenant,
        kind=SyncKind.ACTIVITY,
        status=SyncStatus.SUCCEEDED,
        started_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        AuthClientFactory.create(auth_tenant=auth_tenant)

    assert queued() == [(tasknames.DIRECTORY_SYNC, [auth_tenant.pk])]


@pytest.mark.django_db
def test_disabled_and_rolled_back_auth_tenants_are_not_synced(
    queued: Queued, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        disabled = AuthTenantFactory.create(enabled=False)
        AuthClientFactory.create(auth_tenant=disabled)
        with pytest.raises(RuntimeError), transaction.atomic():
            AuthClientFactory.create()  # and its Auth Tenant
            raise RuntimeError("rolled back")
        AuthClientFactory.create(auth_tenant=AuthTenantFactory.create(), enabled=False)

    assert queued() == []


@pytest.mark.django_db
def test_sync_all_queues_one_sync_per_enabled_auth_tenant(
    queued: Queued, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    first, second = AuthTenantFactory.create(), AuthTenantFactory.create()
    AuthTenantFactory.create(enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        sync_all_task.apply(args=("activity",))

    assert queued() == [
        (tasknames.ACTIVITY_SYNC, [first.pk]),
        (tasknames.ACTIVITY_SYNC, [second.pk]),
    ]


@pytest.fixture
def eager() -> Iterator[None]:
    current_app.conf.update(task_always_eager=True)
    yield
    current_app.conf.update(task_always_eager=False)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager")
def test_in_eager_mode_a_new_auth_tenant_is_synced_before_its_creation_returns(
    sandbox: Sandbox,
) -> None:
    auth_tenant, _ = sandbox_auth_tenant_setup(
        actor=command_actor(), root=_sandbox_root(sandbox), name="Synced at once"
    )

    runs = SyncRun.objects.filter(auth_tenant=auth_tenant)
    assert sorted(runs.values_list("kind", "status")) == [
        (SyncKind.ACTIVITY, SyncStatus.SUCCEEDED),
        (SyncKind.DIRECTORY, SyncStatus.SUCCEEDED),
    ]
    assert DirectoryMember.objects.filter(auth_tenant=auth_tenant).exists()
    assert AuthTenant.objects.get(pk=auth_tenant.pk).enabled
