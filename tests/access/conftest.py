"""Tenant access fixtures: the sandbox team mirrored, and a member picked for what a test needs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from apps.authtenants.models import AuthTenant
from apps.directory import services as directory_services
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.sandbox.models import SandboxTenantRole


@dataclass(frozen=True)
class Target:
    """A current member with the tenants they cannot access yet (`free`) and those they can."""

    auth_tenant: AuthTenant
    member: DirectoryMember
    free: list[DirectoryTenant]
    held: list[DirectoryAccess]

    @property
    def member_id(self) -> str:
        return self.member.member_id


def mirror(auth_tenant: AuthTenant) -> AuthTenant:
    """Run a directory sync over HTTP so the mirror holds the sandbox team."""
    run = directory_services.directory_sync(auth_tenant=auth_tenant)
    assert run.error == "", run.error
    return auth_tenant


def pick(auth_tenant: AuthTenant, *, free: int = 2, held: int = 0) -> Target:
    """The first member (by email) with at least `free` tenants to grant and `held` accesses."""
    tenants = list(DirectoryTenant.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True))
    for member in DirectoryMember.objects.filter(auth_tenant=auth_tenant, removed_at__isnull=True):
        access = list(member.accesses.filter(removed_at__isnull=True).select_related("tenant"))
        holding = {a.tenant_id for a in access}
        unheld = [t for t in tenants if t.pk not in holding]
        if len(unheld) >= free and len(access) >= held:
            return Target(auth_tenant, member, unheld, access)
    raise AssertionError(f"no member with {free} free tenants and {held} accesses")


def upstream_roles(member_id: str, tenant_id: str) -> set[str]:
    """The member's tenant roles on the tenant as the sandbox holds them."""
    return set(
        SandboxTenantRole.objects.filter(
            member__member_id=member_id, tenant__tenant_id=tenant_id
        ).values_list("role", flat=True)
    )


def mirrored_roles(target: Target, tenant_id: str) -> list[str] | None:
    """The member's current roles on the tenant in the mirror; None without current access."""
    access = DirectoryAccess.objects.filter(
        member=target.member, tenant__tenant_id=tenant_id, removed_at__isnull=True
    ).first()
    return None if access is None else list(access.roles)


@pytest.fixture
def synced(auth_tenant: AuthTenant) -> AuthTenant:
    """The sandbox team's Auth Tenant (all scopes) with its directory mirrored."""
    return mirror(auth_tenant)
