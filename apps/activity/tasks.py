"""Celery tasks for the activity sync: ids in, services do the work."""

from __future__ import annotations

from celery import shared_task

from apps.activity import services
from apps.authtenants.models import AuthTenant
from apps.teamsapi.errors import RETRYABLE


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def activity_sync_task(auth_tenant_id: int, full: bool = False) -> None:
    """Sync one Auth Tenant's activity log; retried only when the API is unavailable or busy.

    Redelivery after a lost worker is harmless: the walk resumes from its checkpoint.
    """
    auth_tenant = AuthTenant.objects.filter(pk=auth_tenant_id, enabled=True).first()
    if auth_tenant is not None:
        services.activity_sync(auth_tenant=auth_tenant, full=full)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def activity_sync_all_task() -> None:
    """Enqueue an activity sync for every enabled Auth Tenant."""
    for pk in AuthTenant.objects.filter(enabled=True).values_list("pk", flat=True):
        activity_sync_task.delay(pk)
