"""Which Auth Tenant (team) a dashboard page shows: the user's choice, kept in the session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.authtenants.models import AuthTenant

SESSION_KEY = "teamsadmin_auth_tenant"
QUERY_PARAM = "auth_tenant"


def auth_tenant_for_request(request: HttpRequest) -> AuthTenant | None:
    """The enabled Auth Tenant picked with ?auth_tenant=<pk> or earlier in the session, else the first one."""
    enabled = AuthTenant.objects.filter(enabled=True).order_by("name")
    wanted = request.GET.get(QUERY_PARAM) or request.session.get(SESSION_KEY)
    chosen = None
    if wanted and str(wanted).isdigit():
        chosen = enabled.filter(pk=int(wanted)).first()
    if chosen is None:
        chosen = enabled.first()
    if chosen is not None and request.session.get(SESSION_KEY) != chosen.pk:
        request.session[SESSION_KEY] = chosen.pk
    return chosen


def team_switcher(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the Auth Tenants a signed-in user can switch between (shown when 2+)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    choices = list(AuthTenant.objects.filter(enabled=True).order_by("name").only("pk", "name"))
    if len(choices) < 2:
        return {}
    current = request.session.get(SESSION_KEY)
    return {"team_choices": choices, "team_current": current if current else choices[0].pk}
