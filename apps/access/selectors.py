"""Reads for tenant-access forms and panels: who accesses what, what may be granted, and whether
the Auth Tenant's clients allow the calls at all.

The two panel selectors give the member and tenant pages their access actions; their keys all
start with `access_` so they merge into a page's context without clashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.authtenants.scopes import ScopeGate, action_gates
from apps.core.capabilities import Capability, can
from apps.directory import selectors as directory_selectors
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.teamsapi.contract import OperationName

if TYPE_CHECKING:
    from apps.authtenants.models import AuthTenant

# The three member-tenant operations; they share one scope today (update:members), but each is
# checked so a contract change to one of them still disables the right action.
ACCESS_OPERATIONS = (
    OperationName.ADD_MEMBER_TENANTS,
    OperationName.UPDATE_MEMBER_TENANTS,
    OperationName.REMOVE_MEMBER_TENANTS,
)
CANDIDATES_MAX = 50  # members listed at once when picking whom to give a tenant


def access_gate(*, auth_tenant: AuthTenant) -> ScopeGate | None:
    """Why no access action can be sent with this Auth Tenant's clients; None when they can."""
    gates = action_gates(auth_tenant)
    return next((gate for op in ACCESS_OPERATIONS if (gate := gates[op]) is not None), None)


def member_current(*, auth_tenant: AuthTenant, member_id: str) -> DirectoryMember | None:
    """A current member of the mirror (not one who left), or None."""
    member = directory_selectors.member_get(auth_tenant=auth_tenant, member_id=member_id)
    return member if member is not None and member.removed_at is None else None


def tenant_current(*, auth_tenant: AuthTenant, tenant_id: str) -> DirectoryTenant | None:
    """A current tenant of the mirror (not a removed one), or None."""
    tenant = directory_selectors.tenant_get(auth_tenant=auth_tenant, tenant_id=tenant_id)
    return tenant if tenant is not None and tenant.removed_at is None else None


def member_grants(*, member: DirectoryMember) -> list[DirectoryAccess]:
    """The member's current access, with each tenant, by tenant name."""
    return list(
        member.accesses.filter(removed_at__isnull=True, tenant__removed_at__isnull=True)
        .select_related("tenant")
        .order_by("tenant__tenant_name", "tenant__tenant_id")
    )


def tenant_grants(*, tenant: DirectoryTenant) -> list[DirectoryAccess]:
    """Who can access the tenant now (current members only), by email."""
    return list(
        tenant.accesses.filter(removed_at__isnull=True, member__removed_at__isnull=True)
        .select_related("member")
        .order_by("member__email", "member__member_id")
    )


def grantable_tenants(*, member: DirectoryMember) -> QuerySet[DirectoryTenant]:
    """The team's current tenants the member cannot access yet, by name."""
    held = DirectoryAccess.objects.filter(
        member=member, tenant=OuterRef("pk"), removed_at__isnull=True
    )
    return (
        DirectoryTenant.objects.filter(
            auth_tenant_id=member.auth_tenant_id, removed_at__isnull=True
        )
        .exclude(Exists(held))
        .order_by("tenant_name", "tenant_id")
    )


def tenant_names(*, auth_tenant: AuthTenant, tenant_ids: Iterable[str]) -> dict[str, str]:
    """Tenant id -> name as the mirror knows it (removed tenants too); unknown ids are absent."""
    return dict(
        DirectoryTenant.objects.filter(
            auth_tenant=auth_tenant, tenant_id__in=set(tenant_ids)
        ).values_list("tenant_id", "tenant_name")
    )


def member_label(member: DirectoryMember | None, member_id: str) -> str:
    """How a member is named in messages and audit entries: email, else name, else the id."""
    if member is None:
        return member_id
    return member.email or member.name or member.member_id


def member_candidates(
    *, auth_tenant: AuthTenant, tenant: DirectoryTenant, q: str = ""
) -> list[DirectoryMember]:
    """Current members without access to the tenant whose email or name contains `q`."""
    holds = DirectoryAccess.objects.filter(
        member=OuterRef("pk"), tenant=tenant, removed_at__isnull=True
    )
    members = DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True)
    q = q.strip()
    if q:
        members = members.filter(Q(email__icontains=q) | Q(name__icontains=q))
    return list(members.exclude(Exists(holds)).order_by("email", "member_id")[:CANDIDATES_MAX])


def _manage(user: Any, auth_tenant: AuthTenant) -> tuple[bool, ScopeGate | None]:
    """Whether the user may manage access, and the scope gate (only looked up for those who may)."""
    allowed = can(user, Capability.MANAGE_TENANT_ACCESS)
    return allowed, access_gate(auth_tenant=auth_tenant) if allowed else None


def member_access_panel(
    *, user: Any, auth_tenant: AuthTenant, member: DirectoryMember
) -> dict[str, Any]:
    """Context for templates/access/_member_panel.html (keys documented there)."""
    current = member.removed_at is None
    allowed, gate = _manage(user, auth_tenant)
    return {
        "access_can_manage": allowed and current,
        "access_gate": gate,
        "access_member": member,
        "access_grants": member_grants(member=member) if current else [],
        "access_can_grant": current and grantable_tenants(member=member).exists(),
    }


def tenant_access_panel(
    *, user: Any, auth_tenant: AuthTenant, tenant: DirectoryTenant
) -> dict[str, Any]:
    """Context for templates/access/_tenant_panel.html (keys documented there)."""
    current = tenant.removed_at is None
    allowed, gate = _manage(user, auth_tenant)
    return {
        "access_can_manage": allowed and current,
        "access_gate": gate,
        "access_tenant": tenant,
        "access_grants": tenant_grants(tenant=tenant) if current else [],
    }
