"""Run bookkeeping every sync uses: the per-Auth-Tenant lease lock, SyncRun rows, pruning.

A feature service wraps its work in `with sync_run(...) as run:` and reports progress with
`run_progress`; this app never imports the apps whose work it records.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.core.capabilities import Capability, require
from apps.sync.alerts import sync_run_finished
from apps.sync.models import SyncKind, SyncLock, SyncRun, SyncStatus
from apps.sync.queue import sync_enqueue
from apps.teamsapi.errors import RETRYABLE

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

logger = logging.getLogger(__name__)

ALREADY_RUNNING = "already running"
WORKER_STOPPED = "the worker stopped before the run finished; the next run resumes it"


class SyncAborted(Exception):
    """A run stopped on purpose: malformed data from the API, or the lock was lost."""


class SyncNotCompleted(Exception):
    """A run that did not succeed; `run` is its SyncRun, already saved with the reason."""

    def __init__(self, run: SyncRun) -> None:
        super().__init__(f"{run.kind} sync of Auth Tenant {run.auth_tenant_id}: {run.error}")
        self.run = run

    def __reduce__(self) -> tuple[Any, ...]:
        # Worker pools pickle exceptions; the default would call __init__ with the message.
        return (type(self), (self.run,))


class SyncSkipped(SyncNotCompleted):
    """Another run of the same Auth Tenant and kind holds the lock; this one did nothing."""


class SyncFailed(SyncNotCompleted):
    """The run's work raised; the original exception is `__cause__`."""


class SyncRetryable(SyncFailed):
    """The run failed on a retryable Teams API error (unavailable, timed out, rate limited)."""


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


@contextmanager
def sync_run(*, auth_tenant: AuthTenant, kind: SyncKind, full: bool = False) -> Iterator[SyncRun]:
    """Record the block as one SyncRun, run under the Auth Tenant's lease for `kind`.

    Raises SyncSkipped (before the block runs) while another run holds the lease. When the
    block raises, the run is saved as failed with a short reason and SyncFailed (SyncRetryable
    for retryable API errors) is raised from the original; KeyboardInterrupt and the like are
    recorded and re-raised as they are. Each finished run logs one summary line.
    """
    run = SyncRun.objects.create(
        auth_tenant=auth_tenant, kind=kind, full=full, started_at=timezone.now()
    )
    if not lock_claim(auth_tenant=auth_tenant, kind=kind, holder=_holder(run)):
        _finish(run, SyncStatus.SKIPPED, ALREADY_RUNNING)
        raise SyncSkipped(run)
    # Runs still marked running for this tenant and kind lost their worker (the lease expired).
    SyncRun.objects.filter(
        auth_tenant=auth_tenant, kind=kind, status=SyncStatus.RUNNING, pk__lt=run.pk
    ).update(status=SyncStatus.FAILED, error=WORKER_STOPPED, finished_at=timezone.now())
    try:
        yield run
    except BaseException as exc:
        _finish(run, SyncStatus.FAILED, short_error(exc))
        if not isinstance(exc, Exception):
            raise
        failure = SyncRetryable if isinstance(exc, RETRYABLE) else SyncFailed
        raise failure(run) from exc
    _finish(run, SyncStatus.SUCCEEDED, "")


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
        sync_run_finished(run)
    level = logging.WARNING if status == SyncStatus.FAILED else logging.INFO
    logger.log(level, "%s", run_summary(run), extra={"auth_tenant": run.auth_tenant_id})


def run_summary(run: SyncRun) -> str:
    """One line saying what a finished run did, for the log and the sync commands."""
    if run.status == SyncStatus.SKIPPED:
        return f"{run.auth_tenant.name}: {run.kind} sync skipped: {run.error}"
    duration = run.duration_seconds or 0.0
    text = f"{run.auth_tenant.name}: {run.kind} sync {run.status} in {duration:.1f}s, "
    if run.kind == SyncKind.ACTIVITY:
        text += (
            f"{run.pages_fetched} pages, {run.requests_made} requests, "
            f"{run.events_created} new events, {run.events_present} already stored"
        )
    else:
        text += (
            f"{run.requests_made} requests, {run.rows_created} rows created, "
            f"{run.rows_updated} updated, {run.rows_removed} marked removed"
        )
    if run.status == SyncStatus.FAILED:
        text += f": {run.error}"
    return text


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
    """Enqueue a directory and an activity sync for the Auth Tenant once the transaction commits."""
    require(actor, Capability.SYNC_NOW)
    sync_enqueue(auth_tenant_id=auth_tenant.pk)
    logger.info("sync requested", extra={"auth_tenant": auth_tenant.pk, "user": actor.pk})
