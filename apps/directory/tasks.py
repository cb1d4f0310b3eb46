"""Celery tasks for the directory mirror: ids in, services do the work."""

from __future__ import annotations

from celery import shared_task

from apps.authtenants.models import AuthTenant
from apps.directory import services
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
def directory_sync_task(auth_tenant_id: int) -> None:
    """Refresh one Auth Tenant's directory mirror; retried only when the API is unavailable or busy."""
    auth_tenant = AuthTenant.objects.filter(pk=auth_tenant_id, enabled=True).first()
    if auth_tenant is not None:
        services.directory_sync(auth_tenant=auth_tenant)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def directory_sync_all_task() -> None:
    """Enqueue a directory refresh for every enabled Auth Tenant."""
    for pk in AuthTenant.objects.filter(enabled=True).values_list("pk", flat=True):
        directory_sync_task.delay(pk)
