"""Signing in and the signed-in user: Django's model backend, reading the role with the user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import OuterRef, Subquery

from apps.core.capabilities import Role, remember_role, role_precedence

_ROLE_GROUP = "teamsadmin_role_group"


class RoleBackend(ModelBackend):
    """ModelBackend whose per-request user load also picks the user's dashboard role: every
    page checks it, and one query does what two did. With TEAMSADMIN_LOCAL_LOGIN off it checks
    no password anywhere (the admin's login form included)."""

    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> Any:
        if not settings.TEAMSADMIN_LOCAL_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        role_group = (
            Group.objects.filter(user=OuterRef("pk"), name__in=[role.value for role in Role])
            .order_by(role_precedence())
            .values("name")[:1]
        )
        try:
            user = user_model._default_manager.annotate(**{_ROLE_GROUP: Subquery(role_group)}).get(
                pk=user_id
            )
        except user_model.DoesNotExist:
            return None
        remember_role(user, vars(user).pop(_ROLE_GROUP))
        return user if self.user_can_authenticate(user) else None
