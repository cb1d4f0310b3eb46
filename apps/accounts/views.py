"""Signing in: the password form (when local accounts are on) and the page a locked sign-in gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TOO_MANY_REQUESTS = 429
LOCAL_LOGIN_OFF = (
    "Signing in with a password is turned off on this dashboard. Use single sign-on to sign in."
)


class LoginView(auth_views.LoginView):
    """Django's login view; with TEAMSADMIN_LOCAL_LOGIN off it shows no form and refuses a
    password sent anyway, before any backend sees it."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["local_login"] = settings.TEAMSADMIN_LOCAL_LOGIN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.TEAMSADMIN_LOCAL_LOGIN:
            context = self.get_context_data(refused=LOCAL_LOGIN_OFF)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page for a refused sign-in (django-axes' lockout response): the same words for
    every username, existing or not, so it tells nobody which accounts exist."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "cooloff_minutes": settings.TEAMSADMIN_LOGIN_COOLOFF_MINUTES,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
        status=TOO_MANY_REQUESTS,
    )
