"""Reads over the local directory mirror: tenants, members, access now and on a past date."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from apps.directory.models import (
    DirectoryAccess,
    DirectoryMember,
    DirectorySnapshot,
    DirectoryTenant,
)

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant


def tenant_list(*, auth_tenant: AuthTenant) -> QuerySet[DirectoryTenant]:
    """The team's current tenants, by name."""
    return DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)


def member_list(*, auth_tenant: AuthTenant) -> QuerySet[DirectoryMember]:
    """The team's current members, by email."""
    return DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)


def member_search(*, auth_tenant: AuthTenant, q: str) -> QuerySet[DirectoryMember]:
    """Current members whose email, name, nickname or id contains `q` (case-insensitive)."""
    members = member_list(auth_tenant=auth_tenant)
    q = q.strip()
    if not q:
        return members
    return members.filter(
        Q(email__icontains=q)
        | Q(name__icontains=q)
        | Q(nickname__icontains=q)
        | Q(member_id__icontains=q)
    )


def member_access(*, member: DirectoryMember) -> QuerySet[DirectoryAccess]:
    """The tenants the member can access now, with their tenant roles."""
    return member.accesses.filter(removed_at__isnull=True).select_related("tenant")


def access_on(*, auth_tenant: AuthTenant, at: datetime) -> QuerySet[DirectoryAccess]:
    """Who had access to which tenant at `at`, as far as the snapshots taken so far show."""
    return (
        DirectoryAccess.objects.filter(auth_tenant=auth_tenant, first_seen_at__lte=at)
        .filter(Q(removed_at__isnull=True) | Q(removed_at__gt=at))
        .select_related("member", "tenant")
        .order_by("tenant__tenant_name", "member__email")
    )


def snapshot_latest(*, auth_tenant: AuthTenant) -> DirectorySnapshot | None:
    """The Auth Tenant's most recent directory snapshot, if any."""
    return DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).first()
