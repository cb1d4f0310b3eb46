"""Reads for the Members pages, over the local directory mirror (search the API cannot do)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from apps.authtenants.models import AuthTenant
from apps.directory import selectors as directory
from apps.directory.models import DirectoryAccess, DirectoryMember


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    role: str = ""


def member_search(*, auth_tenant: AuthTenant, filters: MemberFilters) -> QuerySet[DirectoryMember]:
    """Current members matching the search and role, by email, each with its count of tenants."""
    members = directory.member_search(auth_tenant=auth_tenant, q=filters.q)
    if filters.role:
        members = members.filter(role=filters.role)
    return members.annotate(
        tenant_count=Count("accesses", filter=Q(accesses__removed_at__isnull=True))
    ).order_by("email", "member_id")


def member_roles(*, auth_tenant: AuthTenant) -> list[str]:
    """The team roles current members hold, for the filter (unknown roles included verbatim)."""
    return list(
        directory.member_list(auth_tenant=auth_tenant)
        .order_by("role")
        .values_list("role", flat=True)
        .distinct()
    )


def member_get(*, auth_tenant: AuthTenant, member_id: str) -> DirectoryMember | None:
    """One member of the mirror (current or removed), or None."""
    return DirectoryMember.objects.filter(auth_tenant=auth_tenant, member_id=member_id).first()


def member_access_history(*, member: DirectoryMember) -> QuerySet[DirectoryAccess]:
    """The member's tenant access: current grants first, then past periods, newest first."""
    return member.accesses.select_related("tenant").order_by(
        F("removed_at").desc(nulls_first=True), "tenant__tenant_name"
    )
