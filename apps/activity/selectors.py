"""Reads over the local activity copy: filtered lists for auditors, the archive check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from apps.activity import chain
from apps.activity.models import ActivityEvent
from apps.core import hashchain
from apps.core.hashchain import ChainReport

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant


@dataclass(frozen=True)
class ActivityFilters:
    """What an auditor narrows the log by; empty values mean "any"."""

    type: str = ""
    status: str = ""
    actor: str = ""
    q: str = ""
    since: datetime | None = None
    until: datetime | None = None


def activity_list(
    *, auth_tenant: AuthTenant, filters: ActivityFilters | None = None
) -> QuerySet[ActivityEvent]:
    """The Auth Tenant's stored activity, newest first, narrowed by the filters."""
    filters = filters or ActivityFilters()
    events = ActivityEvent.objects.filter(auth_tenant=auth_tenant)
    if filters.type:
        events = events.filter(type=filters.type)
    if filters.status:
        events = events.filter(status=filters.status)
    if filters.actor:
        events = events.filter(Q(actor_id=filters.actor) | Q(actor_name__icontains=filters.actor))
    if filters.since is not None:
        events = events.filter(created_at__gte=filters.since)
    if filters.until is not None:
        events = events.filter(created_at__lt=filters.until)
    if filters.q:
        events = events.filter(
            Q(current_event__icontains=filters.q)
            | Q(actor_name__icontains=filters.q)
            | Q(ip__icontains=filters.q)
            | Q(hostname__icontains=filters.q)
        )
    return events.order_by("-created_at", "-external_id")


def archive_verify(*, auth_tenant: AuthTenant) -> list[ChainReport]:
    """Recompute the Auth Tenant's archive chains (activity log, dashboard actions)."""
    return hashchain.verify_archive(auth_tenant.pk)


def archive_head(*, auth_tenant: AuthTenant) -> str:
    """The hash of the Auth Tenant's latest stored event: what an export can carry."""
    return chain.chain_head(auth_tenant)
