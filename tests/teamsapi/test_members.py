"""Member operations of TeamsClient against the sandbox over real HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from apps.sandbox import control
from apps.sandbox.models import SandboxMember, SandboxTenant, SandboxTenantRole
from apps.teamsapi.client import TeamsClient
from apps.teamsapi.contract import TeamRole, TenantRole
from apps.teamsapi.errors import TeamsApiNotFound, TeamsApiValidationError

if TYPE_CHECKING:
    from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def _members(sandbox: Sandbox) -> list[SandboxMember]:
    return list(SandboxMember.objects.filter(team__slug=sandbox.team_slug).order_by("member_id"))


def _member_without_owner_role(sandbox: Sandbox) -> SandboxMember:
    return next(m for m in _members(sandbox) if m.role != TeamRole.OWNER)


def _tenant_outside(member: SandboxMember) -> SandboxTenant:
    held = SandboxTenantRole.objects.filter(member=member).values_list("tenant_id", flat=True)
    return SandboxTenant.objects.filter(team=member.team, private=False).exclude(pk__in=held)[0]


def test_list_members_pages_through_every_member_in_id_order(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    pages = list(api.iter_member_pages(take=3))
    expected = [m.member_id for m in _members(sandbox)]
    assert len(expected) > 3
    assert [m.id for page in pages for m in page.items] == expected
    assert all(len(page.items) <= 3 for page in pages)
    assert pages[-1].next is None and all(page.next for page in pages[:-1])
    assert api.requests_made == len(pages)


def test_get_member_percent_encodes_ids_with_a_pipe(api: TeamsClient, sandbox: Sandbox) -> None:
    stored = _members(sandbox)[0]
    assert "|" in stored.member_id
    member = api.get_member(stored.member_id)
    assert (member.id, member.email, member.role) == (stored.member_id, stored.email, stored.role)
    assert control.requests_log(path_contains="%7C")


def test_get_member_of_unknown_id_is_not_found(api: TeamsClient) -> None:
    with pytest.raises(TeamsApiNotFound) as info:
        api.get_member("auth0|000000000000000000000000")
    assert info.value.status == 404


def test_update_member_changes_the_team_role(api: TeamsClient, sandbox: Sandbox) -> None:
    stored = _member_without_owner_role(sandbox)
    new_role = (
        TeamRole.REPORT_VIEWER if stored.role != TeamRole.REPORT_VIEWER else TeamRole.CONTRIBUTOR
    )
    updated = api.update_member(stored.member_id, role=new_role)
    assert updated.role == new_role
    assert api.get_member(stored.member_id).role == new_role


def test_remove_member_makes_the_member_disappear(api: TeamsClient, sandbox: Sandbox) -> None:
    stored = _member_without_owner_role(sandbox)
    api.remove_member(stored.member_id)
    with pytest.raises(TeamsApiNotFound):
        api.get_member(stored.member_id)
    assert stored.member_id not in {m.id for m in api.list_members()}


def test_invite_member_returns_an_invitation_that_becomes_a_member(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    tenant = SandboxTenant.objects.filter(team__slug=sandbox.team_slug, private=False)[0]
    invitation = api.invite_member(
        email="new.person@example.com",
        role=TeamRole.CONTRIBUTOR,
        tenant_ids=[tenant.tenant_id],
        tenant_roles=[TenantRole.VIEWER_USERS],
    )
    assert invitation.id.startswith("invite_")
    assert invitation.email == "new.person@example.com"
    assert invitation.tenant_ids == [tenant.tenant_id]
    control.accept_invitation(team_slug=sandbox.team_slug, email="new.person@example.com")
    emails = {m.email: m for m in api.list_members()}
    assert emails["new.person@example.com"].role == TeamRole.CONTRIBUTOR


def test_inviting_an_existing_member_is_a_validation_error(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    existing = _members(sandbox)[0]
    with pytest.raises(TeamsApiValidationError) as info:
        api.invite_member(email=existing.email, role=TeamRole.CONTRIBUTOR)
    assert info.value.code == "MEMBER_ALREADY_EXISTS"
    assert info.value.field_errors


def test_member_tenant_access_can_be_added_changed_listed_and_removed(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    member = _member_without_owner_role(sandbox)
    tenant = _tenant_outside(member)

    added = api.add_member_tenants(
        member.member_id, tenant_ids=[tenant.tenant_id], roles=[TenantRole.VIEWER_USERS]
    )
    assert added.ok and added.succeeded_tenant_ids == [tenant.tenant_id]
    access = api.list_member_tenants(member.member_id, tenant.environment)
    assert access.environment == tenant.environment
    item = next(t for t in access.tenants if t.tenant_id == tenant.tenant_id)
    assert [r.role for r in item.roles] == [TenantRole.VIEWER_USERS]

    again = api.add_member_tenants(
        member.member_id, tenant_ids=[tenant.tenant_id], roles=[TenantRole.VIEWER_USERS]
    )
    assert not again.ok
    assert [(f.tenant_id, f.status, f.type) for f in again.failures] == [
        (tenant.tenant_id, 409, "TENANT_ALREADY_EXISTS")
    ]

    changed = api.update_member_tenants(
        member.member_id, tenant_ids=[tenant.tenant_id], roles=[TenantRole.EDITOR_USERS]
    )
    assert changed.ok
    access = api.list_member_tenants(member.member_id, tenant.environment)
    item = next(t for t in access.tenants if t.tenant_id == tenant.tenant_id)
    assert [r.role for r in item.roles] == [TenantRole.EDITOR_USERS]

    removed = api.remove_member_tenants(member.member_id, tenant_ids=[tenant.tenant_id])
    assert removed.ok
    access = api.list_member_tenants(member.member_id, tenant.environment)
    assert tenant.tenant_id not in {t.tenant_id for t in access.tenants}


def test_bulk_failures_for_unknown_tenants_are_reported_per_tenant(
    api: TeamsClient, sandbox: Sandbox
) -> None:
    member = _member_without_owner_role(sandbox)
    tenant = _tenant_outside(member)
    unknown = "00000000-0000-4000-8000-000000000000"
    result = api.add_member_tenants(
        member.member_id, tenant_ids=[tenant.tenant_id, unknown], roles=[TenantRole.VIEWER_CONFIG]
    )
    assert (result.total_count, result.success_count, result.failure_count) == (2, 1, 1)
    assert result.succeeded_tenant_ids == [tenant.tenant_id]
    assert [(f.tenant_id, f.status, f.type) for f in result.failures] == [
        (unknown, 404, "NOT_FOUND")
    ]
