"""The sandbox team mirrored by a real directory sync, for the tenant actions."""

from __future__ import annotations

import pytest

from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectoryMember, DirectoryTenant
from apps.directory.services import directory_sync


@pytest.fixture
def synced(auth_tenant: AuthTenant) -> AuthTenant:
    """The owner-scoped sandbox Auth Tenant with its directory synced into the mirror."""
    directory_sync(auth_tenant=auth_tenant)
    return auth_tenant


@pytest.fixture
def admin_email(synced: AuthTenant) -> str:
    member = DirectoryMember.objects.filter(auth_tenant=synced, removed_at__isnull=True)
    return str(member.exclude(email="").order_by("email").values_list("email", flat=True)[0])


@pytest.fixture
def public_tenant(synced: AuthTenant) -> DirectoryTenant:
    """A current public cloud tenant of the mirror that some members can access."""
    return (
        DirectoryTenant.objects.filter(auth_tenant=synced, removed_at__isnull=True)
        .exclude(environment_tag="")
        .filter(accesses__removed_at__isnull=True)
        .order_by("tenant_name")
        .distinct()
        .first()
    ) or pytest.fail("the seeded sandbox has no public tenant with members")
