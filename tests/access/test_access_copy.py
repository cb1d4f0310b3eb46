"""“Give the same access as …” over the sandbox: the preview says what is added and what is
kept, and applying it sends at most ten tenants per call and reports each tenant."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.access import services
from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectoryAccess, DirectoryMember, DirectoryTenant
from apps.sandbox.models import SandboxTenantRole
from apps.teamsapi.contract import TENANT_ROLE_LABELS, TenantRole
from tests.access.conftest import mirror, upstream_roles
from tests.fixtures.sandbox import Sandbox

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
VIEWER = TenantRole.VIEWER_CONFIG.value
EDITOR = TenantRole.EDITOR_USERS.value


@dataclass(frozen=True)
class Movers:
    """A member, the colleague whose access they get, and the tenants each holds."""

    member: DirectoryMember
    colleague: DirectoryMember
    to_add: list[DirectoryTenant]  # the colleague's only (viewer)
    shared: DirectoryTenant  # member: editor; colleague: viewer
    extra: DirectoryTenant  # the member's only


def _grant(
    owner: User,
    auth_tenant: AuthTenant,
    member: DirectoryMember,
    tenants: list[DirectoryTenant],
    role: str,
) -> None:
    result = services.tenant_access_grant(
        actor=owner,
        auth_tenant=auth_tenant,
        member_id=member.member_id,
        tenant_ids=[t.tenant_id for t in tenants],
        roles=[role],
    )
    assert not result.failed


@pytest.fixture
def movers(sandbox: Sandbox, auth_tenant: AuthTenant, owner: User) -> Movers:
    """Two members starting from no access, then given what the tests compare."""
    sandbox.seed(tenants=16, members=3, activity=0, seed=11)
    mirror(auth_tenant)
    member, colleague = DirectoryMember.objects.filter(auth_tenant=auth_tenant)[:2]
    SandboxTenantRole.objects.filter(
        member__member_id__in=[member.member_id, colleague.member_id]
    ).delete()
    DirectoryAccess.objects.filter(member__in=[member, colleague]).update(removed_at=timezone.now())
    tenants = list(DirectoryTenant.objects.filter(auth_tenant=auth_tenant))
    to_add, shared, extra = tenants[:12], tenants[12], tenants[13]
    _grant(owner, auth_tenant, colleague, [*to_add, shared], VIEWER)
    _grant(owner, auth_tenant, member, [shared], EDITOR)
    _grant(owner, auth_tenant, member, [extra], EDITOR)
    return Movers(member, colleague, to_add, shared, extra)


def _copy_url(movers: Movers) -> str:
    return reverse("access:copy", args=[movers.member.member_id])


def test_colleague_search_lists_other_members_by_email(
    owner_client: Client, movers: Movers
) -> None:
    page = owner_client.get(_copy_url(movers), {"q": movers.colleague.email}).content.decode()

    assert movers.colleague.email in page
    assert f"?colleague={movers.colleague.member_id}" in page.replace("%7C", "|")


def test_preview_lists_tenants_to_add_roles_to_add_and_what_is_kept(
    sandbox: Sandbox, owner_client: Client, movers: Movers
) -> None:
    sandbox.clear_requests_log()

    response = owner_client.get(_copy_url(movers), {"colleague": movers.colleague.member_id})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Tenants to add (12)" in page
    assert all(t.tenant_name in page for t in movers.to_add)
    assert "Roles to add on tenants the member already accesses (1)" in page
    assert TENANT_ROLE_LABELS[VIEWER] in page
    assert f"access to {movers.extra.tenant_name} is kept" in page
    assert "Apply 13 changes" in page
    assert sandbox.requests_log(path_contains="/members") == []  # a preview sends nothing


def test_apply_sends_batches_of_ten_reports_each_tenant_and_keeps_extra_access(
    sandbox: Sandbox, owner_client: Client, movers: Movers
) -> None:
    preview = owner_client.get(_copy_url(movers), {"colleague": movers.colleague.member_id})
    found = TOKEN.search(preview.content.decode())
    assert found is not None
    gone = movers.to_add[-1]
    assert sandbox.api("DELETE", f"/api/tenants/{gone.tenant_id}").status_code == 204
    sandbox.clear_requests_log()

    response = owner_client.post(
        _copy_url(movers),
        {"colleague": movers.colleague.member_id, "form_token": found.group(1)},
        follow=True,
    )

    page = response.content.decode()
    assert "Access granted: 12 of 13 tenants" in page
    assert "not in the team any more" in page
    assert len(sandbox.requests_log(path_contains="/tenants", method="PUT")) == 2  # 10 + 2
    assert len(sandbox.requests_log(path_contains="/tenants", method="PATCH")) == 1
    member_id = movers.member.member_id
    assert all(upstream_roles(member_id, t.tenant_id) == {VIEWER} for t in movers.to_add[:-1])
    assert upstream_roles(member_id, movers.shared.tenant_id) == {VIEWER, EDITOR}
    assert upstream_roles(member_id, movers.extra.tenant_id) == {EDITOR}  # kept
    entry = AuditEntry.objects.get(action=AuditAction.TENANT_ACCESS_COPY)
    assert entry.outcome == AuditOutcome.PARTIAL
    assert entry.parameters["colleague_id"] == movers.colleague.member_id
    assert entry.parameters["failed_tenant_names"] == [gone.tenant_name]


def test_nothing_to_copy_says_so_and_sends_nothing(
    sandbox: Sandbox, owner_client: Client, owner: User, movers: Movers, auth_tenant: AuthTenant
) -> None:
    services.tenant_access_copy(
        actor=owner,
        auth_tenant=auth_tenant,
        member_id=movers.member.member_id,
        colleague_id=movers.colleague.member_id,
    )
    sandbox.clear_requests_log()

    page = owner_client.get(_copy_url(movers), {"colleague": movers.colleague.member_id})

    assert "Nothing to copy" in page.content.decode()
    assert "Apply" not in page.content.decode()


def test_helpdesk_may_not_copy(helpdesk_client: Client, movers: Movers, sandbox: Sandbox) -> None:
    sandbox.clear_requests_log()

    response = helpdesk_client.post(_copy_url(movers), {"colleague": movers.colleague.member_id})

    assert response.status_code == 403
    assert sandbox.requests_log(path_contains="/members") == []
    assert not AuditEntry.objects.filter(action=AuditAction.TENANT_ACCESS_COPY).exists()
