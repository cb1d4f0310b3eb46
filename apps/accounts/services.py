"""Dashboard users: giving a person a role, creating owners."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
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


class OwnerExists(Exception):
    """The username is taken and the caller did not ask to update that user."""


@transaction.atomic
def owner_create(
    *, username: str, email: str, password: str, update: bool = False
) -> tuple[User, bool]:
    """Create a dashboard owner, or with `update` reset an existing user's password and make
    them owner. The password must pass AUTH_PASSWORD_VALIDATORS (ValidationError otherwise).

    Returns the user and whether it was created. Raises OwnerExists when the user exists and
    `update` is false.
    """
    user = User.objects.filter(username=username).first()
    if user is not None and not update:
        raise OwnerExists(username)
    created = user is None
    validate_password(password, user=user or User(username=username, email=email))
    if user is None:
        user = User.objects.create_user(username=username, email=email, password=password)
    else:
        user.set_password(password)
        fields = ["password"]
        if email:
            user.email = email
            fields.append("email")
        user.save(update_fields=fields)
    user_set_role(user=user, role=Role.OWNER)
    return user, created
