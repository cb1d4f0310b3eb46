"""The sync status page: every role views it, only owners start a sync, running runs poll live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from apps.authtenants.models import AuthTenant
from apps.sync import tasknames
from apps.sync.models import SyncKind, SyncRun, SyncStatus
from tests.factories import AuthTenantFactory
from tests.sync.conftest import Queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant() -> AuthTenant:
    tenant = AuthTenantFactory.create(name="Acme")
    now = timezone.now()
    SyncRun.objects.create(
        auth_tenant=tenant,
        kind=SyncKind.ACTIVITY,
        status=SyncStatus.SUCCEEDED,
        started_at=now - timedelta(minutes=3),
        finished_at=now - timedelta(minutes=3),
        events_created=42,
        requests_made=2,
    )
    SyncRun.objects.create(
        auth_tenant=tenant,
        kind=SyncKind.DIRECTORY,
        status=SyncStatus.FAILED,
        started_at=now - timedelta(minutes=1),
        finished_at=now,
        error="The Teams API is unavailable right now.",
    )
    return tenant


def test_auditor_sees_freshness_and_failures_but_no_sync_button(
    auditor_client: Client, tenant: AuthTenant
) -> None:
    response = auditor_client.get(reverse("sync:status"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "activity 3\xa0minutes old" in body
    assert "42 new events" in body
    assert "The Teams API is unavailable right now." in body
    assert "Sync now" not in body


def test_running_run_shows_live_progress_in_the_polled_partial(
    helpdesk_client: Client, tenant: AuthTenant
) -> None:
    started = timezone.now() - timedelta(seconds=10)
    SyncRun.objects.create(
        auth_tenant=tenant,
        kind=SyncKind.ACTIVITY,
        started_at=started,
        heartbeat_at=started + timedelta(seconds=10),
        pages_fetched=40,
        events_created=2000,
    )

    response = helpdesk_client.get(reverse("sync:status"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="sync-status-list"')
    assert "every 2s" in body
    assert "40 pages fetched, 2000 events stored, 200/s" in body


def test_owner_sync_now_enqueues_both_syncs_by_name_after_commit(
    owner_client: Client,
    tenant: AuthTenant,
    queued: Queued,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post(reverse("sync:sync-now", args=[tenant.pk]))

    assert response.status_code == 302
    assert queued() == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert queued() == [
        (tasknames.DIRECTORY_SYNC, [tenant.pk]),
        (tasknames.ACTIVITY_SYNC, [tenant.pk]),
    ]


@pytest.mark.parametrize("persona", ["auditor_client", "helpdesk_client"])
def test_only_owners_may_start_a_sync(
    request: pytest.FixtureRequest, persona: str, tenant: AuthTenant
) -> None:
    client: Client = request.getfixturevalue(persona)

    response = client.post(reverse("sync:sync-now", args=[tenant.pk]))

    assert response.status_code == 403


def test_owner_sees_the_sync_button_and_the_nav_entry(
    owner_client: Client, tenant: AuthTenant
) -> None:
    body = owner_client.get(reverse("sync:status")).content.decode()

    assert "Sync now" in body
    assert f'href="{reverse("sync:status")}"' in body
