"""The role → capability map: helpdesk never deletes, auditors never change anything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

from apps.core.capabilities import ROLE_CAPABILITIES, Capability, Role, can, require, role_of

WRITES = {
    Capability.CREATE_TENANT,
    Capability.DELETE_TENANT,
    Capability.INVITE_MEMBER,
    Capability.CHANGE_MEMBER_ROLE,
    Capability.REMOVE_MEMBER,
    Capability.MANAGE_TENANT_ACCESS,
    Capability.MANAGE_AUTH_TENANTS,
    Capability.SYNC_NOW,
}


def test_owner_can_do_everything() -> None:
    assert ROLE_CAPABILITIES[Role.OWNER] == frozenset(Capability)


def test_helpdesk_can_invite_but_not_delete_or_change_roles() -> None:
    helpdesk = ROLE_CAPABILITIES[Role.HELPDESK]
    assert Capability.INVITE_MEMBER in helpdesk
    for forbidden in (
        Capability.DELETE_TENANT,
        Capability.REMOVE_MEMBER,
        Capability.CHANGE_MEMBER_ROLE,
    ):
        assert forbidden not in helpdesk


def test_auditor_changes_nothing_but_reads_and_exports_activity() -> None:
    auditor = ROLE_CAPABILITIES[Role.AUDITOR]
    assert not auditor & WRITES
    assert {Capability.VIEW_ACTIVITY, Capability.EXPORT_ACTIVITY} <= auditor


@pytest.mark.django_db
def test_user_without_role_can_do_nothing() -> None:
    user = User.objects.create_user("nobody", password="pw")  # noqa: S106
    assert role_of(user) is None
    assert not any(can(user, capability) for capability in Capability)
    with pytest.raises(PermissionDenied):
        require(user, Capability.VIEW_MEMBERS)


def test_anonymous_user_has_no_role() -> None:
    assert role_of(AnonymousUser()) is None


def test_personas_resolve_to_their_roles(owner: User, helpdesk: User, auditor: User) -> None:
    assert (role_of(owner), role_of(helpdesk), role_of(auditor)) == (
        Role.OWNER,
        Role.HELPDESK,
        Role.AUDITOR,
    )
    assert can(helpdesk, Capability.INVITE_MEMBER)
    assert not can(auditor, Capability.INVITE_MEMBER)
