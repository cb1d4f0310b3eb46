"""Celery task for the activity sync, registered under the name the sync app enqueues."""

from __future__ import annotations

from apps.activity import services
from apps.authtenants.models import AuthTenant
from apps.sync.tasknames import ACTIVITY_SYNC
from apps.sync.tasks import sync_task


@sync_task(ACTIVITY_SYNC)
def activity_sync_task(auth_tenant: AuthTenant, full: bool) -> None:
    """Sync one Auth Tenant's activity log (`full`: walk it all again).

    Redelivery after a lost worker is harmless: the walk resumes from its checkpoint.
    """
    services.activity_sync(auth_tenant=auth_tenant, full=full)
