"""Dashboard roles read along with users, in the query that loads them: the sign-in backend's
per-request user, and any list of users whose roles a page or a service must weigh."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import Group
from django.db.models import OuterRef, QuerySet, Subquery

from apps.core.capabilities import Role, remember_role, role_precedence

ROLE_GROUP = "teamsadmin_role_group"


def role_group() -> Subquery:
    """The name of the user's most powerful role group (by role_precedence), for an annotation
    on a user queryset as ROLE_GROUP."""
    groups = Group.objects.filter(user=OuterRef("pk"), name__in=[role.value for role in Role])
    return Subquery(groups.order_by(role_precedence()).values("name")[:1])


def with_roles(users: QuerySet[Any]) -> Iterator[Any]:
    """Each user of the queryset with their role remembered (capabilities.role_of asks no more
    queries of them): one query for them all."""
    for user in users.annotate(**{ROLE_GROUP: role_group()}):
        remember_role(user, vars(user).pop(ROLE_GROUP))
        yield user
