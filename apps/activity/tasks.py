"""Celery tasks for the activity log: the sync (under the name the sync app enqueues), retention."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from apps.activity import chain, services
from apps.authtenants.models import AuthTenant
from apps.sync.tasknames import ACTIVITY_PRUNE, ACTIVITY_SYNC
from apps.sync.tasks import sync_task

logger = logging.getLogger(__name__)


@sync_task(ACTIVITY_SYNC)
def activity_sync_task(auth_tenant: AuthTenant, full: bool) -> None:
    """Sync one Auth Tenant's activity log (`full`: walk it all again).

    Redelivery after a lost worker is harmless: the walk resumes from its checkpoint.
    """
    services.activity_sync(auth_tenant=auth_tenant, full=full)


@shared_task(name=ACTIVITY_PRUNE)
def activity_prune_task() -> int:
    """Delete every Auth Tenant's events older than TEAMSADMIN_ACTIVITY_RETENTION_DAYS (unset:
    none); returns how many went. An archive that does not verify is logged and left whole."""
    days = settings.TEAMSADMIN_ACTIVITY_RETENTION_DAYS
    if days is None:
        return 0
    deleted = 0
    for auth_tenant in AuthTenant.objects.order_by("pk"):
        try:
            record = services.activity_prune(auth_tenant=auth_tenant, older_than_days=days)
        except chain.ArchiveBroken as error:
            logger.error("activity not pruned: %s", error, extra={"auth_tenant": auth_tenant.pk})
            continue
        deleted += record.count if record is not None else 0
    return deleted
