"""Reads over the local directory mirror: tenants, members and their access (history.py: the past).

The one read layer for the mirror: the Tenants and Members pages query it through these
functions only. Lookups by an id from a URL answer None for an id no row can have (a NUL
character, longer than the column), which PostgreSQL would otherwise refuse with an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from apps.core.filters import CarriedOptions
from apps.directory.models import (
    DirectoryAccess,
    DirectoryMember,
    DirectorySnapshot,
    DirectoryTenant,
)

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

R = TypeVar("R", bound=Model)

# Access rows: current grants (removed_at NULL) first, then the most recently removed.
_CURRENT_FIRST = F("removed_at").desc(nulls_first=True)


def _holdable(model: type[Model], field: str, value: str) -> bool:
    """Whether some row's `field` could be `value` (no NUL character, within the column)."""
    max_length: int | None = getattr(model._meta.get_field(field), "max_length", None)
    return "\x00" not in value and (max_length is None or len(value) <= max_length)


def _row_by_id(model: type[R], *, auth_tenant: AuthTenant, field: str, value: str) -> R | None:
    """The Auth Tenant's row whose `field` is `value`; None at once for a value no row can hold."""
    if not _holdable(model, field, value):
        return None
    return model._default_manager.filter(auth_tenant=auth_tenant, **{field: value}).first()


def _rows_by_ids(
    model: type[R], *, auth_tenant: AuthTenant, field: str, values: Iterable[str]
) -> dict[str, R]:
    """The Auth Tenant's rows (current or removed) whose `field` is one of `values`, by value;
    one query, none when no value can be held."""
    wanted = {value for value in values if _holdable(model, field, value)}
    if not wanted:
        return {}
    rows = model._default_manager.filter(auth_tenant=auth_tenant, **{f"{field}__in": wanted})
    return {getattr(row, field): row for row in rows}


