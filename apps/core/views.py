"""The overview page (who you are, what your role may do, where data comes from); /favicon.ico."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

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
