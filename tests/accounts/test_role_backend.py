"""The signed-in user and their dashboard role come in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from pytest_django import DjangoAssertNumQueries

from apps.accounts.backends import RoleBackend
from apps.core.capabilities import Role, role_of


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        ([], None),
        (["auditor"], Role.AUDITOR),
        (["auditor", "owner", "helpdesk"], Role.OWNER),  # the most powerful counts
        (["auditor", "helpdesk", "staff"], Role.HELPDESK),  # other groups are no role
        (["staff"], None),
    ],
)
def test_the_user_is_read_with_their_role(
    db: None,
    django_assert_num_queries: DjangoAssertNumQueries,
    groups: list[str],
    role: Role | None,
) -> None:
    user = User.objects.create_user("someone", password="pw")  # noqa: S106
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    with django_assert_num_queries(1):
        loaded = RoleBackend().get_user(user.pk)
        assert role_of(loaded) == role
    assert not hasattr(loaded, "teamsadmin_role_group")


def test_an_unknown_or_inactive_user_is_nobody(db: None) -> None:
    user = User.objects.create_user("gone", password="pw", is_active=False)  # noqa: S106
    assert RoleBackend().get_user(user.pk) is None
    assert RoleBackend().get_user(user.pk + 1) is None
    assert RoleBackend().get_user("not-a-number") is None  # a tampered session
