"""The invitation ledger: recorded as pending, accepted once the email joins the mirror."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from apps.directory import follow
from apps.directory.invitations import invitation_list
from apps.directory.models import DirectoryMember, Invitation
from apps.teamsapi import types
from tests.fixtures.directory import Directory

pytestmark = pytest.mark.django_db


def _invite(directory: Directory, owner: User, email: str) -> Invitation:
    sent = types.Invitation(
        id=f"inv-{email}",
        email=email,
        role="teams_contributor",
        tenant_ids=[directory.prod.tenant_id],
        tenant_roles=["viewer-users"],
        client_ids=[],
    )
    return follow.invitation_recorded(directory.auth_tenant, sent, invited_by=owner)


def test_invitation_is_recorded_pending_with_its_sender(directory: Directory, owner: User) -> None:
    invitation = _invite(directory, owner, "new@acme.test")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
    assert (invitation.invited_by, invitation.invited_by_username) == (owner, "owner-user")
    assert (invitation.team_role, invitation.tenant_roles) == (
        "teams_contributor",
        ["viewer-users"],
    )
    assert invitation.api_invitation_id == "inv-new@acme.test"
    assert invitation.get_state_display() == "Pending"


def test_accept_marks_only_emails_now_among_current_members(
    directory: Directory, owner: User, django_assert_num_queries: object
) -> None:
    joined = _invite(directory, owner, "New.Person@Acme.test")
    waiting = _invite(directory, owner, "later@acme.test")
    left = _invite(directory, owner, "lee@acme.test")  # a removed member does not count
    lookalike = _invite(directory, owner, "new_person@acme.test")  # no LIKE wildcards
    DirectoryMember.objects.create(
        auth_tenant=directory.auth_tenant,
        member_id="auth0|new",
        email="new.person@acme.test",
        first_seen_at=timezone.now(),
    )
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert follow.invitations_accept(directory.auth_tenant) == 1
    states = dict(Invitation.objects.values_list("pk", "state"))
    assert states == {
        joined.pk: "accepted",
        waiting.pk: "pending",
        left.pk: "pending",
        lookalike.pk: "pending",
    }
    joined.refresh_from_db()
    assert joined.accepted_at is not None


def test_invitation_list_is_newest_first_and_filters_by_state(
    directory: Directory, owner: User
) -> None:
    first = _invite(directory, owner, "a@acme.test")
    second = _invite(directory, owner, "b@acme.test")
    Invitation.objects.filter(pk=first.pk).update(state=Invitation.State.WITHDRAWN)
    assert list(invitation_list(directory.auth_tenant)) == [second, first]
    assert list(invitation_list(directory.auth_tenant, Invitation.State.PENDING)) == [second]
