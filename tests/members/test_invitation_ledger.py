"""The invitation ledger against the sandbox over HTTP: accepted, expired, resent, withdrawn, and
the person who joins anyway."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from apps.audit.models import AuditAction, AuditEntry, AuditOutcome
from apps.authtenants.models import AuthTenant
from apps.core import formtokens
from apps.core.errors import ServiceError
from apps.directory.models import DirectoryMember, Invitation
from apps.directory.tasks import invitations_expire_task
from apps.members import services
from apps.sandbox.models import SandboxInvitation
from tests.fixtures.sandbox import Sandbox
from tests.members.conftest import Team, form_token, submit

INVITE = reverse("members:invite")
INVITATIONS = reverse("members:invitations")
HOME = reverse("core:home")
FLAG = "Joined after the invitation was withdrawn"
# The Invitations page (6 measured): session and user, Auth Tenant and its clients, senders,
# counts per state, one page of rows with its total, tenant names; not one per invitation.
QUERIES_MAX = 8


def _resend_url(invitation: Invitation) -> str:
    return reverse("members:invitation-resend", args=[invitation.pk])


def _withdraw_url(invitation: Invitation) -> str:
    return reverse("members:invitation-withdraw", args=[invitation.pk])


def _invited(client: Client, email: str, **data: Any) -> Invitation:
    submit(client, INVITE, {"email": email, "role": "teams_contributor", **data})
    return Invitation.objects.get(email=email, state=Invitation.State.PENDING)


def _table(response: Any) -> str:
    """The invitations table of the page (not the messages above it)."""
    page: str = response.content.decode()
    return page[page.index('<section id="invitation-table">') :]


def _age(invitation: Invitation, days: float) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        invited_at=timezone.now() - timedelta(days=days)
    )


def test_pending_becomes_accepted_when_the_directory_sync_sees_the_member(
    helpdesk_client: Client, team: Team
) -> None:
    invitation = _invited(helpdesk_client, "joins@acme.test")
    late = _invited(helpdesk_client, "late@acme.test")
    _age(late, 30)  # expired by our guess, but joining proves the link still worked
    team.sandbox.accept_invitation("joins@acme.test")
    team.sandbox.accept_invitation("late@acme.test")
    before = timezone.now()
    team.sync()
    for row in (invitation, late):
        row.refresh_from_db()
        assert row.state == Invitation.State.ACCEPTED
        assert row.accepted_at is not None and row.accepted_at >= before
    member = DirectoryMember.objects.get(email="joins@acme.test")
    page = helpdesk_client.get(reverse("members:detail", args=[member.member_id]))
    ledger = page.content.decode()
    assert 'id="ledger-heading">Invitations' in ledger
    assert '<span class="badge ok">Accepted</span>' in ledger
    assert FLAG not in ledger


def test_expiry_shows_on_read_before_the_task_stores_it(
    helpdesk_client: Client, team: Team, settings: SettingsWrapper
) -> None:
    settings.TEAMSADMIN_INVITATION_EXPIRY_DAYS = 3
    old = _invited(helpdesk_client, "old@acme.test")
    fresh = _invited(helpdesk_client, "fresh@acme.test")
    _age(old, 3.1)
    _age(fresh, 2.9)
    expired = _table(helpdesk_client.get(INVITATIONS, {"state": "expired"}))
    assert "old@acme.test" in expired and "fresh@acme.test" not in expired
    assert '<span class="badge">Expired</span>' in expired
    pending = _table(helpdesk_client.get(INVITATIONS, {"state": "pending"}))
    assert "fresh@acme.test" in pending and "old@acme.test" not in pending
    assert Invitation.objects.get(pk=old.pk).state == Invitation.State.PENDING  # not stored yet
    assert invitations_expire_task() == 1
    assert invitations_expire_task() == 0  # idempotent
    states = dict(Invitation.objects.values_list("email", "state"))
    assert states == {"old@acme.test": "expired", "fresh@acme.test": "pending"}


def test_helpdesk_resends_with_the_same_parameters_and_the_old_one_is_replaced(
    helpdesk_client: Client, helpdesk: User, team: Team
) -> None:
    tenant = team.tenants()[0]
    old = _invited(
        helpdesk_client,
        "again@acme.test",
        tenants=[tenant.tenant_id],
        tenant_roles=["viewer-users"],
        tenant_order_confirmed="on",
    )
    _age(old, 10)  # expired: may be resent
    token = form_token(helpdesk_client, _resend_url(old))
    response = helpdesk_client.post(_resend_url(old), {"form_token": token}, follow=True)
    page = response.content.decode()
    assert "Invitation sent again to again@acme.test; the earlier link no longer works." in page
    new = Invitation.objects.get(email="again@acme.test", state=Invitation.State.PENDING)
    old.refresh_from_db()
    assert old.state == Invitation.State.REPLACED
    assert new.resent_from == old and new.invited_by == helpdesk
    assert (new.team_role, new.tenant_ids, new.tenant_roles) == (
        "teams_contributor",
        [tenant.tenant_id],
        ["viewer-users"],
    )
    upstream = SandboxInvitation.objects.get(invitation_id=new.api_invitation_id)
    assert upstream.tenant_ids == [tenant.tenant_id]
    entry = AuditEntry.objects.get(action=AuditAction.INVITATION_RESEND)
    assert (entry.outcome, entry.target_id, entry.parameters["replaces"]) == (
        AuditOutcome.SUCCESS,
        new.api_invitation_id,
        old.api_invitation_id,
    )
    assert "Replaced by a resend" in page
    # The replaced one is done: resending it again is refused in words, nothing sent.
    posts = team.api_posts()
    refused = helpdesk_client.post(
        _resend_url(old), {"form_token": form_token(helpdesk_client, _resend_url(old))}
    )
    assert "already replaced by a resend" in refused.content.decode()
    assert team.api_posts() == posts


def test_inviting_a_pending_email_again_replaces_the_earlier_invitation(
    helpdesk_client: Client, team: Team
) -> None:
    first = _invited(helpdesk_client, "twice@acme.test")
    second = _invited(helpdesk_client, "Twice@acme.test")
    first.refresh_from_db()
    assert first.state == Invitation.State.REPLACED
    assert second.resent_from == first


def test_a_double_submitted_resend_sends_once(helpdesk_client: Client, team: Team) -> None:
    old = _invited(helpdesk_client, "double@acme.test")
    token = form_token(helpdesk_client, _resend_url(old))
    first = helpdesk_client.post(_resend_url(old), {"form_token": token})
    second = helpdesk_client.post(_resend_url(old), {"form_token": token}, follow=True)
    assert first.status_code == 302
    assert formtokens.REPLAY_MESSAGE in second.content.decode()
    assert team.api_posts() == 2  # the invite and one resend
    assert Invitation.objects.filter(email="double@acme.test").count() == 2


def test_a_rate_limited_resend_says_so_and_changes_nothing(
    helpdesk_client: Client, team: Team, sandbox: Sandbox, settings: SettingsWrapper
) -> None:
    old = _invited(helpdesk_client, "slow@acme.test")
    settings.TEAMSADMIN_HTTP_MAX_RETRIES = 0  # show the 429 instead of waiting it out
    token = form_token(helpdesk_client, _resend_url(old))
    sandbox.set_faults(rate_limit_burst=1)
    page = helpdesk_client.post(_resend_url(old), {"form_token": token}).content.decode()
    assert "Auth0 is rate-limiting; try again in" in page
    assert 'type="submit" class="primary">Resend invitation' in page
    assert Invitation.objects.get(pk=old.pk).state == Invitation.State.PENDING
    assert Invitation.objects.filter(email="slow@acme.test").count() == 1
    failed = AuditEntry.objects.get(action=AuditAction.INVITATION_RESEND)
    assert failed.outcome == AuditOutcome.FAILURE


def test_without_the_scope_resend_is_disabled_and_refused(
    helpdesk_client: Client, helpdesk: User, sandbox: Sandbox, readonly_auth_tenant: AuthTenant
) -> None:
    old = Invitation.objects.create(
        auth_tenant=readonly_auth_tenant, email="n@acme.test", team_role="teams_contributor"
    )
    listing = helpdesk_client.get(INVITATIONS).content.decode()
    assert _withdraw_url(old) in listing
    assert _resend_url(old) not in listing
    form = helpdesk_client.get(_resend_url(old)).content.decode()
    assert "Needs `create:invitations`" in form and '<button type="button" disabled' in form
    with pytest.raises(ServiceError, match="create:invitations"):
        services.invitation_resend(actor=helpdesk, invitation=old)
    assert not sandbox.requests_log(method="POST", path_contains="/api/members")
    assert Invitation.objects.get(pk=old.pk).state == Invitation.State.PENDING


def test_helpdesk_withdraws_and_is_told_auth0_keeps_the_link(
    helpdesk_client: Client, helpdesk: User, team: Team
) -> None:
    invitation = _invited(helpdesk_client, "gone@acme.test")
    page = helpdesk_client.get(_withdraw_url(invitation)).content.decode()
    assert "Auth0 cannot revoke an invitation" in page
    too_long = "x" * 501
    refused = helpdesk_client.post(
        _withdraw_url(invitation),
        {"reason": too_long, "form_token": form_token(helpdesk_client, _withdraw_url(invitation))},
    ).content.decode()
    assert "at most 500 characters" in refused and too_long in refused
    posts = team.api_posts()
    token = form_token(helpdesk_client, _withdraw_url(invitation))
    done = helpdesk_client.post(
        _withdraw_url(invitation), {"reason": "wrong person", "form_token": token}, follow=True
    ).content.decode()
    assert "Invitation to gone@acme.test withdrawn here. Auth0 cannot revoke it" in done
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.WITHDRAWN
    assert (invitation.withdrawn_by, invitation.withdrawn_by_username) == (
        helpdesk,
        "helpdesk-user",
    )
    assert invitation.withdraw_reason == "wrong person" and invitation.withdrawn_at is not None
    assert team.api_posts() == posts  # nothing to call: Auth0 has no revoke
    entry = AuditEntry.objects.get(action=AuditAction.INVITATION_WITHDRAW)
    assert (entry.actor_username, entry.target_label, entry.parameters["reason"]) == (
        "helpdesk-user",
        "gone@acme.test",
        "wrong person",
    )
    assert "cannot revoke" in entry.message
    assert "wrong person" in done and "helpdesk-user" in done


def test_an_already_withdrawn_invitation_is_not_asked_about_again(
    helpdesk_client: Client, team: Team
) -> None:
    invitation = _invited(helpdesk_client, "once@acme.test")
    submit(helpdesk_client, _withdraw_url(invitation), {})
    response = helpdesk_client.get(_withdraw_url(invitation), follow=True)
    assert response.redirect_chain[-1][0] == INVITATIONS
    assert "The invitation to once@acme.test was already withdrawn." in response.content.decode()


def test_the_withdraw_service_other_pages_call(
    owner: User, auditor: User, helpdesk_client: Client, team: Team
) -> None:
    invitation = _invited(helpdesk_client, "svc@acme.test")
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(actor=auditor, invitation=invitation)
    services.invitation_withdraw(actor=owner, invitation=invitation, reason="offboarded")
    again = services.invitation_withdraw(actor=owner, invitation=invitation, reason="twice")
    assert again.withdraw_reason == "offboarded"
    assert AuditEntry.objects.filter(action=AuditAction.INVITATION_WITHDRAW).count() == 1
    accepted = _invited(helpdesk_client, "in@acme.test")
    Invitation.objects.filter(pk=accepted.pk).update(state=Invitation.State.ACCEPTED)
    accepted.refresh_from_db()
    with pytest.raises(ServiceError, match="already accepted"):
        services.invitation_withdraw(actor=owner, invitation=accepted)


def test_joining_after_withdrawal_is_flagged_and_owners_remove_in_one_click(
    helpdesk_client: Client, owner_client: Client, owner: User, team: Team
) -> None:
    owner.email = "owner@acme.test"
    owner.save(update_fields=["email"])
    invitation = _invited(helpdesk_client, "sneaky@acme.test")
    services_withdraw = _withdraw_url(invitation)
    submit(helpdesk_client, services_withdraw, {"reason": "contract ended"})
    assert FLAG not in owner_client.get(HOME).content.decode()
    member_id = team.sandbox.accept_invitation("sneaky@acme.test")
    team.sync()
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.WITHDRAWN and invitation.accepted_at is not None
    assert [m.subject for m in mail.outbox] == [
        "[Teams Admin] Joined after the invitation was withdrawn: sneaky@acme.test"
    ]
    assert mail.outbox[0].to == ["owner@acme.test"]
    remove_url = reverse("members:remove", args=[member_id])
    listing = owner_client.get(reverse("members:list")).content.decode()
    assert FLAG in listing and f'href="{remove_url}"' in listing
    helpdesk_listing = helpdesk_client.get(reverse("members:list")).content.decode()
    assert FLAG in helpdesk_listing and remove_url not in helpdesk_listing
    detail = owner_client.get(reverse("members:detail", args=[member_id])).content.decode()
    assert FLAG in detail and "contract ended" in detail and remove_url in detail
    home = owner_client.get(HOME).content.decode()
    assert FLAG in home and "sneaky@acme.test" in home
    assert FLAG not in helpdesk_client.get(HOME).content.decode()  # owners act on it
    submit(owner_client, remove_url, {})  # the existing confirmation and removal
    assert DirectoryMember.objects.get(member_id=member_id).removed_at is not None
    assert not team.sandbox.api("GET", f"/api/members/{member_id}").ok
    assert FLAG not in owner_client.get(HOME).content.decode()
    team.sync()
    assert len(mail.outbox) == 1  # noticed once


def test_a_later_invitation_explains_the_joining(helpdesk_client: Client, team: Team) -> None:
    withdrawn = _invited(helpdesk_client, "back@acme.test")
    submit(helpdesk_client, _withdraw_url(withdrawn), {})
    submit(helpdesk_client, INVITE, {"email": "back@acme.test", "role": "teams_contributor"})
    team.sandbox.accept_invitation("back@acme.test")
    team.sync()
    withdrawn.refresh_from_db()
    assert withdrawn.accepted_at is None
    assert not mail.outbox


def test_the_member_page_shows_the_chain_of_resends(helpdesk_client: Client, team: Team) -> None:
    first = _invited(helpdesk_client, "chain@acme.test")
    submit(helpdesk_client, _resend_url(first), {})
    second = Invitation.objects.get(email="chain@acme.test", state=Invitation.State.PENDING)
    submit(helpdesk_client, _withdraw_url(second), {})
    submit(helpdesk_client, _resend_url(second), {})  # a withdrawn invitation may be resent
    third = Invitation.objects.get(email="chain@acme.test", state=Invitation.State.PENDING)
    assert (third.resent_from, second.resent_from) == (second, first)
    member_id = team.sandbox.accept_invitation("chain@acme.test")
    team.sync()
    page = helpdesk_client.get(reverse("members:detail", args=[member_id])).content.decode()
    ledger = page[page.index('id="ledger-heading"') :]
    assert ledger.count("Replaced by a resend") == 2
    assert ledger.count('<span class="muted">a resend</span>') == 2
    assert '<span class="badge ok">Accepted</span>' in ledger
    assert FLAG not in page


def test_the_invitations_page_filters_counts_and_pages_in_bounded_queries(
    helpdesk_client: Client,
    owner: User,
    helpdesk: User,
    auth_tenant: AuthTenant,
    django_assert_max_num_queries: Any,
) -> None:
    now = timezone.now()
    rows = []
    for n in range(120):
        sender = owner if n % 2 else helpdesk
        rows.append(
            Invitation(
                auth_tenant=auth_tenant,
                email=f"p{n}@acme.test",
                team_role="teams_contributor",
                invited_by=sender,
                invited_by_username=sender.username,
                invited_at=now - timedelta(hours=n * 2 + 1),
                state=Invitation.State.WITHDRAWN if n % 10 == 0 else Invitation.State.PENDING,
            )
        )
    Invitation.objects.bulk_create(rows)
    with django_assert_max_num_queries(QUERIES_MAX):
        page = helpdesk_client.get(INVITATIONS).content.decode()
    assert page.count("<tr>") == 1 + 50  # header and one page
    assert "Page 1 of 3" in page
    # Sent 1, 3, 5… hours ago: 12 under a day, 72 of 1-7 days, 36 older (pending ones: expired).
    assert 'Withdrawn <span class="badge">12</span>' in page
    assert 'Expired <span class="badge">33</span>' in page
    assert 'Pending <span class="badge">75</span>' in page
    day = helpdesk_client.get(INVITATIONS, {"age": "day"}).content.decode()
    assert "12 invitations" in day
    week = helpdesk_client.get(INVITATIONS, {"age": "week", "sender": "owner-user"})
    assert "36 invitations" in week.content.decode()
    older = helpdesk_client.get(INVITATIONS, {"age": "older", "state": "withdrawn"})
    assert "3 invitations" in older.content.decode()
    bad = helpdesk_client.get(INVITATIONS, {"state": "nope", "sender": "x"})
    assert bad.status_code == 200
    assert "Nothing is listed until these filters are corrected" in bad.content.decode()
    partial = helpdesk_client.get(INVITATIONS, {"page": "2"}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<section id="invitation-table">')
