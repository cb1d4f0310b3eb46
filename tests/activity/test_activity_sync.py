"""activity_sync over real HTTP: exactness, request economy, identical timestamps, new entries."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from apps.activity import services
from apps.activity.models import ActivityEvent
from apps.authtenants.models import AuthTenant
from apps.sandbox import control
from apps.sandbox.models import SandboxActivity
from apps.sync.models import SyncStatus
from tests.activity.conftest import ACTIVITY_PATH, assert_exact, checkpoint
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _to_ms(moment: datetime) -> datetime:
    """The API sends timestamps with millisecond precision (contract §3)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _activity_requests(sandbox: Sandbox) -> int:
    return len(sandbox.requests_log(path_contains=ACTIVITY_PATH))


def test_first_sync_backfills_ten_thousand_entries_at_the_request_floor(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    sandbox.seed(tenants=8, members=30, activity=10_000, seed=2)
    sandbox.clear_requests_log()

    run = services.activity_sync(auth_tenant=auth_tenant)

    assert run.status == SyncStatus.SUCCEEDED, run.error
    assert run.events_created == 10_000
    assert run.events_present == 0
    assert _activity_requests(sandbox) == math.ceil(10_000 / 50) == run.requests_made
    assert run.pages_fetched == 200
    assert_exact(auth_tenant)
    newest = SandboxActivity.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
    assert checkpoint(auth_tenant).since == _to_ms(newest)
    assert not checkpoint(auth_tenant).walk_in_progress


def test_idle_sync_costs_exactly_one_request(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    sandbox.clear_requests_log()

    run = services.activity_sync(auth_tenant=auth_tenant)

    assert run.status == SyncStatus.SUCCEEDED
    assert run.events_created == 0
    assert run.events_present == 1  # the inclusive `since` boundary entry
    assert _activity_requests(sandbox) == 1 == run.requests_made


@pytest.mark.parametrize("new_entries", [1, 49, 100, 130])
def test_new_entries_arrive_next_run_at_the_request_floor_plus_one(
    sandbox: Sandbox, auth_tenant: AuthTenant, new_entries: int
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    start = timezone.now() - timedelta(seconds=5)
    for i in range(new_entries):
        control.add_activity(
            team_slug=sandbox.team_slug, count=1, created_at=start + timedelta(milliseconds=i * 20)
        )
    sandbox.clear_requests_log()

    run = services.activity_sync(auth_tenant=auth_tenant)

    assert run.events_created == new_entries
    requests = _activity_requests(sandbox)
    assert math.ceil(new_entries / 50) <= requests <= math.ceil(new_entries / 50) + 1
    # New entries plus the one boundary entry the inclusive `since` repeats.
    assert requests == math.ceil((new_entries + 1) / 50)
    assert_exact(auth_tenant)


def test_identical_created_at_across_a_page_boundary_is_neither_lost_nor_doubled(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    services.activity_sync(auth_tenant=auth_tenant)
    moment = _to_ms(timezone.now() - timedelta(seconds=3))
    sandbox.add_activity(75, created_at=moment)

    first = services.activity_sync(auth_tenant=auth_tenant)
    assert first.events_created == 75
    assert_exact(auth_tenant)

    # More entries at the very same instant, after the checkpoint reached it.
    sandbox.add_activity(30, created_at=moment)
    second = services.activity_sync(auth_tenant=auth_tenant)

    assert second.events_created == 30
    assert second.events_present == 75
    assert_exact(auth_tenant)
    assert ActivityEvent.objects.filter(auth_tenant=auth_tenant, created_at=moment).count() == 105


def test_full_resync_stores_nothing_twice(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    services.activity_sync(auth_tenant=auth_tenant)

    run = services.activity_sync(auth_tenant=auth_tenant, full=True)

    assert run.status == SyncStatus.SUCCEEDED
    assert run.events_created == 0
    assert run.events_present == 120
    assert_exact(auth_tenant)


def test_events_keep_every_field_of_the_entry(sandbox: Sandbox, auth_tenant: AuthTenant) -> None:
    services.activity_sync(auth_tenant=auth_tenant)

    for upstream in SandboxActivity.objects.all()[:20]:
        event = ActivityEvent.objects.get(auth_tenant=auth_tenant, external_id=upstream.id)
        assert event.created_at == _to_ms(upstream.created_at)
        assert event.type == upstream.type
        assert event.status == upstream.status
        assert event.current_event == upstream.current_event
        assert event.actor_id == upstream.actor["id"]
        assert event.actor_type == upstream.actor["type"]
        assert event.details == upstream.details
        assert event.ip == upstream.ip
        assert event.hostname == upstream.hostname
        assert event.user_agent == upstream.user_agent
        assert event.version == upstream.version
