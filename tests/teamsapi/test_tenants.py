"""Tenant and environment operations of TeamsClient against the sandbox over real HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from apps.sandbox.models import SandboxMember, SandboxTeam, SandboxTenant, SandboxTenantRole
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import TENANTS_SORT_OLDEST_FIRST, TeamRole
from apps.teamsapi.errors import (
    TeamsApiConflict,
    TeamsApiForbidden,
    TeamsApiNotFound,
    TeamsApiValidationError,
)

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _tenants(sandbox: Sandbox) -> list[SandboxTenant]:
    return list(SandboxTenant.objects.filter(team__slug=sandbox.team_slug))


def _owner(sandbox: Sandbox) -> SandboxMember:
    return SandboxMember.objects.filter(team__slug=sandbox.team_slug, role=TeamRole.OWNER)[0]


def test_list_tenants_returns_every_tenant_newest_first(api: TeamsClient, sandbox: Sandbox) -> None:
    tenants = list(api.list_tenants(take=4))
    assert {t.tenant_id for t in tenants} == {t.tenant_id for t in _tenants(sandbox)}
    assert len(tenants) == len(_tenants(sandbox))
    created = [t.created_at for t in tenants]
    assert all(c is not None and c.tzinfo is not None for c in created)
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]


def test_list_tenants_filters_and_sorts_oldest_first(api: TeamsClient, sandbox: Sandbox) -> None:
    environment = _tenants(sandbox)[0].environment
    tenants = list(
        api.list_tenants(environment=environment, sort=TENANTS_SORT_OLDEST_FIRST, take=2)
    )
    expected = [t for t in _tenants(sandbox) if t.environment == environment]
    assert {t.tenant_id for t in tenants} == {t.tenant_id for t in expected}
    assert {t.environment for t in tenants} == {environment}
    created = [t.created_at for t in tenants]
    assert created == sorted(created)  # type: ignore[type-var]


def test_get_tenant_returns_the_tenant(api: TeamsClient, sandbox: Sandbox) -> None:
    stored = _tenants(sandbox)[0]
    tenant = api.get_tenant(stored.tenant_id)
    assert (tenant.tenant_id, tenant.tenant_name, tenant.domain) == (
        stored.tenant_id,
        stored.tenant_name,
        stored.domain,
    )


def test_get_tenant_with_a_malformed_id_is_a_validation_error(api: TeamsClient) -> None:
    with pytest.raises(TeamsApiValidationError):
        api.get_tenant("not-a-uuid")


def test_create_tenant_returns_one_time_credentials_and_delete_removes_it(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    created = api.create_tenant(
        admin_email=_owner(sandbox).email, tenant_name="acme-eu-test", locality="eu"
    )
    assert created.tenant.tenant_name == "acme-eu-test"
    assert created.tenant.environment == "EU-1"
    assert created.management_client.client_id
    assert created.management_client.client_secret
    assert created.management_client.client_secret not in repr(created)
    assert api.get_tenant(created.tenant.tenant_id).domain == created.tenant.domain

    with pytest.raises(TeamsApiConflict) as info:
        api.create_tenant(
            admin_email=_owner(sandbox).email, tenant_name="acme-eu-test", locality="eu"
        )
    assert info.value.code == "TENANT_ALREADY_EXISTS"

    api.delete_tenant(created.tenant.tenant_id)
    with pytest.raises(TeamsApiNotFound):
        api.get_tenant(created.tenant.tenant_id)


def test_list_tenant_members_matches_the_tenant_roles(api: TeamsClient, sandbox: Sandbox) -> None:
    role = SandboxTenantRole.objects.filter(tenant__team__slug=sandbox.team_slug)[0]
    expected = set(
        SandboxTenantRole.objects.filter(tenant=role.tenant).values_list(
            "member__member_id", flat=True
        )
    )
    members = list(api.list_tenant_members(role.tenant.tenant_id, take=2))
    assert {m.id for m in members} == expected
    assert all(m.roles for m in members)


def test_list_environments_lists_where_the_team_has_tenants(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    environments = api.list_environments()
    assert set(environments) == {t.environment for t in _tenants(sandbox)}


def test_a_policy_refusal_is_forbidden_with_the_api_reason(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    SandboxTeam.objects.filter(slug=sandbox.team_slug).update(tenant_limit=len(_tenants(sandbox)))
    with pytest.raises(TeamsApiForbidden) as info:
        api.create_tenant(
            admin_email=_owner(sandbox).email, tenant_name="one-too-many", locality="us"
        )
    assert info.value.status == 403
    assert info.value.code == "TENANT_LIMIT_REACHED"
    assert "limit" in info.value.message
