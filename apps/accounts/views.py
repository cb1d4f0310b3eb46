"""Signing in: the sign-in page (the password form when local accounts are on, single sign-on
when configured), the single sign-on round trip, and the page a locked sign-in gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from apps.accounts import oidc, services

TOO_MANY_REQUESTS = 429
LOCAL_LOGIN_OFF = (
    "Signing in with a password is turned off on this dashboard. Use single sign-on to sign in."
)


class SignInView(auth_views.LoginView):
    """Django's sign-in form, with the single sign-on button above it when that is on. With
    TEAMSADMIN_LOCAL_LOGIN off it shows no form and refuses a password sent anyway, before any
    backend sees it."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = oidc.sso_enabled()
        context["sso_provider_name"] = settings.TEAMSADMIN_OIDC_PROVIDER_NAME
        context["local_login"] = settings.TEAMSADMIN_LOCAL_LOGIN
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.TEAMSADMIN_LOCAL_LOGIN:
            context = self.get_context_data(refused=LOCAL_LOGIN_OFF)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else settings.LOGIN_REDIRECT_URL


@never_cache
@login_not_required
@require_GET
def sso_begin(request: HttpRequest) -> HttpResponse:
    if not oidc.sso_enabled():
        raise Http404("Single sign-on is not configured.")
    try:
        url = oidc.authorization_redirect(request, next_url=request.GET.get("next", ""))
    except oidc.OidcError as error:
        messages.error(request, error.message)
        return redirect("accounts:login")
    return HttpResponseRedirect(url)


@never_cache
@login_not_required
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.sso_enabled():
        raise Http404("Single sign-on is not configured.")
    next_url = oidc.next_url_of(request)
    try:
        user = services.sso_sign_in(request=request)
    except services.SsoNoAccess as denial:
        context = {
            "claim": denial.claim,
            "values": denial.values,
            "provider": settings.TEAMSADMIN_OIDC_PROVIDER_NAME,
            "role_map": settings.TEAMSADMIN_OIDC_ROLE_MAP,
        }
        return render(request, "accounts/sso_no_access.html", context, status=403)
    except services.SsoRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("accounts:login")
    auth_login(request, user, backend="apps.accounts.backends.RoleBackend")
    return redirect(_safe_next(request, next_url))


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
