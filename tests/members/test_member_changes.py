"""Owners change team roles and remove members, against the sandbox over HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.directory.models import DirectoryAccess, DirectoryMember
from apps.members import services
from apps.sandbox.models import SandboxMember
from apps.teamsapi.contract import TeamRole
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team, form_token

LIST = reverse("members:list")


def _role_url(member: DirectoryMember) -> str:
    return reverse("members:role-change", args=[member.member_id])


def _remove_url(member: DirectoryMember) -> str:
    return reverse("members:remove", args=[member.member_id])


def _detail_url(member: DirectoryMember) -> str:
    return reverse("members:detail", args=[member.member_id])


def _with_access(team: Team) -> DirectoryMember:
    """A current contributor who holds tenant access in the mirror."""
    with_access = DirectoryAccess.objects.filter(
        auth_tenant=team.auth_tenant, removed_at=None, member__role=TeamRole.CONTRIBUTOR
    )
    return with_access.select_related("member").first().member  # type: ignore[union-attr]


def test_owner_changes_a_team_role_from_the_member_page(owner_client: Client, team: Team) -> None:
    member = _with_access(team)
    detail = owner_client.get(_detail_url(member)).content.decode()
    assert 'action="' + _role_url(member) + '"' in detail
    token = form_token(owner_client, _detail_url(member))
    response = owner_client.post(
        _role_url(member), {"role": TeamRole.REPORT_VIEWER, "form_token": token}, follow=True
    )
    assert response.redirect_chain[-1][0] == _detail_url(member)
    assert f"{member.email} is now a Report viewer of the team." in response.content.decode()
    member.refresh_from_db()
    assert member.role == TeamRole.REPORT_VIEWER
    upstream = SandboxMember.objects.get(member_id=member.member_id)
    assert upstream.role == TeamRole.REPORT_VIEWER
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE_CHANGE)
    assert (entry.outcome, entry.target_id, entry.parameters) == (
        AuditOutcome.SUCCESS,
        member.member_id,
        {"from_role": TeamRole.CONTRIBUTOR, "role": TeamRole.REPORT_VIEWER},
    )


def test_the_same_role_is_a_field_error_without_a_call(owner_client: Client, team: Team) -> None:
    member = _with_access(team)
    url = _role_url(member)
    page = owner_client.post(
        url, {"role": member.role, "form_token": form_token(owner_client, url)}
    ).content.decode()
    assert "already is a Contributor; pick another role." in page
    assert team.api_posts(method="PATCH") == 0


def test_the_last_owner_is_never_demoted(owner_client: Client, team: Team) -> None:
    last = team.one_owner_left()
    team.sandbox.clear_requests_log()
    url = _role_url(last)
    assert "is the team's last owner" in owner_client.get(url).content.decode()
    page = owner_client.post(
        url, {"role": TeamRole.CONTRIBUTOR, "form_token": form_token(owner_client, url)}
    ).content.decode()
    assert "is the team&#x27;s last owner: make someone else a Team owner first" in page
    assert team.api_posts(method="PATCH") == 0
    last.refresh_from_db()
    assert last.role == TeamRole.OWNER


def test_the_apis_last_owner_refusal_is_said_plainly(owner_client: Client, team: Team) -> None:
    owners = team.members(TeamRole.OWNER)
    # Auth0 demoted the others since the last sync; the mirror still counts them as owners.
    for other in owners[1:]:
        team.sandbox.api(
            "PATCH", f"/api/members/{other.member_id}", json={"role": TeamRole.CONTRIBUTOR}
        )
    url = _role_url(owners[0])
    page = owner_client.post(
        url, {"role": TeamRole.CONTRIBUTOR, "form_token": form_token(owner_client, url)}
    ).content.decode()
    assert "last owner: make someone else a Team owner first" in page
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_ROLE_CHANGE)
    assert entry.outcome == AuditOutcome.FAILURE


def test_the_last_owner_is_never_removed_even_where_the_api_would(
    owner_client: Client, team: Team
) -> None:
    last = team.one_owner_left()
    # Auth0 has another owner the mirror does not know yet: the API would allow the removal.
    other = SandboxMember.objects.exclude(member_id=last.member_id).first()
    assert other is not None
    other.role = TeamRole.OWNER
    other.save(update_fields=["role"])
    team.sandbox.clear_requests_log()
    url = _remove_url(last)
    confirm = owner_client.get(url).content.decode()
    assert "is the team's last owner and cannot be removed" in confirm
    assert "Remove from team</button>" not in confirm
    # A hand-made POST (the confirmation offers no button; any of the user's tokens will do).
    response = owner_client.post(url, {"form_token": form_token(owner_client, _role_url(last))})
    assert "last owner" in response.content.decode()
    assert team.api_posts(method="DELETE") == 0
    assert SandboxMember.objects.filter(member_id=last.member_id).exists()


def test_owner_removes_a_member_and_their_access_goes_with_them(
    owner_client: Client, team: Team
) -> None:
    member = _with_access(team)
    tenants = list(
        DirectoryAccess.objects.filter(member=member, removed_at=None).values_list(
            "tenant__tenant_name", flat=True
        )
    )
    url = _remove_url(member)
    confirm = owner_client.get(url).content.decode()
    assert "all of their tenant access goes with it" in confirm
    assert all(name in confirm for name in tenants)
    token = form_token(owner_client, url)
    response = owner_client.post(url, {"form_token": token}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    page = response.content.decode()
    assert f"{member.email} was removed from the team with all their tenant access" in page
    member.refresh_from_db()
    assert member.removed_at is not None
    assert not DirectoryAccess.objects.filter(member=member, removed_at=None).exists()
    assert not SandboxMember.objects.filter(member_id=member.member_id).exists()
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_REMOVE)
    assert (entry.outcome, entry.target_label) == (AuditOutcome.SUCCESS, member.email)
    # A second click (the same form again) never errors and deletes nothing twice.
    for replay in (token, "stale"):
        again = owner_client.post(url, {"form_token": replay}, follow=True)
        assert again.redirect_chain[-1][0] == LIST
        assert f"{member.email} was already removed from the team." in again.content.decode()
    assert team.api_posts(method="DELETE") == 1


def test_a_member_auth0_no_longer_has_is_removed_here_too(
    owner_client: Client, team: Team, sandbox: Sandbox
) -> None:
    member = _with_access(team)
    assert sandbox.api("DELETE", f"/api/members/{member.member_id}").status_code == 204
    url = _remove_url(member)
    response = owner_client.post(url, {"form_token": form_token(owner_client, url)})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.removed_at is not None


def test_an_unknown_member_gets_a_plain_message(owner_client: Client, team: Team) -> None:
    # In the mirror, gone from Auth0 since the last sync.
    ghost = DirectoryMember.objects.create(
        auth_tenant=team.auth_tenant,
        member_id="auth0|0000000000000000000000ff",
        email="ghost@acme.test",
        role=TeamRole.CONTRIBUTOR,
        first_seen_at=timezone.now(),
    )
    url = _role_url(ghost)
    response = owner_client.post(
        url, {"role": TeamRole.REPORT_VIEWER, "form_token": form_token(owner_client, url)}
    )
    assert response.status_code == 200
    assert "Auth0 no longer has this member in the team" in response.content.decode()
    ghost.refresh_from_db()
    assert ghost.role == TeamRole.CONTRIBUTOR
    # An id the directory never had is a 404 page.
    assert (
        owner_client.get(reverse("members:role-change", args=["auth0|nobody"])).status_code == 404
    )
    assert owner_client.post(reverse("members:remove", args=["auth0|nobody"])).status_code == 404


def test_helpdesk_and_auditors_get_403_on_owner_actions_and_nothing_changes(
    helpdesk_client: Client, auditor_client: Client, team: Team
) -> None:
    member = _with_access(team)
    for client in (helpdesk_client, auditor_client):
        detail = client.get(_detail_url(member)).content.decode()
        assert "Change team role" not in detail
        assert "Remove from team" not in detail
        for url, data in (
            (_role_url(member), {"role": TeamRole.OWNER}),
            (_remove_url(member), {}),
        ):
            assert client.get(url).status_code == 403
            assert client.post(url, data).status_code == 403
    assert team.sandbox.requests_log() == []
    member.refresh_from_db()
    assert (member.role, member.removed_at) == (TeamRole.CONTRIBUTOR, None)
    assert not AuditEntry.objects.exists()


def test_the_services_check_the_role_themselves(helpdesk: User, team: Team) -> None:
    member = _with_access(team)
    with pytest.raises(PermissionDenied):
        services.member_role_change(
            actor=helpdesk,
            auth_tenant=team.auth_tenant,
            member_id=member.member_id,
            role=TeamRole.OWNER,
        )
    with pytest.raises(PermissionDenied):
        services.member_remove(
            actor=helpdesk, auth_tenant=team.auth_tenant, member_id=member.member_id
        )
    assert team.sandbox.requests_log() == []


def test_missing_scopes_disable_role_change_and_removal(
    owner_client: Client, owner: User, sandbox: Sandbox, readonly_auth_tenant: AuthTenant
) -> None:
    member = DirectoryMember.objects.create(
        auth_tenant=readonly_auth_tenant,
        member_id="auth0|0000000000000000000000aa",
        email="ro@acme.test",
        role=TeamRole.CONTRIBUTOR,
        first_seen_at=timezone.now(),
    )
    detail = owner_client.get(_detail_url(member)).content.decode()
    assert "Needs `update:members`" in detail
    assert "Needs `delete:members`" in detail
    assert 'action="' + _role_url(member) + '"' not in detail
    assert f'href="{_remove_url(member)}"' not in detail
    url = _role_url(member)
    page = owner_client.post(
        url, {"role": TeamRole.OWNER, "form_token": form_token(owner_client, url)}
    ).content.decode()
    assert "Needs `update:members`" in page
    response = owner_client.post(_remove_url(member), {"form_token": form_token(owner_client, url)})
    assert "Needs `delete:members`" in response.content.decode()
    assert not sandbox.requests_log(path_contains="/api/members/")
