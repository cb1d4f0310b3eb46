"""A new Auth Tenant gets its first directory and activity sync at once.

The Auth Tenants app knows nothing of syncing, so the sync reacts to its rows being created.
On the pages an Auth Tenant is created first and its clients are added afterwards, so the
first sync waits for an enabled client: it is queued when the Auth Tenant or a client is
created, for each kind that has not succeeded yet, once the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

from apps.authtenants.models import AuthClient, AuthTenant
from apps.sync.models import SyncRun, SyncStatus
from apps.sync.queue import DEFAULT_KINDS, sync_enqueue

# Creating an Auth Tenant with its clients fires once per row; the first firing queues the sync
# and the others within this window find it queued (the cache is shared by web and workers).
FIRST_SYNC_WINDOW_SECONDS = 60


def auth_tenant_created(sender: Any, instance: AuthTenant, created: bool, **kwargs: Any) -> None:
    if created and instance.enabled and not kwargs.get("raw"):
        _first_sync_on_commit(instance.pk)


def auth_client_created(sender: Any, instance: AuthClient, created: bool, **kwargs: Any) -> None:
    if created and instance.enabled and not kwargs.get("raw"):
        _first_sync_on_commit(instance.auth_tenant_id)


def _first_sync_on_commit(auth_tenant_id: int) -> None:
    # Decided after commit: clients created in the same transaction count.
    transaction.on_commit(lambda: first_sync(auth_tenant_id), robust=True)


def first_sync(auth_tenant_id: int) -> None:
    """Queue each kind of sync the Auth Tenant has never completed, if it can sync at all."""
    ready = AuthTenant.objects.filter(
        pk=auth_tenant_id, enabled=True, clients__enabled=True
    ).exists()
    if not ready or not cache.add(f"sync:first:{auth_tenant_id}", 1, FIRST_SYNC_WINDOW_SECONDS):
        return
    synced = set(
        SyncRun.objects.filter(
            auth_tenant_id=auth_tenant_id, status=SyncStatus.SUCCEEDED
        ).values_list("kind", flat=True)
    )
    kinds = [kind for kind in DEFAULT_KINDS if kind not in synced]
    sync_enqueue(auth_tenant_id=auth_tenant_id, kinds=kinds)
