"""Celery side of the sync: the policy every per-Auth-Tenant sync task shares, fan-out, pruning."""

from __future__ import annotations

from collections.abc import Callable

from celery import Task, shared_task

from apps.authtenants.models import AuthTenant
from apps.sync import services, tasknames
from apps.sync.queue import sync_enqueue
from apps.sync.services import SyncNotCompleted, SyncRetryable

RUN_RETENTION_DAYS = 30

SyncFunction = Callable[[AuthTenant, bool], object]


def sync_task(name: str) -> Callable[[SyncFunction], Task[[int, bool], None]]:
    """Register `sync(auth_tenant, full)` as the Celery task `name`, taking an Auth Tenant id.

    Disabled or deleted Auth Tenants are skipped. Only SyncRetryable failures (the Teams API
    unavailable, slow or rate limiting) are retried; a skipped or otherwise failed run is
    already recorded and logged by `sync_run`, so the task ends there.
    """

    def register(sync: SyncFunction) -> Task[[int, bool], None]:
        def run(auth_tenant_id: int, full: bool = False) -> None:
            auth_tenant = AuthTenant.objects.filter(pk=auth_tenant_id, enabled=True).first()
            if auth_tenant is None:
                return
            try:
                sync(auth_tenant, full)
            except SyncRetryable:
                raise
            except SyncNotCompleted:
                return

        run.__doc__ = sync.__doc__
        # Late acks and redelivery after a lost worker are safe: every sync resumes or repeats
        # idempotently.
        return shared_task(
            name=name,
            acks_late=True,
            reject_on_worker_lost=True,
            autoretry_for=(SyncRetryable,),
            retry_backoff=True,
            retry_backoff_max=300,
            retry_jitter=True,
            max_retries=5,
        )(run)

    return register


@shared_task(name=tasknames.SYNC_ALL, acks_late=True, reject_on_worker_lost=True)
def sync_all_task(kind: str) -> None:
    """Enqueue `kind`'s sync ("activity" or "directory") for every enabled Auth Tenant."""
    for pk in AuthTenant.objects.filter(enabled=True).values_list("pk", flat=True):
        sync_enqueue(auth_tenant_id=pk, kinds=[kind])


@shared_task(name=tasknames.RUNS_PRUNE)
def sync_runs_prune_task() -> int:
    """Delete sync runs older than the retention, keeping the last run per Auth Tenant and kind."""
    return services.sync_runs_prune(older_than_days=RUN_RETENTION_DAYS)
