"""Inviting members against the sandbox over HTTP: rules first, then one call, kept locally."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryTenant, Invitation
from apps.members import services
from apps.sandbox.models import SandboxInvitation
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team, form_token, submit

INVITE = reverse("members:invite")
INVITATIONS = reverse("members:invitations")
PENDING_BADGE = '<span class="badge warn">Pending</span>'


def _invite(client: Client, data: dict[str, object], token: str | None = None) -> str:
    return submit(client, INVITE, {"role": "teams_contributor", **data}, token)


def _post_invite(client: Client, data: dict[str, object], *, follow: bool = False) -> Any:
    """The invite form as a browser sends it (team role Contributor unless given)."""
    token = form_token(client, INVITE)
    return client.post(
        INVITE, {"role": "teams_contributor", **data, "form_token": token}, follow=follow
    )


def test_helpdesk_invites_with_the_team_role_only(
    helpdesk_client: Client, helpdesk: User, team: Team
) -> None:
    response = _post_invite(
        helpdesk_client, {"email": "new@acme.test", "role": "teams_report_viewer"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == INVITATIONS
    assert "Invitation sent to new@acme.test as Report viewer." in page
    assert "helpdesk-user" in page
    assert "Pending" in page
    invitation = Invitation.objects.get(email="new@acme.test")
    assert (invitation.team_role, invitation.invited_by, invitation.tenant_ids) == (
        "teams_report_viewer",
        helpdesk,
        [],
    )
    assert invitation.api_invitation_id.startswith("invite_")
    upstream = SandboxInvitation.objects.get(email="new@acme.test")
    assert upstream.invitation_id == invitation.api_invitation_id
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_INVITE)
    assert (entry.outcome, entry.actor_username, entry.target_label) == (
        AuditOutcome.SUCCESS,
        "helpdesk-user",
        "new@acme.test",
    )
    assert entry.target_id == invitation.api_invitation_id


def test_helpdesk_invites_with_tenants_once_the_order_is_confirmed(
    helpdesk_client: Client, team: Team
) -> None:
    first, second = team.tenants()[:2]
    data: dict[str, object] = {
        "email": "withtenants@acme.test",
        "tenants": [first.tenant_id, second.tenant_id],
        "tenant_roles": ["viewer-config", "editor-users"],
        "tenant_order_confirmed": "on",
    }
    _invite(helpdesk_client, data)
    invitation = Invitation.objects.get(email="withtenants@acme.test")
    assert sorted(invitation.tenant_ids) == sorted([first.tenant_id, second.tenant_id])
    assert invitation.tenant_roles == ["viewer-config", "editor-users"]
    upstream = SandboxInvitation.objects.get(email="withtenants@acme.test")
    assert sorted(upstream.tenant_ids) == sorted(invitation.tenant_ids)
    listed = helpdesk_client.get(INVITATIONS).content.decode()
    assert first.tenant_name in listed and second.tenant_name in listed
    assert "Viewer – Config settings" in listed


def test_the_form_explains_the_rules_before_anything_is_sent(
    helpdesk_client: Client, team: Team
) -> None:
    page = helpdesk_client.get(INVITE).content.decode()
    assert (
        "Up to 10 tenants (Ctrl- or ⌘-click to pick several); pick tenants and tenant roles" in page
    )
    assert "Only with Editor – Specific apps" in page
    assert "tenant access granted before someone has joined the team" in page
    for label in ("Team owner", "Tenant manager", "Report viewer", "Contributor"):
        assert f">{label}</option>" in page


def _extra_tenants(team: Team, count: int) -> list[str]:
    """Mirror-only tenants, so the form offers more than the sandbox team has (never sent)."""
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]
    DirectoryTenant.objects.bulk_create(
        DirectoryTenant(
            auth_tenant=team.auth_tenant,
            tenant_id=tenant_id,
            tenant_name=f"extra-{n}",
            environment="US-3",
            first_seen_at=team.tenants()[0].first_seen_at,
        )
        for n, tenant_id in enumerate(ids)
    )
    return ids


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"tenants": "FIRST"}, "Pick at least one tenant role for the tenants you picked."),
        ({"tenant_roles": ["viewer-users"]}, "Pick the tenants these tenant roles apply to"),
        ({"tenants": "ELEVEN", "tenant_roles": ["viewer-users"], "tenant_order_confirmed": "on"}, "At most 10 tenants per invitation (11 picked)"),
        ({"tenants": "FIRST", "tenant_roles": ["viewer-users"], "client_ids": "abcdef12345", "tenant_order_confirmed": "on"}, "App ids apply only to Editor – Specific apps"),
        ({"tenants": "FIRST", "tenant_roles": ["editor-specific-apps"], "tenant_order_confirmed": "on"}, "Editor – Specific apps needs at least one app (client) id."),
        ({"tenants": "FIRST", "tenant_roles": ["viewer-users"]}, "Tick this to send tenant access with the invitation anyway"),
        ({"tenants": "FIRST", "tenant_roles": ["editor-specific-apps"], "client_ids": "bad id!", "tenant_order_confirmed": "on"}, "Not an app (client) id: bad, id!."),
    ],
)  # fmt: skip
def test_rules_are_enforced_before_sending(
    helpdesk_client: Client, team: Team, data: dict[str, object], message: str
) -> None:
    first = team.tenants()[0].tenant_id
    if data.get("tenants") == "FIRST":
        data = {**data, "tenants": [first]}
    elif data.get("tenants") == "ELEVEN":
        data = {**data, "tenants": _extra_tenants(team, 11)}
    response = _post_invite(helpdesk_client, {"email": "typed@acme.test", **data})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="typed@acme.test"' in page
    assert team.api_posts() == 0
    assert not Invitation.objects.exists()


def test_the_service_checks_the_rules_itself(helpdesk: User, team: Team) -> None:
    invite = services.InviteRequest(
        email="x@acme.test", role="teams_contributor", client_ids=["abcdef12345"]
    )
    with pytest.raises(ServiceError) as refused:
        services.member_invite(actor=helpdesk, auth_tenant=team.auth_tenant, invite=invite)
    assert "client_ids" in refused.value.field_errors
    assert team.api_posts() == 0


def test_an_email_the_mirror_knows_is_refused_without_a_call(
    helpdesk_client: Client, team: Team
) -> None:
    member = team.members()[3]
    response = _post_invite(helpdesk_client, {"email": member.email.upper()})
    assert "Already a member of this team" in response.content.decode()
    assert team.api_posts() == 0


def test_an_email_auth0_knows_as_a_member_is_a_field_error(
    helpdesk_client: Client, team: Team, sandbox: Sandbox
) -> None:
    # Joined in Auth0 after the last directory sync: only the API knows.
    sandbox.api(
        "POST", "/api/members", json={"email": "late@acme.test", "role": "teams_contributor"}
    )
    sandbox.accept_invitation("late@acme.test")
    sandbox.clear_requests_log()
    response = _post_invite(helpdesk_client, {"email": "late@acme.test"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Already a member of this team" in page
    assert team.api_posts() == 1
    assert not Invitation.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.MEMBER_INVITE)
    assert entry.outcome == AuditOutcome.FAILURE


def test_rate_limited_invite_says_when_to_retry_and_keeps_the_form(
    helpdesk_client: Client, team: Team, sandbox: Sandbox, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0  # show the 429 to the user instead of waiting it out
    sandbox.set_faults(rate_limit_burst=1)
    token = form_token(helpdesk_client, INVITE)
    data = {"email": "slow@acme.test", "role": "teams_owner", "form_token": token}
    page = helpdesk_client.post(INVITE, data).content.decode()
    assert "Auth0 is rate-limiting; try again in" in page
    assert 'value="slow@acme.test"' in page
    assert not Invitation.objects.exists()
    # Nothing was done, so the same form may be sent again once Auth0 lets us.
    response = helpdesk_client.post(INVITE, data)
    assert response.status_code == 302
    assert Invitation.objects.filter(email="slow@acme.test").count() == 1


def test_a_replayed_invite_invites_once(helpdesk_client: Client, team: Team) -> None:
    token = _invite(helpdesk_client, {"email": "twice@acme.test"})
    response = helpdesk_client.post(
        INVITE,
        {"email": "twice@acme.test", "role": "teams_contributor", "form_token": token},
        follow=True,
    )
    assert formtokens.REPLAY_MESSAGE in response.content.decode()
    assert team.api_posts() == 1
    assert Invitation.objects.filter(email="twice@acme.test").count() == 1


def test_a_forged_token_is_refused_in_the_form(helpdesk_client: Client, team: Team) -> None:
    response = helpdesk_client.post(
        INVITE, {"email": "f@acme.test", "role": "teams_contributor", "form_token": "forged"}
    )
    assert formtokens.INVALID_MESSAGE in response.content.decode()
    assert team.api_posts() == 0


def test_missing_scope_disables_invite_and_the_service_refuses(
    helpdesk_client: Client, helpdesk: User, sandbox: Sandbox, readonly_auth_tenant: AuthTenant
) -> None:
    listing = helpdesk_client.get(reverse("members:list")).content.decode()
    assert "Needs `create:invitations`: grant it to a client of this Auth Tenant" in listing
    assert f'href="{reverse("members:invite")}"' not in listing
    form = helpdesk_client.get(INVITE).content.decode()
    assert '<button type="button" disabled' in form
    assert 'type="submit" class="primary"' not in form
    response = _post_invite(helpdesk_client, {"email": "n@acme.test"})
    assert "Needs `create:invitations`" in response.content.decode()
    invite = services.InviteRequest(email="n@acme.test", role="teams_contributor")
    with pytest.raises(ServiceError, match="create:invitations"):
        services.member_invite(actor=helpdesk, auth_tenant=readonly_auth_tenant, invite=invite)
    assert not sandbox.requests_log(method="POST", path_contains="/api/members")


def test_auditors_cannot_invite(auditor_client: Client, team: Team) -> None:
    assert auditor_client.get(INVITE).status_code == 403
    response = auditor_client.post(INVITE, {"email": "a@acme.test", "role": "teams_owner"})
    assert response.status_code == 403
    assert team.api_posts() == 0
    listing = auditor_client.get(reverse("members:list")).content.decode()
    assert "Invite a member" not in listing
    assert "Invitations sent from Teams Admin" in listing


def test_a_pending_invitation_shows_accepted_after_a_sync(
    owner_client: Client, team: Team, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_SANDBOX_AUTO_ACCEPT_SECONDS = 1
    _invite(owner_client, {"email": "joins@acme.test"})
    assert PENDING_BADGE in owner_client.get(INVITATIONS).content.decode()
    time.sleep(1.2)
    team.sync()  # its first API call lets the sandbox accept; the sync then marks it accepted
    invitation = Invitation.objects.get(email="joins@acme.test")
    assert invitation.state == Invitation.State.ACCEPTED
    listed = owner_client.get(INVITATIONS).content.decode()
    assert '<span class="badge ok">Accepted</span>' in listed
    assert PENDING_BADGE not in listed
