"""Signing in and the signed-in user: Django's model backend, reading the role with the user."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from apps.accounts.roles import ROLE_GROUP, role_group
from apps.core.capabilities import remember_role

# A pk no user has, compiled into the statement and swapped for the real one at each load.
_PK_SENTINEL = -1
USERNAME_MAX = 150  # Django's longest username


def username_tried(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The username a sign-in tried, as the throttle counts it (AXES_USERNAME_CALLABLE): cut
    to the longest a user can have, since axes stores it in a 255-character column and the
    sign-in form lets longer text through to authenticate()."""
    source: Any = credentials if credentials else request.POST
    username = source.get("username")
    return None if username is None else str(username)[:USERNAME_MAX]


class RoleBackend(ModelBackend):
    """ModelBackend whose per-request user load also picks the user's dashboard role: every
    page checks it, and one query does what two did. With TEAMSADMIN_LOCAL_LOGIN off it checks
    no password anywhere (the admin's login form included).

    The statement is compiled once per database: building it through the ORM on every request
    (a subquery ordered by a CASE) took longer than running it.
    """

    _statements: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> Any:
        if not settings.TEAMSADMIN_LOCAL_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        user_model = get_user_model()
        try:
            pk = user_model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        sql, params = self._statement(user_model)
        user = next(iter(user_model._default_manager.raw(sql, (*params[:-1], pk))), None)
        if user is None:
            return None
        remember_role(user, vars(user).pop(ROLE_GROUP))
        return user if self.user_can_authenticate(user) else None

    @classmethod
    def _statement(cls, user_model: Any) -> tuple[str, tuple[Any, ...]]:
        alias = user_model._default_manager.db
        if alias not in cls._statements:
            users = user_model._default_manager.annotate(**{ROLE_GROUP: role_group()})
            sql, params = users.filter(pk=_PK_SENTINEL).query.sql_with_params()
            # The pk is the statement's last parameter: WHERE comes after the select list.
            if not params or params[-1] != _PK_SENTINEL:
                raise RuntimeError("The user query's parameters are not as expected.")
            cls._statements[alias] = (sql, tuple(params))
        return cls._statements[alias]
