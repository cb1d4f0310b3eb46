"""Dashboard users: giving a person a role."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import transaction

from apps.core.capabilities import Role


@transaction.atomic
def user_set_role(*, user: User, role: Role) -> None:
    """Make `role` the user's only dashboard role."""
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]).exclude(pk=group.pk))
    user.groups.add(group)


@transaction.atomic
def user_ensure(*, username: str, password: str, role: Role, email: str = "") -> tuple[User, bool]:
    """Create the user with this role if missing; an existing user keeps its password."""
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user_set_role(user=user, role=role)
    return user, created
