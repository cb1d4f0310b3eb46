"""Reads for the Tenants pages, over the local directory mirror (fast, searchable, no API calls)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from apps.authtenants.models import AuthTenant
from apps.directory import selectors as directory
from apps.directory.models import DirectoryAccess, DirectoryTenant


@dataclass(frozen=True)
class TenantFilters:
    q: str = ""
    environment: str = ""
    environment_tag: str = ""


def tenant_list(*, auth_tenant: AuthTenant, filters: TenantFilters) -> QuerySet[DirectoryTenant]:
    """Current tenants matching the filters, by name, each with its count of members with access."""
    tenants = directory.tenant_list(auth_tenant=auth_tenant)
    if filters.q:
        tenants = tenants.filter(
            Q(tenant_name__icontains=filters.q) | Q(domain__icontains=filters.q)
        )
    if filters.environment:
        tenants = tenants.filter(environment=filters.environment)
    if filters.environment_tag:
        tenants = tenants.filter(environment_tag=filters.environment_tag)
    return tenants.annotate(
        member_count=Count("accesses", filter=Q(accesses__removed_at__isnull=True))
    ).order_by("tenant_name")


def tenant_environments(*, auth_tenant: AuthTenant) -> list[str]:
    """The environments the team's current tenants live in, for the filter."""
    return list(
        directory.tenant_list(auth_tenant=auth_tenant)
        .order_by("environment")
        .values_list("environment", flat=True)
        .distinct()
    )


def tenant_get(*, auth_tenant: AuthTenant, tenant_id: str) -> DirectoryTenant | None:
    """One tenant of the mirror (current or removed), or None."""
    return DirectoryTenant.objects.filter(auth_tenant=auth_tenant, tenant_id=tenant_id).first()


def tenant_access_list(*, tenant: DirectoryTenant) -> QuerySet[DirectoryAccess]:
    """Everyone who can or could access the tenant: current access first, then past periods."""
    return (
        DirectoryAccess.objects.filter(tenant=tenant)
        .select_related("member")
        .order_by(
            # Current grants (removed_at NULL) first, then the most recently removed.
            F("removed_at").desc(nulls_first=True), "member__email"
        )
    )  # fmt: skip
