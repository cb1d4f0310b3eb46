"""Owners hear when a sync keeps failing, and when it works again: one email per change.

Decided from the runs themselves, so no extra state can drift: the run that makes the streak
of failures TEAMSADMIN_ALERT_SYNC_FAILURES long sends the alert, and the first success after
such a streak sends the recovery. Runs of one Auth Tenant and kind never overlap (the lease),
so two finishing runs cannot both see themselves as that run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from apps.core.notify import email_owners
from apps.sync.models import SyncRun, SyncStatus


def _recent_outcomes(run: SyncRun, count: int) -> list[str]:
    """Statuses of the newest `count` finished runs (skipped ones aside), newest first."""
    return list(
        SyncRun.objects.filter(
            auth_tenant_id=run.auth_tenant_id,
            kind=run.kind,
            status__in=(SyncStatus.SUCCEEDED, SyncStatus.FAILED),
            pk__lte=run.pk,
        )
        .order_by("-pk")
        .values_list("status", flat=True)[:count]
    )


def sync_run_finished(run: SyncRun) -> None:
    """Email owners if this run starts a streak of failures or ends one."""
    if run.status not in (SyncStatus.SUCCEEDED, SyncStatus.FAILED):
        return
    streak = settings.TEAMSADMIN_ALERT_SYNC_FAILURES
    outcomes = _recent_outcomes(run, streak + 1)
    failed = [status == SyncStatus.FAILED for status in outcomes]
    if run.status == SyncStatus.FAILED:
        # This run is the streak-th failure in a row: the run before the streak (if any) was not.
        starts_streak = len(failed) >= streak and all(failed[:streak])
        if starts_streak and (len(failed) == streak or not failed[streak]):
            transaction.on_commit(lambda: _email(run, streak, failing=True), robust=True)
    elif len(failed) == streak + 1 and all(failed[1:]):
        transaction.on_commit(lambda: _email(run, streak, failing=False), robust=True)


def _email(run: SyncRun, streak: int, *, failing: bool) -> None:
    name, kind = run.auth_tenant.name, run.get_kind_display().lower()
    page = reverse("sync:status")
    if failing:
        subject = f"{run.get_kind_display()} sync of {name} failed {streak} times in a row"
        body = (
            f"The last {streak} {kind} syncs of the Auth Tenant {name} failed.\n\n"
            f"Last error: {run.error or 'none recorded'}\n\n"
            f"The local copy is not updated until a sync succeeds; you will get one more message "
            f"when one does. See {page} on the dashboard."
        )
    else:
        subject = f"{run.get_kind_display()} sync of {name} works again"
        body = (
            f"A {kind} sync of the Auth Tenant {name} succeeded after {streak} or more failures "
            "in a row; the local copy is being updated again."
        )
    email_owners(subject=subject, body=body)
