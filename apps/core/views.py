"""The overview page (who you are, what your role may do, where data comes from); /favicon.ico;
the operations endpoints /healthz, /readyz and /metrics."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from apps.core import health, metrics
from apps.core.capabilities import ROLE_CAPABILITIES, Capability, role_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    allowed = ROLE_CAPABILITIES.get(role, frozenset()) if role else frozenset()
    return render(
        request,
        "core/home.html",
        {
            "role": role,
            "capabilities": [c.value for c in Capability if c in allowed],
            "sandbox_enabled": settings.TEAMSADMIN_SANDBOX,
        },
    )


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages link static/favicon.svg; this answers tools and browsers that ask the root for it."""
    # Not permanent: the static file's name carries a content hash in production.
    return HttpResponseRedirect(static("favicon.svg"))


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Touches neither the database nor the session."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: database, cache and broker each reachable; 503 with the reasons otherwise."""
    results = health.readiness()
    ready = all(result.ok for result in results)
    body = {
        "status": "ok" if ready else "failed",
        "checks": {result.name: result.as_json() for result in results},
    }
    return JsonResponse(body, status=200 if ready else 503)


@login_not_required
@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; 404 while TEAMSADMIN_METRICS_TOKEN is unset, 401 without it."""
    token = settings.TEAMSADMIN_METRICS_TOKEN
    if not token:
        return HttpResponse("Metrics are off: set TEAMSADMIN_METRICS_TOKEN.\n", status=404)
    sent = request.headers.get("Authorization", "")
    expected = f"Bearer {token}"
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.scrape(), content_type=CONTENT_TYPE_LATEST)
