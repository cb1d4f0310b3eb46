"""Run bookkeeping shared by every sync: the per-Auth-Tenant lease lock, SyncRun rows, pruning."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.sync.models import SyncKind, SyncLock, SyncRun, SyncStatus

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

logger = logging.getLogger(__name__)

ALREADY_RUNNING = "already running"
WORKER_STOPPED = "the worker stopped before the run finished; the next run resumes it"


class SyncAborted(Exception):
    """A run stopped on purpose: malformed data from the API, or the lock was lost."""


def lease_seconds() -> int:
    return int(settings.TEAMSADMIN_SYNC_LOCK_LEASE_SECONDS)


def lock_claim(*, auth_tenant: AuthTenant, kind: str, holder: str) -> bool:
    """Take the lease if it is free or expired; one conditional UPDATE decides between racers."""
    SyncLock.objects.bulk_create(
        [SyncLock(auth_tenant=auth_tenant, kind=kind)], ignore_conflicts=True
    )
    now = timezone.now()
    claimed = (
        SyncLock.objects.filter(auth_tenant=auth_tenant, kind=kind)
        .filter(Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=now + timedelta(seconds=lease_seconds()))
    )
    return claimed == 1


def lock_renew(*, auth_tenant: AuthTenant, kind: str, holder: str) -> None:
    """Extend the lease; raise SyncAborted when another worker took it over meanwhile."""
    renewed = SyncLock.objects.filter(auth_tenant=auth_tenant, kind=kind, holder=holder).update(
        expires_at=timezone.now() + timedelta(seconds=lease_seconds())
    )
    if renewed != 1:
        raise SyncAborted("the sync lock expired and another worker took over")


def lock_release(*, auth_tenant: AuthTenant, kind: str, holder: str) -> None:
    SyncLock.objects.filter(auth_tenant=auth_tenant, kind=kind, holder=holder).update(
        holder="", expires_at=None
    )


def run_progress(run: SyncRun, **counters: int) -> None:
    """Store the run's counters and renew its lock; call inside the page's transaction."""
    now = timezone.now()
    lock_renew(auth_tenant=run.auth_tenant, kind=run.kind, holder=_holder(run))
    for name, value in counters.items():
        setattr(run, name, value)
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=now, **counters)


def short_error(exc: BaseException) -> str:
    """A one-line reason for people; API errors carry a `.message` written for them."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return str(message).splitlines()[0][:480]


def _holder(run: SyncRun) -> str:
    return f"run-{run.pk}"


def sync_execute(
    *,
    auth_tenant: AuthTenant,
    kind: SyncKind,
    full: bool,
    work: Callable[[SyncRun], None],
    reraise: tuple[type[BaseException], ...] = (),
) -> SyncRun:
    """Run `work` under the Auth Tenant's lock and record it as a SyncRun.

    A second run for the same Auth Tenant and kind is recorded as skipped ("already running").
    Every failure is recorded on the run with a short reason; exceptions of the `reraise`
    classes propagate afterwards (so Celery can retry them), all others are swallowed.
    """
    run = SyncRun.objects.create(
        auth_tenant=auth_tenant, kind=kind, full=full, started_at=timezone.now()
    )
    if not lock_claim(auth_tenant=auth_tenant, kind=kind, holder=_holder(run)):
        run.status = SyncStatus.SKIPPED
        run.error = ALREADY_RUNNING
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
        return run
    # Runs still marked running for this tenant and kind lost their worker (the lease expired).
    SyncRun.objects.filter(
        auth_tenant=auth_tenant, kind=kind, status=SyncStatus.RUNNING, pk__lt=run.pk
    ).update(status=SyncStatus.FAILED, error=WORKER_STOPPED, finished_at=timezone.now())
    try:
        work(run)
    except BaseException as exc:
        _finish(run, SyncStatus.FAILED, short_error(exc))
        logger.warning(
            "sync failed",
            extra={"auth_tenant": auth_tenant.pk, "kind": kind, "reason": run.error},
        )
        if isinstance(exc, reraise) or not isinstance(exc, Exception):
            raise
        return run
    _finish(run, SyncStatus.SUCCEEDED, "")
    return run


def _finish(run: SyncRun, status: SyncStatus, error: str) -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(
            update_fields=[
                "status",
                "error",
                "finished_at",
                "pages_fetched",
                "requests_made",
                "events_created",
                "events_present",
                "rows_created",
                "rows_updated",
                "rows_removed",
            ]
        )
        lock_release(auth_tenant=run.auth_tenant, kind=run.kind, holder=_holder(run))


def sync_runs_prune(*, older_than_days: int = 30) -> int:
    """Delete finished runs older than the cutoff, keeping the newest run per tenant and kind."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    keep = set(
        SyncRun.objects.values("auth_tenant", "kind")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    deleted, _ = (
        SyncRun.objects.filter(started_at__lt=cutoff)
        .exclude(status=SyncStatus.RUNNING)
        .exclude(pk__in=keep)
        .delete()
    )
    return deleted


def sync_now(*, actor: Any, auth_tenant: AuthTenant) -> None:
    """Enqueue an activity and a directory sync for the Auth Tenant once the transaction commits."""
    from apps.activity.tasks import activity_sync_task
    from apps.core.capabilities import Capability, require
    from apps.directory.tasks import directory_sync_task

    require(actor, Capability.SYNC_NOW)
    pk = auth_tenant.pk
    transaction.on_commit(lambda: activity_sync_task.delay(pk))
    transaction.on_commit(lambda: directory_sync_task.delay(pk))
    logger.info("sync requested", extra={"auth_tenant": pk, "user": actor.pk})