def _current_accesses(side: str) -> Coalesce:
    """How many current accesses the row has, as a correlated subquery.

    Unlike Count over a join, it leaves the page query and the paginator's COUNT(*) without a
    GROUP BY over every access row, and runs only for the rows of the page. COUNT(*) reads no
    column, so a current-access index answers it alone (an index-only scan on PostgreSQL).
    """
    counted = (
        DirectoryAccess.objects.filter(**{side: OuterRef("pk")}, removed_at__isnull=True)
        .order_by()
        .values(side)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# The columns the list pages show. Their rows are plain dicts of these: a template reads a dict
# key at once, where a model attribute costs an exception first, and no instance is built per row.
TENANT_LIST_COLUMNS = (
    "tenant_id",
    "tenant_name",
    "domain",
    "environment",
    "environment_tag",
    "locality",
    "created_at",
    "member_count",
)
MEMBER_LIST_COLUMNS = ("member_id", "name", "email", "role", "tenant_count")


def tenant_list(
    *, auth_tenant: AuthTenant, q: str = "", environment: str = "", environment_tag: str = ""
) -> QuerySet[DirectoryTenant, dict[str, Any]]:
    """The team's current tenants matching the filters, by name, as TENANT_LIST_COLUMNS rows."""
    tenants = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    if q:
        tenants = tenants.filter(Q(tenant_name__icontains=q) | Q(domain__icontains=q))
    if environment:
        tenants = tenants.filter(environment=environment)
    if environment_tag:
        tenants = tenants.filter(environment_tag=environment_tag)
    rows: QuerySet[DirectoryTenant, dict[str, Any]] = (
        tenants.annotate(member_count=_current_accesses("tenant"))
        .order_by("tenant_name", "tenant_id")
        .values(*TENANT_LIST_COLUMNS)
    )
    return rows


def tenant_environments(*, auth_tenant: AuthTenant) -> CarriedOptions:
    """The environments the team's current tenants live in, alphabetically, for the filter."""
    current = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    return CarriedOptions(current, "environment")


def tenant_get(*, auth_tenant: AuthTenant, tenant_id: str) -> DirectoryTenant | None:
    """One tenant of the mirror (current or removed), or None."""
    return _row_by_id(DirectoryTenant, auth_tenant=auth_tenant, field="tenant_id", value=tenant_id)


def tenant_access_list(*, tenant: DirectoryTenant) -> QuerySet[DirectoryAccess]:
    """Everyone who can or could access the tenant: current access first, then past periods."""
    return tenant.accesses.select_related("member").order_by(_CURRENT_FIRST, "member__email")


def tenant_access_current(*, tenant: DirectoryTenant) -> QuerySet[DirectoryAccess]:
    """Who can access the tenant now, by email: what goes when the tenant is deleted."""
    return (
        tenant.accesses.filter(removed_at__isnull=True)
        .select_related("member")
        .order_by("member__email", "member__member_id")
    )


def member_list(*, auth_tenant: AuthTenant) -> QuerySet[DirectoryMember]:
    """The team's current members, by email."""
    return DirectoryMember.objects.filter(
        auth_tenant=auth_tenant, removed_at__isnull=True
    ).order_by("email", "member_id")


def member_search(
    *, auth_tenant: AuthTenant, q: str = "", role: str = ""
) -> QuerySet[DirectoryMember, dict[str, Any]]:
    """Current members whose email, name, nickname or id contains `q` (case-insensitive) and who
    hold `role`, by email, as MEMBER_LIST_COLUMNS rows."""
    members = member_list(auth_tenant=auth_tenant)
    q = q.strip()
    if q:
        # search_text holds email, name, nickname and id lowercased, one per line.
        members = members.filter(search_text__contains=q.lower())
    if role:
        members = members.filter(role=role)
    rows: QuerySet[DirectoryMember, dict[str, Any]] = members.annotate(
        tenant_count=_current_accesses("member")
    ).values(*MEMBER_LIST_COLUMNS)
    return rows


def member_emails(*, auth_tenant: AuthTenant) -> list[str]:
    """The current members' email addresses, alphabetically (members without one left out)."""
    return list(
        member_list(auth_tenant=auth_tenant).exclude(email="").values_list("email", flat=True)
    )


def member_by_email(*, auth_tenant: AuthTenant, email: str) -> DirectoryMember | None:
    """The current member with this email (case-insensitive), or None."""
    return member_list(auth_tenant=auth_tenant).filter(email__iexact=email).first()


def member_roles(*, auth_tenant: AuthTenant) -> CarriedOptions:
    """The team roles current members hold, alphabetically, for the filter (unknown ones verbatim)."""
    return CarriedOptions(member_list(auth_tenant=auth_tenant), "role")


def member_get(*, auth_tenant: AuthTenant, member_id: str) -> DirectoryMember | None:
    """One member of the mirror (current or removed), or None."""
    return _row_by_id(DirectoryMember, auth_tenant=auth_tenant, field="member_id", value=member_id)


def member_access(*, member: DirectoryMember) -> QuerySet[DirectoryAccess]:
    """The tenants the member can access now, with their tenant roles, by tenant name."""
    return (
        member.accesses.filter(removed_at__isnull=True)
        .select_related("tenant")
        .order_by("tenant__tenant_name")
    )


def member_access_history(*, member: DirectoryMember) -> QuerySet[DirectoryAccess]:
    """The member's tenant access: current grants first, then past periods, newest first."""
    return member.accesses.select_related("tenant").order_by(_CURRENT_FIRST, "tenant__tenant_name")


def _snapshots_newest_first(auth_tenant: AuthTenant) -> QuerySet[DirectorySnapshot]:
    return DirectorySnapshot.objects.filter(auth_tenant=auth_tenant).order_by("-taken_at", "-pk")


def snapshot_latest(*, auth_tenant: AuthTenant) -> DirectorySnapshot | None:
    """The Auth Tenant's most recent directory snapshot, if any."""
    return _snapshots_newest_first(auth_tenant).first()


def snapshot_taken_at(*, auth_tenant: AuthTenant) -> Subquery:
    """When the most recent snapshot was taken (NULL without one), as a column a page query can
    carry: it does not depend on the row, so the database runs it once per query."""
    return Subquery(_snapshots_newest_first(auth_tenant).values("taken_at")[:1])


def members_by_id(
    *, auth_tenant: AuthTenant, member_ids: Iterable[str]
) -> dict[str, DirectoryMember]:
    """The mirror's members (current or removed) among `member_ids`, by id, in one query."""
    return _rows_by_ids(
        DirectoryMember, auth_tenant=auth_tenant, field="member_id", values=member_ids
    )


def tenants_by_id(
    *, auth_tenant: AuthTenant, tenant_ids: Iterable[str]
) -> dict[str, DirectoryTenant]:
    """The mirror's tenants (current or removed) among `tenant_ids`, by id, in one query."""
    return _rows_by_ids(
        DirectoryTenant, auth_tenant=auth_tenant, field="tenant_id", values=tenant_ids
    )
