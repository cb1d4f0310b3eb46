"""Reads for tenant-access forms and panels: who accesses what, what may be granted, and whether
the Auth Tenant's clients allow the calls at all.

The two panel selectors give the member and tenant pages their access actions; their keys all
start with `access_` so they merge into a page's context without clashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.access.models import AccessExpiry
from apps.access.rules import SPECIFIC_APPS
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


def access_ended(*, auth_tenant: AuthTenant, member_id: str, tenant_ids: Iterable[str]) -> set[str]:
    """The tenants the mirror knows the member cannot access: both known, no current access
    (or the member or tenant gone). Tenants or a member the mirror does not hold yet are not
    in it: only Auth0 can tell then."""
    member = directory_selectors.member_get(auth_tenant=auth_tenant, member_id=member_id)
    if member is None:
        return set()
    tenants = DirectoryTenant.objects.filter(auth_tenant=auth_tenant, tenant_id__in=set(tenant_ids))
    if member.removed_at is not None:
        return set(tenants.values_list("tenant_id", flat=True))
    held = DirectoryAccess.objects.filter(
        member=member, tenant=OuterRef("pk"), removed_at__isnull=True
    )
    return set(
        tenants.filter(Q(removed_at__isnull=False) | ~Exists(held)).values_list(
            "tenant_id", flat=True
        )
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
        "access_ends": (
            member_access_ends(auth_tenant=auth_tenant, member_id=member.member_id)
            if current
            else {}
        ),
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


@dataclass(frozen=True)
class ExpiringAccess:
    """A time-boxed access as the list shows it: who, which tenant, when it ends."""

    expiry: AccessExpiry
    member_label: str
    member_known: bool
    tenant_name: str

    @property
    def ends_at(self) -> datetime:
        return self.expiry.ends_at


def expiring_list(*, auth_tenant: AuthTenant) -> list[ExpiringAccess]:
    """Every time-boxed access of the team, soonest end first (three queries in all)."""
    rows = list(AccessExpiry.objects.filter(auth_tenant=auth_tenant).order_by("ends_at", "pk"))
    names = tenant_names(auth_tenant=auth_tenant, tenant_ids=[r.tenant_id for r in rows])
    members = {
        m.member_id: m
        for m in DirectoryMember.objects.filter(
            auth_tenant=auth_tenant, member_id__in={r.member_id for r in rows}
        )
    }
    return [
        ExpiringAccess(
            expiry=row,
            member_label=member_label(members.get(row.member_id), row.member_id),
            member_known=row.member_id in members,
            tenant_name=names.get(row.tenant_id, row.tenant_id),
        )
        for row in rows
    ]


def member_access_ends(*, auth_tenant: AuthTenant, member_id: str) -> dict[str, AccessExpiry]:
    """Tenant id -> the end of the member's time-boxed access to it."""
    return {
        row.tenant_id: row
        for row in AccessExpiry.objects.filter(auth_tenant=auth_tenant, member_id=member_id)
    }


@dataclass(frozen=True)
class CopyStep:
    """One tenant of a copy: the member's roles on it now and after the copy."""

    tenant_id: str
    tenant_name: str
    current: tuple[str, ...]
    roles: tuple[str, ...]

    @property
    def added_roles(self) -> tuple[str, ...]:
        return tuple(role for role in self.roles if role not in self.current)


@dataclass(frozen=True)
class CopyPlan:
    """What "give the same access as" a colleague changes, and what it leaves alone.

    Roles are only ever added: on a tenant both can access, the member keeps the roles the
    colleague lacks, and tenants only the member accesses are kept as they are.
    """

    add: list[CopyStep]
    change: list[CopyStep]
    kept: list[CopyStep]
    skipped: list[CopyStep]  # "Editor – Specific apps": the mirror does not hold the app ids
    same: int

    @property
    def empty(self) -> bool:
        return not self.add and not self.change

    @property
    def count(self) -> int:
        """Tenants the copy sends to Auth0."""
        return len(self.add) + len(self.change)


def copy_plan(*, member: DirectoryMember, colleague: DirectoryMember) -> CopyPlan:
    """The difference between the colleague's access and the member's, tenant by tenant."""
    mine = {g.tenant.tenant_id: g for g in member_grants(member=member)}
    theirs = {g.tenant.tenant_id: g for g in member_grants(member=colleague)}
    add: list[CopyStep] = []
    change: list[CopyStep] = []
    skipped: list[CopyStep] = []
    same = 0
    for tenant_id, grant in theirs.items():
        current = tuple(mine[tenant_id].roles) if tenant_id in mine else ()
        roles = tuple(sorted({*current, *grant.roles}))
        step = CopyStep(tenant_id, grant.tenant.tenant_name, current, roles)
        if roles == tuple(sorted(current)) and tenant_id in mine:
            same += 1
        elif SPECIFIC_APPS in roles:
            skipped.append(step)
        else:
            (change if tenant_id in mine else add).append(step)
    kept = [
        CopyStep(tenant_id, g.tenant.tenant_name, tuple(g.roles), tuple(g.roles))
        for tenant_id, g in mine.items()
        if tenant_id not in theirs
    ]
    return CopyPlan(add=add, change=change, kept=kept, skipped=skipped, same=same)


def colleague_candidates(
    *, auth_tenant: AuthTenant, member: DirectoryMember, q: str
) -> list[DirectoryMember]:
    """Current members other than `member` whose email or name contains `q`."""
    members = DirectoryMember.objects.filter(
        auth_tenant=auth_tenant, removed_at__isnull=True
    ).exclude(pk=member.pk)
    q = q.strip()
    if q:
        members = members.filter(Q(email__icontains=q) | Q(name__icontains=q))
    return list(members.order_by("email", "member_id")[:CANDIDATES_MAX])
