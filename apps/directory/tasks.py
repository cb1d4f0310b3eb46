"""Celery task for the directory mirror, registered under the name the sync app enqueues."""

from __future__ import annotations

from apps.authtenants.models import AuthTenant
from apps.directory import services
from apps.sync.tasknames import DIRECTORY_SYNC
from apps.sync.tasks import sync_task


@sync_task(DIRECTORY_SYNC)
def directory_sync_task(auth_tenant: AuthTenant, full: bool) -> None:
    """Refresh one Auth Tenant's directory mirror; every refresh is full, so `full` changes nothing."""
    services.directory_sync(auth_tenant=auth_tenant)
