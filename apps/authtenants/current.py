"""Which Auth Tenant (team) a dashboard page shows: the user's choice, kept in the session."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from apps.authtenants.models import AuthTenant

SESSION_KEY = "teamsadmin_auth_tenant"
QUERY_PARAM = "auth_tenant"
# Primary keys are BigAutoField: a larger number can name no row (and would overflow the query).
_PK_MAX = 2**63 - 1
_CACHE_ATTR = "_teamsadmin_auth_tenant"


class AuthTenantSwitchForm(forms.Form):
    """The team switcher's ?auth_tenant=<pk>: a positive whole number, else a message."""

    auth_tenant = forms.IntegerField(min_value=1, max_value=_PK_MAX)


def _wanted_pk(request: HttpRequest) -> int | None:
    """The pk asked for in the query string; None when none was asked for or it is malformed."""
    if not request.GET.get(QUERY_PARAM):
        return None
    form = AuthTenantSwitchForm({QUERY_PARAM: request.GET[QUERY_PARAM]})
    if not form.is_valid():
        return None
    pk: int = form.cleaned_data[QUERY_PARAM]
    return pk


def auth_tenant_for_request(request: HttpRequest) -> AuthTenant | None:
    """The enabled Auth Tenant picked with ?auth_tenant=<pk> or earlier in the session, else the first one.

    A pick that names no enabled Auth Tenant keeps the earlier choice and says so in the page,
    so nobody reads another team's data believing it is the one they asked for.
    """
    if hasattr(request, _CACHE_ATTR):
        cached: AuthTenant | None = getattr(request, _CACHE_ATTR)
        return cached
    enabled = AuthTenant.objects.filter(enabled=True).order_by("name")
    wanted, stored = _wanted_pk(request), request.session.get(SESSION_KEY)
    chosen = enabled.filter(pk=wanted).first() if wanted is not None else None
    if chosen is None and isinstance(stored, int):
        chosen = enabled.filter(pk=stored).first()
    if chosen is None:
        chosen = enabled.first()
    if request.GET.get(QUERY_PARAM) and (chosen is None or chosen.pk != wanted):
        shown = f"; showing {chosen.name}" if chosen is not None else ""
        messages.warning(request, f"The team asked for does not exist or is disabled{shown}.")
    if chosen is not None and stored != chosen.pk:
        request.session[SESSION_KEY] = chosen.pk
    setattr(request, _CACHE_ATTR, chosen)
    return chosen


def team_switcher(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the Auth Tenants a signed-in user can switch between (shown when 2+).

    It applies ?auth_tenant= itself, so the switcher works on every page, not only those that
    show a team's data.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    choices = list(AuthTenant.objects.filter(enabled=True).order_by("name").only("pk", "name"))
    if len(choices) < 2:
        return {}
    current = auth_tenant_for_request(request)
    return {"team_choices": choices, "team_current": current.pk if current else choices[0].pk}
