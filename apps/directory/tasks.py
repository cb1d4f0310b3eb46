"""Celery tasks for the directory mirror, registered under the names the sync app owns."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.authtenants.models import AuthTenant
from apps.directory import follow, invitations, services
from apps.sync.tasknames import DIRECTORY_SYNC, INVITATIONS_EXPIRE
from apps.sync.tasks import sync_task

logger = logging.getLogger(__name__)


@sync_task(DIRECTORY_SYNC)
def directory_sync_task(auth_tenant: AuthTenant, full: bool) -> None:
    """Refresh one Auth Tenant's directory mirror; every refresh is full, so `full` changes nothing."""
    services.directory_sync(auth_tenant=auth_tenant)


@shared_task(name=INVITATIONS_EXPIRE)
def invitations_expire_task() -> int:
    """Store the expired state of pending invitations past the limit (pages already show it);
    returns how many changed, so a second run returns 0."""
    expired = follow.invitations_expire(invitations.expiry_cutoff())
    if expired:
        logger.info("invitations expired", extra={"count": expired})
    return expired
