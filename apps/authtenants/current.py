"""Which Auth Tenant (team) a dashboard page shows: the user's choice, kept in the session."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from apps.authtenants.models import AuthTenant
from apps.authtenants.scopes import with_client_scopes

SESSION_KEY = "teamsadmin_auth_tenant"
QUERY_PARAM = "auth_tenant"
# Primary keys are BigAutoField: a larger number can name no row.
_PK_MAX = 2**63 - 1
_CHOSEN_ATTR, _ENABLED_ATTR = "_teamsadmin_auth_tenant", "_teamsadmin_enabled_auth_tenants"


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


def _enabled(request: HttpRequest) -> list[AuthTenant]:
    """The enabled Auth Tenants by name, read once per request (there are a handful), with
    their clients' scopes for the page's action buttons."""
    if not hasattr(request, _ENABLED_ATTR):
        auth_tenants = with_client_scopes(AuthTenant.objects.filter(enabled=True))
        enabled = list(auth_tenants.order_by("name"))
        setattr(request, _ENABLED_ATTR, enabled)
    cached: list[AuthTenant] = getattr(request, _ENABLED_ATTR)
    return cached


def enabled_auth_tenants(request: HttpRequest) -> list[AuthTenant]:
    """The Auth Tenants a dashboard page may show, by name (what a team picker offers)."""
    return _enabled(request)


def auth_tenant_for_request(request: HttpRequest) -> AuthTenant | None:
    """The enabled Auth Tenant picked with ?auth_tenant=<pk> or earlier in the session, else the first one.

    A pick that names no enabled Auth Tenant keeps the earlier choice and says so in the page,
    so nobody reads another team's data believing it is the one they asked for. Only a pick
    is remembered; the first one is the default without a session write.
    """
    if hasattr(request, _CHOSEN_ATTR):
        cached: AuthTenant | None = getattr(request, _CHOSEN_ATTR)
        return cached
    enabled = _enabled(request)
    wanted, stored = _wanted_pk(request), request.session.get(SESSION_KEY)
    chosen = next(
        (auth_tenant for pk in (wanted, stored) for auth_tenant in enabled if auth_tenant.pk == pk),
        enabled[0] if enabled else None,
    )
    if request.GET.get(QUERY_PARAM) and (chosen is None or chosen.pk != wanted):
        shown = f"; showing {chosen.name}" if chosen is not None else ""
        messages.warning(request, f"The team asked for does not exist or is disabled{shown}.")
    elif chosen is not None and chosen.pk == wanted and stored != wanted:
        request.session[SESSION_KEY] = wanted
    setattr(request, _CHOSEN_ATTR, chosen)
    return chosen


def team_switcher(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the Auth Tenants a signed-in user can switch between (shown when 2+),
    and the connection health of the one the page shows (a dot and a word beside it).

    It applies ?auth_tenant= itself, so the switcher works on every page, not only those that
    show a team's data.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    choices = _enabled(request)
    if not choices:
        return {}
    if len(choices) < 2:
        return {"team_health": choices[0]}
    current = auth_tenant_for_request(request)
    return {
        "team_choices": choices,
        "team_current": current.pk if current else None,
        "team_health": current,
    }
