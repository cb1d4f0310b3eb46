"""The activity tasks' wiring: JSON arguments, retry policy, eager execution, the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.activity.tasks import activity_sync_task
from apps.authtenants.models import AuthTenant
from apps.sync import tasknames
from apps.sync.models import SyncRun, SyncStatus
from apps.sync.services import SyncRetryable
from teamsadmin.celery import app
from tests.activity.conftest import assert_exact
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_activity_task_is_registered_under_the_sync_name_and_retries_only_retryable_runs() -> None:
    assert activity_sync_task.name == tasknames.ACTIVITY_SYNC
    assert tasknames.ACTIVITY_SYNC in app.tasks
    assert tuple(getattr(activity_sync_task, "autoretry_for", ())) == (SyncRetryable,)
    assert activity_sync_task.max_retries == 5
    assert getattr(activity_sync_task, "retry_backoff", False)
    assert activity_sync_task.acks_late
    assert activity_sync_task.reject_on_worker_lost


def test_beat_schedule_runs_both_syncs_and_the_prune(settings: SettingsWrapper) -> None:
    schedule = app.conf.beat_schedule
    assert schedule["activity-sync-all"]["task"] == tasknames.SYNC_ALL
    assert schedule["activity-sync-all"]["args"] == ("activity",)
    assert schedule["activity-sync-all"]["schedule"] == settings.TEAMSADMIN_SYNC_INTERVAL_SECONDS
    assert schedule["directory-sync-all"]["args"] == ("directory",)
    assert schedule["sync-runs-prune"]["task"] == tasknames.RUNS_PRUNE
    assert schedule["sync-runs-prune"]["schedule"] == 86400
    assert schedule["activity-prune"]["task"] == tasknames.ACTIVITY_PRUNE in app.tasks
    assert schedule["activity-prune"]["schedule"] == 86400


def test_activity_task_runs_eagerly_and_retries_a_rate_limited_attempt(
    sandbox: Sandbox, auth_tenant: AuthTenant, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0
    sandbox.set_faults(rate_limit_burst=1)
    args = tuple(json.loads(json.dumps([auth_tenant.pk, False])))  # what a broker would carry

    result = activity_sync_task.apply(args=args)

    assert result.successful(), result.traceback
    runs = list(SyncRun.objects.filter(auth_tenant=auth_tenant).order_by("pk"))
    assert [run.status for run in runs] == [SyncStatus.FAILED, SyncStatus.SUCCEEDED]
    assert "rate limit" in runs[0].error.lower()
    assert_exact(auth_tenant)


def test_activity_task_gives_up_after_a_non_retryable_failure(
    sandbox: Sandbox, auth_tenant: AuthTenant
) -> None:
    auth_tenant.clients.update(enabled=False)

    result = activity_sync_task.apply(args=(auth_tenant.pk,))

    assert result.successful()
    run = SyncRun.objects.get(auth_tenant=auth_tenant)
    assert run.status == SyncStatus.FAILED
    assert "read:team_activity" in run.error


def test_sync_activity_command_prints_a_summary(
    sandbox: Sandbox, auth_tenant: AuthTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("sync_activity", "--auth-tenant", auth_tenant.name)
    call_command("sync_activity", "--auth-tenant", str(auth_tenant.pk), "--full")

    lines = capsys.readouterr().out.strip().splitlines()
    assert "activity sync succeeded" in lines[0]
    assert "120 new events" in lines[0]
    assert "0 new events, 120 already stored" in lines[1]


def test_sync_activity_command_prints_a_failed_run_and_fails(
    sandbox: Sandbox, auth_tenant: AuthTenant, capsys: pytest.CaptureFixture[str]
) -> None:
    auth_tenant.clients.update(enabled=False)

    with pytest.raises(CommandError, match="The activity sync failed"):
        call_command("sync_activity", "--auth-tenant", auth_tenant.name)

    line = capsys.readouterr().out.strip()
    assert "activity sync failed" in line
    assert line.endswith(SyncRun.objects.get(auth_tenant=auth_tenant).error)


def test_sync_activity_command_rejects_an_unknown_auth_tenant(db: None) -> None:
    with pytest.raises(CommandError, match="No Auth Tenant is named 'nope'"):
        call_command("sync_activity", "--auth-tenant", "nope")
